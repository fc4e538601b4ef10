// /v2/keys: parse -> backend (raft for writes and quorum GETs, the local store for plain GETs and
// watches) -> etcd's JSON body and X-Etcd-* / X-Raft-* headers. ?wait=true answers with the
// headers at once and then one event (long-poll) or every event, one JSON per line (stream=true).

import type { Request } from '@tsetcd/api';
import { methodNotAllowed } from '../http/responses';
import type { HttpChunkSource, HttpHandler, HttpRequest, HttpResponse } from '../http/types';
import { V2Error, V2_ERROR_CODES, v2EventJson, type V2Event, type V2Watcher } from '../../v2store';
import { V2_MAX_FORM_BYTES } from '../../config/limits';
import { GO_BAD_REQUEST } from '../http/go-path';
import { mergeForm, parseKeysRequest, STORE_KEYS_PREFIX, unescapeKeysPath } from './keys-request';
import { hasKeyPrefixAccess, type V2SecurityStore } from '../../v2auth';

export const KEYS_PREFIX = '/v2/keys';
const ALLOWED_METHODS = 'HEAD,GET,PUT,POST,DELETE';

/** What the keys handler needs from the member. */
export interface V2KeysBackend {
  /** Proposes writes / QGETs through raft and waits for apply; plain GETs read the local store. */
  doV2(request: Request): Promise<V2Event>;
  /** A watcher for a ?wait=true request (throws V2Error 401 when waitIndex left the history). */
  watch(request: Request): V2Watcher;
  /** etcd checks v2 auth on every parsed request; tsetcd has no v2 auth, so this is always false. */
  v2AuthEnabled(): boolean;
  clusterIdHex(): string;
  raftIndex(): number;
  raftTerm(): number;
  now(): number;
}

function trimKey(key: string | undefined): string | undefined {
  return key !== undefined && key.startsWith(STORE_KEYS_PREFIX) ? key.slice(STORE_KEYS_PREFIX.length) : key;
}

/** An event as the API shows it: keys without the store's /1 prefix, one JSON per line. */
function eventBody(ev: V2Event, noValueOnSuccess = false): string {
  return v2EventJson(ev, noValueOnSuccess, STORE_KEYS_PREFIX) + '\n';
}

export function v2ErrorResponse(err: V2Error, clusterIdHex: string): HttpResponse {
  const json = err.toJSON();
  const cause = trimKey(json.cause);
  const body = cause === undefined || cause === '' ? { ...json, cause: undefined } : { ...json, cause };
  return {
    status: err.httpStatus,
    headers: { 'Content-Type': 'application/json', 'X-Etcd-Cluster-Id': clusterIdHex, 'X-Etcd-Index': String(err.index) },
    body: JSON.stringify(body) + '\n',
  };
}

/** The events of one watcher as a chunked body: one event, or all of them for a stream. */
class WatchChunks implements HttpChunkSource {
  private done = false;

  constructor(private readonly watcher: V2Watcher) {}

  async next(): Promise<string | undefined> {
    if (this.done) return undefined;
    const ev = await this.watcher.next();
    if (ev === undefined) return undefined;
    if (!this.watcher.stream) this.done = true;
    return eventBody(ev);
  }

  close(): void {
    this.watcher.remove();
  }
}

/** The headers of every successful keys answer. */
function keysHeaders(backend: V2KeysBackend, clusterId: string, etcdIndex: number): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'X-Etcd-Cluster-Id': clusterId,
    'X-Etcd-Index': String(etcdIndex),
    'X-Raft-Index': String(backend.raftIndex()),
    'X-Raft-Term': String(backend.raftTerm()),
  };
}

function watchResponse(backend: V2KeysBackend, request: Request, clusterId: string): HttpResponse {
  const watcher = backend.watch(request);
  return { status: 200, headers: keysHeaders(backend, clusterId, watcher.startIndex), chunks: new WatchChunks(watcher) };
}

export function keysHandler(backend: V2KeysBackend, security?: V2SecurityStore): HttpHandler {
  return async (req: HttpRequest): Promise<HttpResponse> => {
    const clusterId = backend.clusterIdHex();
    if (!['GET', 'HEAD', 'PUT', 'POST', 'DELETE'].includes(req.method)) {
      return methodNotAllowed(ALLOWED_METHODS);
    }
    try {
      const ct = String(req.headers['content-type'] ?? '');
      const body = ct.startsWith('application/x-www-form-urlencoded') ? (await req.readBody(V2_MAX_FORM_BYTES)).toString('utf8') : undefined;
      const keyPath = unescapeKeysPath(req.path.slice(KEYS_PREFIX.length));
      if (keyPath === undefined) return GO_BAD_REQUEST;
      const form = mergeForm(req.rawQuery ?? req.query.toString(), body, req.method);
      const { request, noValueOnSuccess } = parseKeysRequest(req.method, keyPath, form, backend.now());
      // v2 auth (H9): etcd's hasKeyPrefixAccess on the path as sent; without a security store, the old refusal.
      if (security !== undefined) {
        const authorization = req.headers.authorization;
        const access = { method: req.method, authorization: Array.isArray(authorization) ? authorization[0] : authorization };
        if (!(await hasKeyPrefixAccess(security, access, keyPath, request.Recursive))) {
          throw new V2Error(V2_ERROR_CODES.Unauthorized, 'Insufficient credentials', 0);
        }
      } else if (backend.v2AuthEnabled()) throw new V2Error(V2_ERROR_CODES.RaftInternal, 'tsetcd: v2 auth is not supported', 0);
      if (request.Wait) return watchResponse(backend, request, clusterId);
      const ev = await backend.doV2(request);
      const status = ev.action === 'create' || (ev.action === 'set' && ev.prevNode === undefined) ? 201 : 200;
      return {
        status,
        headers: keysHeaders(backend, clusterId, ev.etcdIndex),
        body: req.method === 'HEAD' ? '' : eventBody(ev, noValueOnSuccess),
      };
    } catch (err) {
      if (err instanceof V2Error) return v2ErrorResponse(err, clusterId);
      return v2ErrorResponse(new V2Error(V2_ERROR_CODES.RaftInternal, err instanceof Error ? err.message : String(err), 0), clusterId);
    }
  };
}
