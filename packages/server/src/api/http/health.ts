// GET /health, etcd 3.4's rules: unhealthy if any alarm is active (unless named by ?exclude=),
// if the member has no leader / is not ready, or if a quorum read (a v2 QGET through raft, as in
// etcd; a v3 linearizable read for members without the v2 store) does not complete within 1 s. 200 `{"health":"true"}`; 503 `{"health":"false"}\n` (written by Go's http.Error).

import { AlarmRequest, AlarmRequest_AlarmAction, AlarmType, RangeRequest, Request } from '@tsetcd/api';
import type { EtcdServerApi } from '../../etcdserver/server-api';
import { HEALTH_CHECK_TIMEOUT_MS } from '../../config/limits';
import { goHttpError, methodNotAllowed } from './responses';
import type { HttpHandler, HttpResponse } from './types';

const HEALTHY: HttpResponse = {
  status: 200,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: '{"health":"true"}',
};
const UNHEALTHY: HttpResponse = goHttpError(503, '{"health":"false"}');

const HEALTH_KEY = Buffer.from('health');

export interface HealthCounters {
  onResult(healthy: boolean): void;
}

export type HealthMember = Pick<EtcdServerApi, 'isReady' | 'alarm' | 'range' | 'v2'>;

export async function checkHealth(member: HealthMember, excludedAlarms: ReadonlySet<string>): Promise<boolean> {
  const signal = AbortSignal.timeout(HEALTH_CHECK_TIMEOUT_MS);
  const alarms = await member.alarm(AlarmRequest.fromPartial({ action: AlarmRequest_AlarmAction.GET }), { signal });
  for (const a of alarms.alarms) {
    if (!excludedAlarms.has(AlarmType[a.alarm] ?? String(a.alarm))) return false;
  }
  if (!member.isReady()) return false;
  const read =
    member.v2 !== undefined
      ? member.v2.doV2(Request.fromPartial({ Method: 'QGET' }))
      : member.range(RangeRequest.fromPartial({ key: HEALTH_KEY, limit: 1n, countOnly: true }), { signal });
  await Promise.race([
    read,
    new Promise((_, reject) => {
      signal.addEventListener('abort', () => reject(new Error('health check read timed out')), { once: true });
    }),
  ]);
  return true;
}

export function healthHandler(member: HealthMember, counters?: HealthCounters): HttpHandler {
  return async (req) => {
    if (req.method !== 'GET') return methodNotAllowed('GET');
    const excluded = new Set(req.query.getAll('exclude'));
    let healthy: boolean;
    try {
      healthy = await checkHealth(member, excluded);
    } catch {
      healthy = false;
    }
    counters?.onResult(healthy);
    return healthy ? HEALTHY : UNHEALTHY;
  };
}
