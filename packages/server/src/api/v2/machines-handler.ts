// GET /v2/machines: every member's client URLs, sorted, joined by ", " (etcd 3.4's machinesHandler,
// what pre-v2-members clients use to discover the cluster).

import type { ClusterServer } from '../../etcdserver/server-api';
import { methodNotAllowed } from '../http/responses';
import type { HttpHandler } from '../http/types';

export const MACHINES_PATH = '/v2/machines';
const MACHINES_TIMEOUT_MS = 5_000;

export function machinesHandler(cluster: Pick<ClusterServer, 'memberList'>): HttpHandler {
  return async (req) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed('GET,HEAD');
    const { members } = await cluster.memberList({ signal: AbortSignal.timeout(MACHINES_TIMEOUT_MS) });
    const urls = members.flatMap((m) => m.clientURLs).sort();
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: req.method === 'HEAD' ? '' : urls.join(', ') };
  };
}
