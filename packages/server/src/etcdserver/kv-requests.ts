// The member's view of mvcc's request-level operations: pre-proposal checks, local reads, and
// the apply-side calls (responses carry only the revision in their header; the member fills
// cluster, member and term).

import type {
  CompactionRequest,
  CompactionResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  TxnRequest,
  TxnResponse,
} from '@tsetcd/api';
import {
  applyCompaction as mvccCompaction,
  applyDeleteRange as mvccDeleteRange,
  applyPut as mvccPut,
  applyRange,
  applyTxn as mvccTxn,
  checkDeleteRequest,
  checkPutRequest,
  checkRangeRequest,
  checkTxnRequest,
  isTxnReadonly,
  isTxnSerializable,
} from '../mvcc';
import type { KvStore } from '../mvcc/kv-store';
import { assert } from './assert';

export { checkPutRequest, checkRangeRequest, checkTxnRequest, isTxnSerializable };
export const checkDeleteRangeRequest = checkDeleteRequest;
export const isTxnReadOnly = isTxnReadonly;

export interface CompactionResult {
  readonly response: CompactionResponse;
  /** Resolves when the compaction is physically done in the backend. */
  readonly physical: Promise<void> | undefined;
}

/** A serializable range at the current state. */
export function rangeLocal(kv: KvStore, req: RangeRequest): RangeResponse {
  return applyRange(kv, req);
}

/** A txn whose branches only hold ranges, served without raft. */
export function txnReadOnlyLocal(kv: KvStore, req: TxnRequest): TxnResponse {
  assert(isTxnReadonly(req), 'only read-only txns are served locally');
  return mvccTxn(kv, req).response;
}

export function applyPut(kv: KvStore, req: PutRequest): PutResponse {
  return mvccPut(kv, req).response;
}

export function applyDeleteRange(kv: KvStore, req: DeleteRangeRequest): DeleteRangeResponse {
  return mvccDeleteRange(kv, req).response;
}

export function applyTxn(kv: KvStore, req: TxnRequest): TxnResponse {
  return mvccTxn(kv, req).response;
}

/** `physical` is only set when the request asked to wait for the physical compaction. */
export function applyCompaction(kv: KvStore, req: CompactionRequest): CompactionResult {
  const r = mvccCompaction(kv, req);
  r.done.catch(() => undefined); // failures surface to a physical waiter; nobody else awaits it
  return { response: r.response, physical: req.physical ? r.done : undefined };
}
