// /v2/members (etcd's v2http membersHandler) on top of the v3 Cluster methods: list, leader, add
// (POST), remove (DELETE /<hexid>) and update (PUT /<hexid>), with etcd 3.4's status codes, JSON
// error bodies ({"message":...}) and member JSON ({"id":hex,"name","peerURLs","clientURLs"};
// learners are listed like voters, as etcd 3.4's v2 API does).

import { ErrMemberExist, ErrMemberNotFound, ErrPeerURLExist, type Member } from '@tsetcd/api';
import type { ClusterServer, RequestContext } from '../../etcdserver/server-api';
import { goHttpError, methodNotAllowed, NOT_FOUND } from '../http/responses';
import type { HttpHandler, HttpRequest, HttpResponse } from '../http/types';

export const MEMBERS_PREFIX = '/v2/members';
/** etcd's v2 handler timeout (ReqTimeout: 5 s + 2 x the default 1 s election timeout). */
export const MEMBERS_REQUEST_TIMEOUT_MS = 7_000;
const MEMBERS_ALLOWED_METHODS = ['GET', 'POST', 'DELETE', 'PUT'];

/** What the members handler needs from the member. */
export interface V2MembersBackend extends ClusterServer {
  /** The current leader's id, 0n while there is none. */
  leaderId(): bigint;
  clusterIdHex(): string;
  /** True for an id removed from the cluster (DELETE answers 410 instead of 404). Optional. */
  isRemoved?(id: bigint): boolean;
  /**
   * etcd's v2auth detectAuth before a POST/PUT/DELETE: a local v2 GET of /2/auth/enabled, which
   * fails while v2 auth is off (so /v2/stats/store counts one more getsFail, as in etcd). Optional.
   */
  detectV2Auth?(): void;
  /** v2 auth (H9): etcd's hasWriteRootAccess (GET open; other methods need a root user once auth is on). */
  hasWriteRootAccess?(req: HttpRequest): Promise<boolean>;
}

// ---- Go's encoding ------------------------------------------------------------------------------------

/** A string as Go's encoding/json writes it (HTML-safe escapes, \u0008 and \u000c spelled out). */
export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]|\\[bf]/g, (c) => {
    switch (c) {
      case '\\b':
        return '\\u0008';
      case '\\f':
        return '\\u000c';
      default:
        return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
}

function goJsonStrings(list: readonly string[]): string {
  return `[${list.map(goJsonString).join(',')}]`;
}

/** httptypes.Member's JSON. */
export function memberJson(m: Member): string {
  return (
    `{"id":"${BigInt.asUintN(64, m.ID).toString(16)}","name":${goJsonString(m.name)}` +
    `,"peerURLs":${goJsonStrings(m.peerURLs)},"clientURLs":${goJsonStrings(m.clientURLs)}}`
  );
}

/** etcd's httptypes.HTTPError: `{"message":...}` (no newline), application/json. */
export function v2HttpError(status: number, message: string, clusterIdHex?: string): HttpResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json', ...(clusterIdHex === undefined ? {} : { 'X-Etcd-Cluster-Id': clusterIdHex }) },
    body: `{"message":${goJsonString(message)}}`,
  };
}

// ---- request parsing ----------------------------------------------------------------------------------

class BadRequest extends Error {}

/** Go's net.SplitHostPort, as far as types.NewURLs needs it (does `host` have a port?). */
function hasHostPort(host: string): boolean {
  if (host.startsWith('[')) return /^\[[^\]]*\]:[^:]*$/.test(host);
  return host.split(':').length === 2;
}

