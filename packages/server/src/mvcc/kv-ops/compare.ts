// Txn compares: the target field of every key in the range against the operand (0 / empty when
// the oneof holds another kind). Missing keys: VALUE is false, other targets see a zero kv.

import { Compare_CompareResult as Result, Compare_CompareTarget as Target, type Compare } from '@tsetcd/api';
import type { KvReader } from '../kv-store';
import { EMPTY_BYTES, emptyKeyValue, type KeyValue } from '../types';
import { mkGteRange } from './common';

function cmpBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareKV(c: Compare, kv: KeyValue): boolean {
  let result: number;
  switch (c.target) {
    case Target.VALUE:
      result = Buffer.compare(kv.value, c.value ?? EMPTY_BYTES);
      break;
    case Target.CREATE:
      result = cmpBigint(kv.createRevision, c.createRevision ?? 0n);
      break;
    case Target.MOD:
      result = cmpBigint(kv.modRevision, c.modRevision ?? 0n);
      break;
    case Target.VERSION:
      result = cmpBigint(kv.version, c.version ?? 0n);
      break;
    case Target.LEASE:
      result = cmpBigint(kv.lease, c.lease ?? 0n);
      break;
    default:
      result = 0;
  }
  switch (c.result) {
    case Result.EQUAL:
      return result === 0;
    case Result.NOT_EQUAL:
      return result !== 0;
    case Result.GREATER:
      return result > 0;
    case Result.LESS:
      return result < 0;
    default:
      return true;
  }
}

export function applyCompare(view: KvReader, c: Compare): boolean {
  let kvs: KeyValue[];
  try {
    kvs = view.range(c.key, mkGteRange(c.rangeEnd), {}).kvs;
  } catch {
    return false;
  }
  if (kvs.length === 0) {
    if (c.target === Target.VALUE) return false;
    return compareKV(c, emptyKeyValue());
  }
  return kvs.every((kv) => compareKV(c, kv));
}

export function applyCompares(view: KvReader, cmps: readonly Compare[]): boolean {
  return cmps.every((c) => applyCompare(view, c));
}
