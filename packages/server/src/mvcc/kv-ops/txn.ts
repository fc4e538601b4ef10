// Txn: every compare (nested ones included) is evaluated up front against the state before the
// txn; the chosen branches are checked (lease / ignore_* key / range revisions) before anything
// is written, so an error aborts the whole txn; then the ops run in order in one write txn.

import {
  ErrCompacted,
  ErrFutureRev,
  ErrKeyNotFound,
  ErrLeaseNotFound,
  type RequestOp,
  type ResponseOp,
  type TxnRequest,
  type TxnResponse,
} from '@tsetcd/api';
import type { KvReader } from '../kv-store';
import { NO_LEASE, type LeaseChecker } from '../types';
import { revisionHeader, type TxnView } from './common';
import { applyCompares } from './compare';
import { deleteRangeOp } from './delete-range';
import { putOp } from './put';
import { rangeOp } from './range';

/** True if no branch holds anything but ranges (such a txn is served without raft). */
export function isTxnReadonly(r: TxnRequest): boolean {
  const onlyRanges = (ops: readonly RequestOp[]): boolean => ops.every((op) => op.requestRange !== undefined);
  return onlyRanges(r.success) && onlyRanges(r.failure);
}

/** True if the txn is read-only and every range in it is serializable. */
export function isTxnSerializable(r: TxnRequest): boolean {
  const ser = (ops: readonly RequestOp[]): boolean => ops.every((op) => op.requestRange?.serializable === true);
  return ser(r.success) && ser(r.failure);
}

/** The branch taken by this txn and by every nested txn in it, in depth-first order. */
function compareToPath(view: KvReader, rt: TxnRequest): boolean[] {
  const path = [applyCompares(view, rt.compare)];
  for (const op of path[0] ? rt.success : rt.failure) {
    if (op.requestTxn !== undefined) path.push(...compareToPath(view, op.requestTxn));
  }
  return path;
}

type CheckFn = (op: RequestOp) => void;

/** Visits the ops of the chosen branches; returns how many nested txns it consumed from `path`. */
function checkRequests(rt: TxnRequest, path: boolean[], at: number, check: CheckFn): number {
  let used = 0;
  for (const op of path[at] ? rt.success : rt.failure) {
    if (op.requestTxn !== undefined) {
      used += checkRequests(op.requestTxn, path, at + 1 + used, check) + 1;
      continue;
    }
    check(op);
  }
  return used;
}

function checkPut(view: KvReader, leases: LeaseChecker): CheckFn {
  return (op) => {
    const p = op.requestPut;
    if (p === undefined) return;
    if (p.ignoreValue || p.ignoreLease) {
      if (view.range(p.key, undefined, {}).kvs.length === 0) throw new ErrKeyNotFound();
    }
    if (p.lease !== NO_LEASE && !leases.has(p.lease)) throw new ErrLeaseNotFound();
  };
}

function checkRange(view: KvReader): CheckFn {
  return (op) => {
    const r = op.requestRange;
    if (r === undefined || r.revision === 0n) return;
    if (r.revision > view.rev()) throw new ErrFutureRev();
    if (r.revision < view.firstRev()) throw new ErrCompacted();
  };
}

function runOps(view: TxnView, rt: TxnRequest, path: boolean[], at: number, leases: LeaseChecker): [TxnResponse, number] {
  const succeeded = path[at]!;
  const responses: ResponseOp[] = [];
  let used = 0;
  for (const op of succeeded ? rt.success : rt.failure) {
    if (op.requestRange !== undefined) {
      responses.push({ responseRange: rangeOp(view, op.requestRange) });
    } else if (op.requestPut !== undefined) {
      responses.push({ responsePut: putOp(view, op.requestPut, leases, false) });
    } else if (op.requestDeleteRange !== undefined) {
      responses.push({ responseDeleteRange: deleteRangeOp(view, op.requestDeleteRange) });
    } else if (op.requestTxn !== undefined) {
      const [resp, nested] = runOps(view, op.requestTxn, path, at + 1 + used, leases);
      responses.push({ responseTxn: resp });
      used += nested + 1;
    } else {
      responses.push({});
    }
  }
  // nested txn responses carry an empty header; the outer one gets its revision from the caller
  return [{ header: revisionHeader(0n), succeeded, responses }, used];
}

/**
 * Runs a txn against `view` (a WriteTxn, or a read view for a read-only txn). Throws, before any
 * write, if a chosen put has an unknown lease or ignore_* on a missing key, or a chosen range
 * reads a future / compacted revision.
 */
export function txnOp(view: TxnView, rt: TxnRequest, leases: LeaseChecker): TxnResponse {
  const path = compareToPath(view, rt);
  if (!isTxnReadonly(rt)) checkRequests(rt, path, 0, checkPut(view, leases));
  checkRequests(rt, path, 0, checkRange(view));
  const [resp] = runOps(view, rt, path, 0, leases);
  resp.header = revisionHeader(view.rev());
  return resp;
}
