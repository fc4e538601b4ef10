// Helpers shared by the request-level operations.

import type { ResponseHeader } from '@tsetcd/api';
import type { KvReader } from '../kv-store';
import { EMPTY_BYTES } from '../types';

/**
 * Request range_end -> store range end: empty = single key (undefined), "\x00" = every key >= key
 * (empty end), anything else as given (etcd's mkGteRange).
 */
export function mkGteRange(rangeEnd: Buffer | undefined): Buffer | undefined {
  if (rangeEnd === undefined || rangeEnd.length === 0) return undefined;
  if (rangeEnd.length === 1 && rangeEnd[0] === 0) return EMPTY_BYTES;
  return rangeEnd;
}

/** A header with only the revision set; the member fills cluster/member id and raft term. */
export function revisionHeader(revision: bigint): ResponseHeader {
  return { clusterId: 0n, memberId: 0n, revision, raftTerm: 0n };
}

/** What a txn op runs against: a read view that can also write (a WriteTxn). */
export interface TxnView extends KvReader {
  put(key: Buffer, value: Buffer, lease: bigint): bigint;
  deleteRange(key: Buffer, end: Buffer | undefined): number;
}
