// Turns a /v2/keys HTTP request (method, key path, query string, form body) into the
// etcdserverpb.Request that goes through raft, with etcd 3.4's parse errors (201/202/203/209/211/212).

import { Request } from '@tsetcd/api';
import { msToUnixNano } from '../../etcdserver/v2-apply';
import { cleanV2Path, V2Error, V2_ERROR_CODES } from '../../v2store';

/** etcd keeps user keys under /1 (member bookkeeping lives under /0). */
export const STORE_KEYS_PREFIX = '/1';

export interface ParsedKeysRequest {
  readonly request: Request;
  readonly noValueOnSuccess: boolean;
}

/** Methods whose url-encoded body Go's ParseForm reads (a DELETE or GET body is ignored). */
const FORM_BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Go's r.Form: form-body values first (they win in FormValue), then the query's. With `method`,
 * the body only counts for POST/PUT/PATCH, as in Go.
 */
export function mergeForm(query: string, body: string | undefined, method?: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const addAll = (s: string): void => {
    for (const [k, v] of new URLSearchParams(s)) {
      const list = out.get(k);
      if (list === undefined) out.set(k, [v]);
      else list.push(v);
    }
  };
  if (body !== undefined && (method === undefined || FORM_BODY_METHODS.has(method))) addAll(body);
  addAll(query);
  return out;
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function invalid(code: number, cause: string): V2Error {
  return new V2Error(code, cause, 0);
}

function getBool(form: Map<string, string[]>, name: string): boolean {
  const v = form.get(name)?.[0];
  if (v === undefined) return false;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw invalid(V2_ERROR_CODES.InvalidField, `invalid value for "${name}"`);
}

/** prevExist / refresh: etcd words their parse error without quotes. */
function getNullableBool(form: Map<string, string[]>, name: string): boolean {
  try {
    return getBool(form, name);
  } catch {
    throw invalid(V2_ERROR_CODES.InvalidField, `invalid value for ${name}`);
  }
}

function getUint(form: Map<string, string[]>, name: string, code: number): bigint {
  const v = form.get(name)?.[0];
  if (v === undefined) return 0n;
  if (!/^[0-9]+$/.test(v) || BigInt(v) > 0xffff_ffff_ffff_ffffn) throw invalid(code, `invalid value for "${name}"`);
  return BigInt(v);
}

/**
 * The store method: a quorum GET goes through raft (QGET); HEAD reads locally like GET (etcd's
 * Head, which ignores quorum). HEAD is passed as is so that HEAD with wait is the 209 etcd answers.
 */
function storeMethod(method: string, quorum: boolean): string {
  if (method === 'HEAD') return 'GET';
  return method === 'GET' && quorum ? 'QGET' : method;
}

/** `method` is the HTTP method (HEAD included); the request's Method is the store's (see storeMethod). */
export function parseKeysRequest(method: string, keyPath: string, form: Map<string, string[]>, nowMs: number): ParsedKeysRequest {
  // etcd 3.4's parseKeyRequest order: the first failing check decides the error
  const prevIndex = getUint(form, 'prevIndex', V2_ERROR_CODES.IndexNaN);
  const waitIndex = getUint(form, 'waitIndex', V2_ERROR_CODES.IndexNaN);
  const recursive = getBool(form, 'recursive');
  const sorted = getBool(form, 'sorted');
  const wait = getBool(form, 'wait');
  const dir = getBool(form, 'dir');
  const quorum = getBool(form, 'quorum');
  const stream = getBool(form, 'stream');
  if (wait && method !== 'GET') throw invalid(V2_ERROR_CODES.InvalidField, '"wait" can only be used with GET requests');
  const prevValues = form.get('prevValue');
  if (prevValues !== undefined && prevValues[0] === '') throw invalid(V2_ERROR_CODES.PrevValueRequired, '"prevValue" cannot be empty');
  const noValueOnSuccess = getBool(form, 'noValueOnSuccess');
  let ttlSeconds: bigint | undefined;
  const ttlRaw = form.get('ttl')?.[0];
  if (ttlRaw !== undefined && ttlRaw !== '') ttlSeconds = getUint(form, 'ttl', V2_ERROR_CODES.TTLNaN);
  let prevExist: boolean | undefined;
  if (form.has('prevExist')) prevExist = getNullableBool(form, 'prevExist');
  let refresh = false;
  if (form.has('refresh')) refresh = getNullableBool(form, 'refresh');
  const value = form.get('value')?.[0] ?? '';
  if (refresh) {
    if (value !== '') throw invalid(V2_ERROR_CODES.RefreshValue, 'A value was provided on a refresh');
    if (ttlSeconds === undefined) throw invalid(V2_ERROR_CODES.RefreshTTLRequired, 'No TTL value set');
  }
  const request = Request.fromPartial({
    Method: storeMethod(method, quorum),
    Path: cleanV2Path(STORE_KEYS_PREFIX + cleanV2Path(keyPath)),
    Val: value,
    Dir: dir,
    PrevValue: prevValues?.[0] ?? '',
    PrevIndex: prevIndex,
    PrevExist: prevExist,
    Recursive: recursive,
    Since: waitIndex,
    Sorted: sorted,
    Stream: stream,
    // a quorum GET is a QGET through raft: etcd answers it as a plain get and ignores wait
    Wait: wait && storeMethod(method, quorum) === 'GET',
    Quorum: quorum,
    Refresh: refresh ? true : undefined,
    Expiration: ttlSeconds === undefined ? 0n : msToUnixNano(nowMs) + ttlSeconds * 1_000_000_000n,
  });
  return { request, noValueOnSuccess };
}