/** etcd's types.NewURLs: each URL checked as Go's url.Parse sees it; the result sorted. */
export function parsePeerUrls(input: readonly string[]): string[] {
  if (input.length === 0) throw new BadRequest('no valid URLs given');
  const out: string[] = [];
  for (const raw of input) {
    const u = raw.trim();
    const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(u);
    const scheme = schemeMatch?.[1]?.toLowerCase() ?? '';
    if (!['http', 'https', 'unix', 'unixs'].includes(scheme)) {
      throw new BadRequest(`URL scheme must be http, https, unix, or unixs: ${u}`);
    }
    const rest = u.slice(scheme.length + 1).replace(/#.*$/, '');
    const beforeQuery = rest.replace(/\?.*$/, '');
    let host = '';
    let path = beforeQuery;
    if (beforeQuery.startsWith('//')) {
      const slash = beforeQuery.indexOf('/', 2);
      const authority = slash < 0 ? beforeQuery.slice(2) : beforeQuery.slice(2, slash);
      path = slash < 0 ? '' : beforeQuery.slice(slash);
      host = authority.slice(authority.lastIndexOf('@') + 1);
      const port = /:([^:\]]*)$/.exec(host)?.[1];
      if (port !== undefined && !/^\d*$/.test(port)) throw new BadRequest(`parse "${u}": invalid port ":${port}" after host`);
    }
    if (!hasHostPort(host)) throw new BadRequest(`URL address does not have the form "host:port": ${u}`);
    if (path !== '') throw new BadRequest(`URL must not contain a path: ${u}`);
    out.push(u);
  }
  return out.sort();
}

/** Go's json.Unmarshal into struct{ PeerURLs []string `json:"peerURLs"` } (keys match case-insensitively). */
export function parseMemberRequestBody(body: string): string[] {
  const trimmed = body.trim();
  if (trimmed === '') throw new BadRequest('unexpected end of JSON input');
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    const first = trimmed[0] ?? '';
    if (!/[{["\-0-9tfn]/.test(first)) throw new BadRequest(`invalid character '${first}' looking for beginning of value`);
    throw new BadRequest('unexpected end of JSON input');
  }
  if (value === null) return [];
  if (typeof value !== 'object') {
    throw new BadRequest(`json: cannot unmarshal ${goJsonKind(value)} into Go value of type struct { PeerURLs []string "json:\\"peerURLs\\"" }`);
  }
  if (Array.isArray(value)) {
    throw new BadRequest('json: cannot unmarshal array into Go value of type struct { PeerURLs []string "json:\\"peerURLs\\"" }');
  }
  let urls: unknown;
  for (const [k, v] of Object.entries(value)) if (k.toLowerCase() === 'peerurls') urls = v;
  if (urls === undefined || urls === null) return [];
  if (!Array.isArray(urls)) {
    throw new BadRequest(`json: cannot unmarshal ${goJsonKind(urls)} into Go struct field .peerURLs of type []string`);
  }
  return urls.map((u: unknown) => {
    if (typeof u !== 'string') throw new BadRequest(`json: cannot unmarshal ${goJsonKind(u)} into Go struct field .peerURLs of type string`);
    return u;
  });
}

function goJsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'object' && v !== null) return 'object';
  return 'string';
}

/** Go's strconv.ParseUint(s, 16, 64). */
function parseHexId(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F]+$/.test(s)) return undefined;
  const id = BigInt(`0x${s}`);
  return id < 1n << 64n ? id : undefined;
}

