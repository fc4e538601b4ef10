// The peer listener's lease routes (etcd's leasehttp handler): a follower POSTs LeaseKeepAlive
// to /leases and LeaseTimeToLive (wrapped in LeaseInternalRequest) to /leases/internal on the
// member it believes is the primary lessor. The member hands its transport the target that serves.

import type * as http from 'node:http';
import {
  LeaseKeepAliveRequest,
  LeaseKeepAliveResponse,
  LeaseTimeToLiveRequest,
  LeaseTimeToLiveResponse,
} from '@tsetcd/api';

/** etcd's leasehttp.LeasePrefix. */
export const LEASE_PATH = '/leases';
/** etcd's leasehttp.LeaseInternalPrefix. */
export const LEASE_INTERNAL_PATH = '/leases/internal';
/** Bodies of lease requests are a few bytes; anything larger is refused. */
export const LEASE_REQUEST_MAX_BYTES = 64 * 1024;
export const LEASE_CONTENT_TYPE = 'application/protobuf';
/** The body a member that is not the primary lessor answers with (HTTP 400, like etcd). */
export const NOT_PRIMARY_TEXT = 'not a primary lessor';
/** etcd's lease.ErrLeaseNotFound text (HTTP 404). */
export const LEASE_NOT_FOUND_TEXT = 'lease not found';

/** The local answer of a primary lessor; `undefined` TTL means the lease does not exist. */
export interface LeaseRouteTarget {
  /** Renews on this member if it is the primary; throws ErrNotPrimaryLocal otherwise. */
  renewLocal(id: bigint, signal: AbortSignal): Promise<bigint | undefined>;
  timeToLiveLocal(req: LeaseTimeToLiveRequest, signal: AbortSignal): Promise<LeaseTimeToLiveResponse | undefined>;
}

/** Thrown by a LeaseRouteTarget that does not lead. */
export class ErrNotPrimaryLocal extends Error {
  constructor() {
    super(NOT_PRIMARY_TEXT);
  }
}

/** True for the paths this module serves. */
export function isLeasePath(path: string): boolean {
  return path === LEASE_PATH || path === LEASE_INTERNAL_PATH;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > LEASE_REQUEST_MAX_BYTES) {
        reject(new Error('lease request too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function answer(res: http.ServerResponse, status: number, body: Uint8Array | string): void {
  if (res.headersSent || res.writableEnded) return;
  res.statusCode = status;
  res.setHeader('Content-Type', typeof body === 'string' ? 'text/plain; charset=utf-8' : LEASE_CONTENT_TYPE);
  res.end(typeof body === 'string' ? `${body}\n` : body);
}

/** Protobuf field 1 (length delimited) wrapping `inner`: LeaseInternalRequest/Response. */
export function wrapField1(inner: Uint8Array): Uint8Array {
  const len: number[] = [];
  let n = inner.length;
  while (n >= 0x80) {
    len.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  len.push(n);
  const out = new Uint8Array(1 + len.length + inner.length);
  out[0] = 0x0a;
  out.set(len, 1);
  out.set(inner, 1 + len.length);
  return out;
}

/** The bytes of field 1 of a LeaseInternalRequest/Response (empty when absent). */
export function unwrapField1(buf: Uint8Array): Uint8Array {
  let pos = 0;
  let found: Uint8Array = new Uint8Array(0);
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      if (pos >= buf.length) throw new Error('truncated varint');
      const b = buf[pos++]!;
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
      shift += 7;
      if (shift > 63) throw new Error('varint too long');
    }
  };
  while (pos < buf.length) {
    const key = varint();
    const wire = key & 7;
    if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const len = varint();
      if (pos + len > buf.length) throw new Error('truncated field');
      if (key >>> 3 === 1) found = buf.subarray(pos, pos + len);
      pos += len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return found;
}

/** Serves POST /leases and /leases/internal for member `selfId`. */
export function serveLeaseRoute(target: LeaseRouteTarget | undefined, path: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  void serve(target, path, req, res).catch((err: unknown) => answer(res, 500, String(err)));
}

async function serve(target: LeaseRouteTarget | undefined, path: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch {
    answer(res, 400, 'error reading request body');
    return;
  }
  if (target === undefined) {
    answer(res, 400, NOT_PRIMARY_TEXT);
    return;
  }
  const gone = new AbortController();
  res.on('close', () => gone.abort());
  try {
    if (path === LEASE_PATH) {
      let id: bigint;
      try {
        id = LeaseKeepAliveRequest.decode(body).ID;
      } catch {
        answer(res, 400, 'error unmarshalling request');
        return;
      }
      const ttl = await target.renewLocal(id, gone.signal);
      if (ttl === undefined) answer(res, 404, LEASE_NOT_FOUND_TEXT);
      else answer(res, 200, LeaseKeepAliveResponse.encode({ header: undefined, ID: id, TTL: ttl }).finish());
      return;
    }
    let ttlReq: LeaseTimeToLiveRequest;
    try {
      ttlReq = LeaseTimeToLiveRequest.decode(unwrapField1(body));
    } catch {
      answer(res, 400, 'error unmarshalling request');
      return;
    }
    const resp = await target.timeToLiveLocal(ttlReq, gone.signal);
    if (resp === undefined) answer(res, 404, LEASE_NOT_FOUND_TEXT);
    else answer(res, 200, wrapField1(LeaseTimeToLiveResponse.encode(resp).finish()));
  } catch (err) {
    answer(res, 400, err instanceof ErrNotPrimaryLocal ? NOT_PRIMARY_TEXT : String((err as Error).message ?? err));
  }
}
