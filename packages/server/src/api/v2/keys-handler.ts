// /v2/keys for unary requests (GET/HEAD/PUT/POST/DELETE without wait): parse -> backend (raft, or
// the local store for plain GETs) -> etcd's JSON body and X-Etcd-* / X-Raft-* headers.
// Long-poll and stream watches (?wait=true) are not served here yet: they answer a clear error.

import type { Request } from '@tsetcd/api';
import type { HttpHandler, HttpRequest, HttpResponse } from '../http/types';
import { V2Error, V2_ERROR_CODES, v2EventJson, type V2Event, type V2NodeExtern } from '../../v2store';
import { mergeForm, parseKeysRequest, STORE_KEYS_PREFIX } from './keys-request';

export const KEYS_PREFIX = '/v2/keys';
const ALLOWED_METHODS = 'HEAD,GET,PUT,POST,DELETE';

/** What the keys handler needs from the member. */
export interface V2KeysBackend {
  /** Proposes writes / QGETs through raft and waits for apply; plain GETs read the local store. */
  doV2(request: Request): Promise<V2Event>;
  clusterIdHex(): string;
  raftIndex(): number;
  raftTerm(): number;
  now(): number;
}

function trimNode(n: V2NodeExtern | undefined): void {
  if (n === undefined) return;
  if (n.key !== undefined && n.key.startsWith(STORE_KEYS_PREFIX)) n.key = n.key.slice(STORE_KEYS_PREFIX.length);
  for (const c of n.nodes ?? []) trimNode(c);
}

export function v2ErrorResponse(err: V2Error, clusterIdHex: string): HttpResponse {
  const json = err.toJSON();
  const cause = json.cause?.startsWith(STORE_KEYS_PREFIX) === true ? json.cause.slice(STORE_KEYS_PREFIX.length) : json.cause;
  const body = cause === undefined || cause === '' ? { ...json, cause: undefined } : { ...json, cause };
  return {
    status: err.httpStatus,
    headers: { 'Content-Type': 'application/json', 'X-Etcd-Cluster-Id': clusterIdHex, 'X-Etcd-Index': String(err.index) },
    body: JSON.stringify(body) + '\n',
  };
}

export function keysHandler(backend: V2KeysBackend): HttpHandler {
  return async (req: HttpRequest): Promise<HttpResponse> => {
    const clusterId = backend.clusterIdHex();
    if (!['GET', 'HEAD', 'PUT', 'POST', 'DELETE'].includes(req.method)) {
      return { status: 405, headers: { Allow: ALLOWED_METHODS, 'Content-Type': 'text/plain; charset=utf-8' }, body: 'Method Not Allowed\n' };
    }
    try {
      const ct = String(req.headers['content-type'] ?? '');
      const body = ct.startsWith('application/x-www-form-urlencoded') ? (await req.readBody()).toString('utf8') : undefined;
      const keyPath = decodeURIComponent(req.path.slice(KEYS_PREFIX.length));
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      const { request, noValueOnSuccess } = parseKeysRequest(method, keyPath, mergeForm(req.query.toString(), body), backend.now());
      if (request.Wait) {
        throw new V2Error(V2_ERROR_CODES.RaftInternal, 'tsetcd: ?wait=true is not implemented yet', 0);
      }
      const ev = await backend.doV2(request);
      trimNode(ev.node);
      trimNode(ev.prevNode);
      const status = ev.action === 'create' || (ev.action === 'set' && ev.prevNode === undefined) ? 201 : 200;
      return {
        status,
        headers: {
          'Content-Type': 'application/json',
          'X-Etcd-Cluster-Id': clusterId,
          'X-Etcd-Index': String(ev.etcdIndex),
          'X-Raft-Index': String(backend.raftIndex()),
          'X-Raft-Term': String(backend.raftTerm()),
        },
        body: req.method === 'HEAD' ? '' : v2EventJson(ev, noValueOnSuccess) + '\n',
      };
    } catch (err) {
      if (err instanceof V2Error) return v2ErrorResponse(err, clusterId);
      return v2ErrorResponse(new V2Error(V2_ERROR_CODES.RaftInternal, err instanceof Error ? err.message : String(err), 0), clusterId);
    }
  };
}
