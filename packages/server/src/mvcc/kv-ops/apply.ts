// The store-level entry points the apply loop (and the local read path) calls: each runs one
// request in its own write txn (joining the caller's backend batch) and returns the response
// (header with only the revision set) and the events it produced.

import type {
  CompactionRequest,
  DeleteRangeRequest,
  DeleteRangeResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  TxnRequest,
  TxnResponse,
} from '@tsetcd/api';
import type { KvStore } from '../kv-store';
import type { Event } from '../types';
import type { TxnView } from './common';
import { compactOp, type CompactApplied } from './compact';
import { deleteRangeOp } from './delete-range';
import { putOp } from './put';
import { rangeOp } from './range';
import { isTxnReadonly, txnOp } from './txn';

export interface Applied<R> {
  response: R;
  events: Event[];
}

/** Range at the current state (serializable read; the member does ReadIndex first if needed). */
export function applyRange(store: KvStore, req: RangeRequest): RangeResponse {
  return rangeOp(store, req);
}

export function applyPut(store: KvStore, req: PutRequest): Applied<PutResponse> {
  const r = store.write((txn) => putOp(txn, req, store.leaseChecker(), true));
  return { response: r.value, events: r.events };
}

export function applyDeleteRange(store: KvStore, req: DeleteRangeRequest): Applied<DeleteRangeResponse> {
  const r = store.write((txn) => deleteRangeOp(txn, req));
  return { response: r.value, events: r.events };
}

function readOnlyView(store: KvStore): TxnView {
  const refuse = (): never => {
    throw new Error('mvcc: write in a read-only txn');
  };
  return {
    rev: () => store.rev(),
    firstRev: () => store.firstRev(),
    range: (key, end, ro) => store.range(key, end, ro),
    put: refuse,
    deleteRange: refuse,
  };
}

/** A txn; a read-only one runs without a write transaction (no backend batch). */
export function applyTxn(store: KvStore, req: TxnRequest): Applied<TxnResponse> {
  if (isTxnReadonly(req)) return { response: txnOp(readOnlyView(store), req, store.leaseChecker()), events: [] };
  const r = store.write((txn) => txnOp(txn, req, store.leaseChecker()));
  return { response: r.value, events: r.events };
}

/** Compaction; `done` resolves when it is physically finished (for `physical: true`). */
export function applyCompaction(store: KvStore, req: CompactionRequest): CompactApplied {
  return compactOp(store, req);
}
