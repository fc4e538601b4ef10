// The checks the KV service runs BEFORE proposing (etcd's v3rpc/key.go): empty keys, ignore_*
// misuse, txn size against max-txn-ops, and duplicate keys inside a txn branch.

import {
  ErrDuplicateKey,
  ErrEmptyKey,
  ErrKeyNotFound,
  ErrLeaseProvided,
  ErrTooManyOps,
  ErrValueProvided,
  type DeleteRangeRequest,
  type PutRequest,
  type RangeRequest,
  type RequestOp,
  type TxnRequest,
} from '@tsetcd/api';

/** etcd's --max-txn-ops default. */
export const DEFAULT_MAX_TXN_OPS = 128;

export function checkRangeRequest(r: RangeRequest): void {
  if (r.key.length === 0) throw new ErrEmptyKey();
}

export function checkPutRequest(r: PutRequest): void {
  if (r.key.length === 0) throw new ErrEmptyKey();
  if (r.ignoreValue && r.value.length !== 0) throw new ErrValueProvided();
  if (r.ignoreLease && r.lease !== 0n) throw new ErrLeaseProvided();
}

export function checkDeleteRequest(r: DeleteRangeRequest): void {
  if (r.key.length === 0) throw new ErrEmptyKey();
}

function checkRequestOp(op: RequestOp, maxTxnOps: number): void {
  if (op.requestRange !== undefined) return checkRangeRequest(op.requestRange);
  if (op.requestPut !== undefined) return checkPutRequest(op.requestPut);
  if (op.requestDeleteRange !== undefined) return checkDeleteRequest(op.requestDeleteRange);
  if (op.requestTxn !== undefined) return checkTxnOps(op.requestTxn, maxTxnOps);
  throw new ErrKeyNotFound();
}

function checkTxnOps(r: TxnRequest, maxTxnOps: number): void {
  const opc = Math.max(r.compare.length, r.success.length, r.failure.length);
  if (opc > maxTxnOps) throw new ErrTooManyOps();
  for (const c of r.compare) if (c.key.length === 0) throw new ErrEmptyKey();
  for (const op of r.success) checkRequestOp(op, maxTxnOps - opc);
  for (const op of r.failure) checkRequestOp(op, maxTxnOps - opc);
}

// ---- duplicate keys: puts against puts and against delete intervals, etcd's affine intervals ----

/** Byte-string compare where the empty string stands for +infinity (etcd's StringAffineComparable). */
function affineCompare(a: Buffer, b: Buffer): number {
  if (a.length === 0) return b.length === 0 ? 0 : 1;
  if (b.length === 0) return -1;
  return Buffer.compare(a, b);
}

interface Interval {
  begin: Buffer;
  end: Buffer;
}

const ZERO_BYTE = Buffer.from([0]);

function pointInterval(k: Buffer): Interval {
  return { begin: k, end: Buffer.concat([k, ZERO_BYTE]) };
}

/** Whether point `k` overlaps `iv` by etcd's Interval.Compare (== 0 means overlapping). */
function pointIntersects(k: Buffer, iv: Interval): boolean {
  const p = pointInterval(k);
  if (affineCompare(p.begin, iv.begin) < 0 && affineCompare(p.end, iv.begin) <= 0) return false; // left of
  if (affineCompare(p.begin, iv.end) >= 0) return false; // right of
  return true;
}

function intersectsAny(k: Buffer, dels: readonly Interval[]): boolean {
  return dels.some((iv) => pointIntersects(k, iv));
}

function checkIntervals(reqs: readonly RequestOp[]): { puts: Map<string, Buffer>; dels: Interval[] } {
  const dels: Interval[] = [];
  for (const op of reqs) {
    const d = op.requestDeleteRange;
    if (d === undefined) continue;
    dels.push(d.rangeEnd.length !== 0 ? { begin: d.key, end: d.rangeEnd } : pointInterval(d.key));
  }
  const puts = new Map<string, Buffer>();
  for (const op of reqs) {
    const t = op.requestTxn;
    if (t === undefined) continue;
    const thenSide = checkIntervals(t.success);
    const elseSide = checkIntervals(t.failure);
    for (const [id, k] of thenSide.puts) {
      if (puts.has(id) || intersectsAny(k, dels)) throw new ErrDuplicateKey();
      puts.set(id, k);
    }
    for (const [id, k] of elseSide.puts) {
      if (puts.has(id) && !thenSide.puts.has(id)) throw new ErrDuplicateKey();
      if (intersectsAny(k, dels)) throw new ErrDuplicateKey();
      puts.set(id, k);
    }
    dels.push(...thenSide.dels, ...elseSide.dels);
  }
  for (const op of reqs) {
    const p = op.requestPut;
    if (p === undefined) continue;
    const id = p.key.toString('latin1');
    if (puts.has(id) || intersectsAny(p.key, dels)) throw new ErrDuplicateKey();
    puts.set(id, p.key);
  }
  return { puts, dels };
}

/** All of etcd's pre-proposal Txn checks, in its order. */
export function checkTxnRequest(r: TxnRequest, maxTxnOps: number = DEFAULT_MAX_TXN_OPS): void {
  checkTxnOps(r, maxTxnOps);
  checkIntervals(r.success);
  checkIntervals(r.failure);
}
