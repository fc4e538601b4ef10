// Options and results of KV calls.
import type { Bytes } from './bytes';
import type { CallOptions } from './caller';
import type { KeyValue, ResponseHeader } from './key-value';

export type SortTarget = 'key' | 'version' | 'create' | 'mod' | 'value';
export type SortOrder = 'none' | 'ascend' | 'descend';

/** A key, a range [key, end), every key with a prefix, or every key >= key (fromKey). */
export interface KeyRange {
  key: Bytes;
  /** Exclusive end; "\0" means every key >= key. */
  end?: Bytes;
  /** Treat key as a prefix (end = prefixEnd(key)); an empty key then means every key. */
  prefix?: boolean;
  /** Every key >= key. */
  fromKey?: boolean;
}

export interface RangeOptions extends KeyRange {
  limit?: number | bigint;
  revision?: bigint;
  sort?: { target?: SortTarget; order?: SortOrder };
  keysOnly?: boolean;
  countOnly?: boolean;
  minModRevision?: bigint;
  maxModRevision?: bigint;
  minCreateRevision?: bigint;
  maxCreateRevision?: bigint;
  /** Read the local member's state without a quorum round (may be stale). */
  serializable?: boolean;
}

export interface PutOptions {
  lease?: bigint;
  prevKv?: boolean;
  ignoreValue?: boolean;
  ignoreLease?: boolean;
}

export interface DeleteOptions {
  prevKv?: boolean;
}

export interface CompactOptions extends CallOptions {
  physical?: boolean;
}

export interface RangeResult {
  header: ResponseHeader;
  kvs: KeyValue[];
  more: boolean;
  count: bigint;
}

export interface PutResult {
  header: ResponseHeader;
  prevKv: KeyValue | undefined;
}

export interface DeleteResult {
  header: ResponseHeader;
  deleted: bigint;
  prevKvs: KeyValue[];
}

export type OpResult =
  | ({ kind: 'range' } & RangeResult)
  | ({ kind: 'put' } & PutResult)
  | ({ kind: 'delete' } & DeleteResult)
  | ({ kind: 'txn' } & TxnResult);

export interface TxnResult {
  header: ResponseHeader;
  succeeded: boolean;
  responses: OpResult[];
}

export interface CompactResult {
  header: ResponseHeader;
}
