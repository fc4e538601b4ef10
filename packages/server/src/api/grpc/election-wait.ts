// Server-side helpers shared by v3election and v3lock: the key layout of Go's clientv3/concurrency
// (`<name>/<lease id in %x>`) and waitDeletes, implemented on the member's KV calls. Waiting
// re-reads the store after each applied entry (member.nextApply) instead of holding a watch.

import {
  Compare,
  Compare_CompareResult,
  Compare_CompareTarget,
  ErrRequestCancelled,
  RangeRequest,
  RangeRequest_SortOrder,
  RangeRequest_SortTarget,
  RequestOp,
  TxnRequest,
  type KeyValue,
  type ResponseHeader,
} from '@tsetcd/api';
import type { KvServer, LeaseServer, RequestContext } from '../../etcdserver/server-api';

export type ConcurrencyMember = KvServer & LeaseServer;

/** concurrency.NewSession's default TTL when the request names no lease. */
export const DEFAULT_SESSION_TTL_SECONDS = 60n;
/** Wait between store re-reads when the member offers no apply notification. */
export const POLL_FALLBACK_INTERVAL_MS = 50;

/** `<prefix><lease id as lowercase hex>` like Go's fmt "%s%x". */
export function ownKey(prefix: Buffer, lease: bigint): Buffer {
  return Buffer.concat([prefix, Buffer.from(BigInt.asUintN(64, lease) === lease ? lease.toString(16) : `-${(-lease).toString(16)}`)]);
}

/** The end of the range holding every key with `prefix` (clientv3.GetPrefixRangeEnd). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

/** A lease for a request without one: like concurrency.NewSession, grant a 60 s lease. */
export async function sessionLease(member: ConcurrencyMember, lease: bigint, ctx: RequestContext): Promise<bigint> {
  if (lease !== 0n) return lease;
  const resp = await member.leaseGrant({ ID: 0n, TTL: DEFAULT_SESSION_TTL_SECONDS }, ctx);
  return resp.ID;
}

export const createRevisionIs = (key: Buffer, rev: bigint): Compare =>
  Compare.fromPartial({ key, target: Compare_CompareTarget.CREATE, result: Compare_CompareResult.EQUAL, createRevision: rev });

export const opPut = (key: Buffer, value: Buffer, lease: bigint): RequestOp => RequestOp.fromPartial({ requestPut: { key, value, lease } });
export const opGet = (key: Buffer): RequestOp => RequestOp.fromPartial({ requestRange: { key } });
export const opDelete = (key: Buffer): RequestOp => RequestOp.fromPartial({ requestDeleteRange: { key } });
/** The oldest key under the prefix (clientv3.WithFirstCreate). */
export const opFirstCreate = (prefix: Buffer): RequestOp => RequestOp.fromPartial({ requestRange: firstCreate(prefix, false) });

export function firstCreate(prefix: Buffer, serializable: boolean): RangeRequest {
  return RangeRequest.fromPartial({
    key: prefix,
    rangeEnd: prefixEnd(prefix),
    limit: 1n,
    sortTarget: RangeRequest_SortTarget.CREATE,
    sortOrder: RangeRequest_SortOrder.ASCEND,
    serializable,
  });
}

export function txn(compare: Compare[], success: RequestOp[], failure: RequestOp[]): TxnRequest {
  return TxnRequest.fromPartial({ compare, success, failure });
}

/** Resolves after the next apply (or a short poll interval); throws once `signal` aborted. */
export async function nextChange(member: ConcurrencyMember, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw new ErrRequestCancelled();
  if (member.nextApply !== undefined) await member.nextApply(signal);
  else await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, POLL_FALLBACK_INTERVAL_MS);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
  if (signal.aborted) throw new ErrRequestCancelled();
}

/**
 * concurrency's waitDeletes: waits until no key under `prefix` has a create revision at or below
 * `maxCreateRev`; returns the header of the read that saw none.
 */
export async function waitDeletes(member: ConcurrencyMember, prefix: Buffer, maxCreateRev: bigint, ctx: RequestContext): Promise<ResponseHeader | undefined> {
  const req = RangeRequest.fromPartial({
    key: prefix,
    rangeEnd: prefixEnd(prefix),
    limit: 1n,
    sortTarget: RangeRequest_SortTarget.CREATE,
    sortOrder: RangeRequest_SortOrder.DESCEND,
    maxCreateRevision: maxCreateRev,
  });
  for (;;) {
    const resp = await member.range(req, ctx);
    const last = resp.kvs[0];
    if (last === undefined) return resp.header;
    await waitDelete(member, last, ctx);
  }
}

/** Waits until `kv` (this incarnation of its key) is gone. */
async function waitDelete(member: ConcurrencyMember, kv: KeyValue, ctx: RequestContext): Promise<void> {
  const get = RangeRequest.fromPartial({ key: kv.key, serializable: true });
  for (;;) {
    await nextChange(member, ctx.signal);
    const now = (await member.range(get, ctx)).kvs[0];
    if (now === undefined || now.createRevision !== kv.createRevision) return;
  }
}
