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
 * the body only counts for POST/PUT/PATCH, as in Go. Both are parsed like Go's url.ParseQuery
 * (see parseGoQuery): a malformed one is etcd's 210 Invalid POST form, the body's error first.
 */
export function mergeForm(query: string, body: string | undefined, method?: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let firstError: string | undefined;
  const addAll = (s: string): void => {
    const err = parseGoQuery(s, out);
    firstError ??= err;
  };
  if (body !== undefined && (method === undefined || FORM_BODY_METHODS.has(method))) addAll(body);
  addAll(query);
  if (firstError !== undefined) throw invalid(V2_ERROR_CODES.InvalidForm, firstError);
  return out;
}

/**
 * Go's url.ParseQuery into `into`: pairs split on `&`, a pair holding `;` is refused, `+` is a
 * space, `%` must start two hex digits. Bad pairs are skipped; the error text is Go's (the last
 * semicolon error, else the first escape error), undefined when the query is clean.
 */
export function parseGoQuery(query: string, into: Map<string, string[]>): string | undefined {
  let err: string | undefined;
  for (const pair of query.split('&')) {
    if (pair.includes(';')) {
      err = 'invalid semicolon separator in query';
      continue;
    }
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = goQueryUnescape(eq < 0 ? pair : pair.slice(0, eq));
    const value = goQueryUnescape(eq < 0 ? '' : pair.slice(eq + 1));
    if (typeof key !== 'string' || typeof value !== 'string') {
      err ??= (typeof key !== 'string' ? key : (value as { error: string })).error;
      continue;
    }
    const list = into.get(key);
    if (list === undefined) into.set(key, [value]);
    else list.push(value);
  }
  return err;
}

/**
 * Go's URL path unescaping for the key part of /v2/keys/<key>: `%XX` is a byte (bytes read as
 * UTF-8, so an invalid byte is U+FFFD as etcd's JSON shows it), `+` stays `+`. Undefined for a
 * bad escape, which Go's server answers with a plain-text `400 Bad Request` before any handler.
 */
export function unescapeKeysPath(rawPath: string): string | undefined {
  const out = goUnescape(rawPath, false);
  return typeof out === 'string' ? out : undefined;
}

/** Go's QueryUnescape: `+` is a space, `%XX` a byte (the bytes are read as UTF-8). */
function goQueryUnescape(s: string): string | { error: string } {
  return goUnescape(s, true);
}

function goUnescape(s: string, plusIsSpace: boolean): string | { error: string } {
  if (!s.includes('%') && (!plusIsSpace || !s.includes('+'))) return s;
  const parts: Buffer[] = [];
  let run = '';
  const flush = (): void => {
    if (run !== '') parts.push(Buffer.from(run, 'utf8'));
    run = '';
  };
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return { error: `invalid URL escape "${s.slice(i, i + 3)}"` };
      flush();
      parts.push(Buffer.from([parseInt(hex, 16)]));
      i += 2;
    } else {
      run += plusIsSpace && ch === '+' ? ' ' : ch;
    }
  }
  flush();
  return Buffer.concat(parts).toString('utf8');
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