function trimMembersPrefix(path: string): string {
  const rest = path.slice(MEMBERS_PREFIX.length);
  return rest.startsWith('/') ? rest.slice(1) : rest;
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

// ---- handler --------------------------------------------------------------------------------------------

export function membersHandler(backend: V2MembersBackend): HttpHandler {
  return async (req: HttpRequest): Promise<HttpResponse> => {
    const path = decodePath(req.path);
    if (path !== MEMBERS_PREFIX && !path.startsWith(`${MEMBERS_PREFIX}/`)) return NOT_FOUND;
    if (!MEMBERS_ALLOWED_METHODS.includes(req.method)) return methodNotAllowed(MEMBERS_ALLOWED_METHODS.join(','));
    // v2 auth (H9): member writes need root access once v2 auth is on (etcd's hasWriteRootAccess).
    if (backend.hasWriteRootAccess !== undefined) {
      if (!(await backend.hasWriteRootAccess(req))) return v2HttpError(401, 'Insufficient credentials');
    } else if (req.method !== 'GET') backend.detectV2Auth?.();
    const clusterId = backend.clusterIdHex();
    const ctx: RequestContext = { signal: AbortSignal.timeout(MEMBERS_REQUEST_TIMEOUT_MS) };
    const sub = trimMembersPrefix(path);
    const internalError = (): HttpResponse => v2HttpError(500, 'Internal Server Error', clusterId);
    const ok = (status: number, body: string): HttpResponse => ({
      status,
      headers: { 'Content-Type': 'application/json', 'X-Etcd-Cluster-Id': clusterId },
      body: `${body}\n`,
    });
    const noContent: HttpResponse = { status: 204, headers: { 'X-Etcd-Cluster-Id': clusterId } };

    // DELETE and PUT name a member: none -> 405 (Go's http.Error, no Allow), not hex -> 404.
    let id = 0n;
    if (req.method === 'DELETE' || req.method === 'PUT') {
      if (sub === '') return goHttpError(405, 'Method Not Allowed', { 'X-Etcd-Cluster-Id': clusterId });
      const parsed = parseHexId(sub);
      if (parsed === undefined) return v2HttpError(404, `No such member: ${sub}`, clusterId);
      id = parsed;
    }
    const idText = id.toString(16);

    // POST and PUT carry {"peerURLs":[...]} as application/json.
    let peerUrls: string[] = [];
    if (req.method === 'POST' || req.method === 'PUT') {
      const header = req.headers['content-type'];
      let ctype = (Array.isArray(header) ? header[0] : header) ?? '';
      const semicolon = ctype.indexOf(';');
      if (semicolon >= 0) ctype = ctype.slice(0, semicolon).trim().toLowerCase();
      if (ctype !== 'application/json') {
        return v2HttpError(415, `Bad Content-Type ${ctype}, accept application/json`, clusterId);
      }
      try {
        peerUrls = parsePeerUrls(parseMemberRequestBody((await req.readBody()).toString('utf8')));
      } catch (err) {
        return v2HttpError(400, err instanceof Error ? err.message : String(err), clusterId);
      }
    }

    try {
      switch (req.method) {
        case 'GET': {
          if (sub === '') {
            const { members } = await backend.memberList(ctx);
            return ok(200, `{"members":[${members.map(memberJson).join(',')}]}`);
          }
          if (sub !== 'leader') return v2HttpError(404, 'Not found', clusterId);
          const leader = backend.leaderId();
          const member = leader === 0n ? undefined : (await backend.memberList(ctx)).members.find((m) => m.ID === leader);
          if (member === undefined) return v2HttpError(503, 'During election', clusterId);
          return ok(200, memberJson(member));
        }
        case 'POST': {
          if (backend.memberAdd === undefined) return v2HttpError(501, 'tsetcd: adding members is not implemented', clusterId);
          const res = await backend.memberAdd({ peerURLs: peerUrls, isLearner: false }, ctx);
          if (res.member === undefined) return internalError();
          return ok(201, memberJson(res.member));
        }
        case 'DELETE': {
          if (backend.memberRemove === undefined) return v2HttpError(501, 'tsetcd: removing members is not implemented', clusterId);
          await backend.memberRemove({ ID: id }, ctx);
          return noContent;
        }
        case 'PUT': {
          if (backend.memberUpdate === undefined) return v2HttpError(501, 'tsetcd: updating members is not implemented', clusterId);
          await backend.memberUpdate({ ID: id, peerURLs: peerUrls }, ctx);
          return noContent;
        }
        default:
          return internalError();
      }
    } catch (err) {
      // etcd's membership errors as its v2 handler names them; anything else is a 500.
      if (err instanceof ErrMemberExist && req.method === 'POST') return v2HttpError(409, 'membership: ID exists', clusterId);
      if (err instanceof ErrPeerURLExist && req.method !== 'DELETE') return v2HttpError(409, 'membership: peerURL exists', clusterId);
      if (err instanceof ErrMemberNotFound && req.method !== 'POST') {
        // An update of a removed member is not one of the cases etcd names: a 500, as there.
        if (backend.isRemoved?.(id) === true) {
          return req.method === 'DELETE' ? v2HttpError(410, `Member permanently removed: ${idText}`, clusterId) : internalError();
        }
        return v2HttpError(404, `No such member: ${idText}`, clusterId);
      }
      return internalError();
    }
  };
}
