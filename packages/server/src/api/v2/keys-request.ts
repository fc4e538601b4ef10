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

/** Go's r.Form: form-body values first (they win in FormValue), then the query's. */
export function mergeForm(query: string, body: string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const addAll = (s: string): void => {
    for (const [k, v] of new URLSearchParams(s)) {
      const list = out.get(k);
      if (list === undefined) out.set(k, [v]);
      else list.push(v);
    }
  };
  if (body !== undefined) addAll(body);
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

function getUint(form: Map<string, string[]>, name: string, code: number): bigint {
  const v = form.get(name)?.[0];
  if (v === undefined) return 0n;
  if (!/^[0-9]+$/.test(v) || BigInt(v) > 0xffff_ffff_ffff_ffffn) throw invalid(code, `invalid value for "${name}"`);
  return BigInt(v);
}

export function parseKeysRequest(method: string, keyPath: string, form: Map<string, string[]>, nowMs: number): ParsedKeysRequest {
  const prevIndex = getUint(form, 'prevIndex', V2_ERROR_CODES.IndexNaN);
  const waitIndex = getUint(form, 'waitIndex', V2_ERROR_CODES.IndexNaN);
  const recursive = getBool(form, 'recursive');
  const sorted = getBool(form, 'sorted');
  const wait = getBool(form, 'wait');
  if (wait && method !== 'GET') throw invalid(V2_ERROR_CODES.InvalidField, '"wait" can only be used with GET requests');
  const stream = getBool(form, 'stream');
  const dir = getBool(form, 'dir');
  const quorum = getBool(form, 'quorum');
  const refresh = getBool(form, 'refresh');
  const noValueOnSuccess = getBool(form, 'noValueOnSuccess');
  const prevValues = form.get('prevValue');
  if (prevValues !== undefined && prevValues[0] === '') throw invalid(V2_ERROR_CODES.PrevValueRequired, '"prevValue" cannot be empty');
  let ttlSeconds: bigint | undefined;
  const ttlRaw = form.get('ttl')?.[0];
  if (ttlRaw !== undefined && ttlRaw !== '') ttlSeconds = getUint(form, 'ttl', V2_ERROR_CODES.TTLNaN);
  let prevExist: boolean | undefined;
  if (form.has('prevExist')) {
    try {
      prevExist = getBool(form, 'prevExist');
    } catch {
      throw invalid(V2_ERROR_CODES.InvalidField, 'invalid value for prevExist');
    }
  }
  const value = form.get('value')?.[0] ?? '';
  if (refresh) {
    if (ttlSeconds === undefined) throw invalid(V2_ERROR_CODES.RefreshTTLRequired, 'No TTL value set');
    if (value !== '') throw invalid(V2_ERROR_CODES.RefreshValue, 'A value was provided on a refresh');
  }
  const request = Request.fromPartial({
    Method: method === 'GET' && quorum ? 'QGET' : method,
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
    Wait: wait,
    Quorum: quorum,
    Refresh: refresh ? true : undefined,
    Expiration: ttlSeconds === undefined ? 0n : msToUnixNano(nowMs) + ttlSeconds * 1_000_000_000n,
  });
  return { request, noValueOnSuccess };
}
