// Range with etcd's exact semantics: limit+1 fetch for `more`, filters after the fetch (count is
// not reduced), sort (non-KEY target defaults to ascending), truncation, keys_only.

import { RangeRequest_SortOrder as SortOrder, RangeRequest_SortTarget as SortTarget, type RangeRequest, type RangeResponse } from '@tsetcd/api';
import type { KvReader } from '../kv-store';
import { EMPTY_BYTES, type KeyValue } from '../types';
import { mkGteRange, revisionHeader } from './common';

function cmpBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sorterFor(target: SortTarget): (a: KeyValue, b: KeyValue) => number {
  switch (target) {
    case SortTarget.VERSION:
      return (a, b) => cmpBigint(a.version, b.version);
    case SortTarget.CREATE:
      return (a, b) => cmpBigint(a.createRevision, b.createRevision);
    case SortTarget.MOD:
      return (a, b) => cmpBigint(a.modRevision, b.modRevision);
    case SortTarget.VALUE:
      return (a, b) => Buffer.compare(a.value, b.value);
    default:
      return (a, b) => Buffer.compare(a.key, b.key);
  }
}

export function rangeOp(view: KvReader, r: RangeRequest): RangeResponse {
  let limit = r.limit;
  if (
    r.sortOrder !== SortOrder.NONE ||
    r.minModRevision !== 0n ||
    r.maxModRevision !== 0n ||
    r.minCreateRevision !== 0n ||
    r.maxCreateRevision !== 0n
  ) {
    limit = 0n; // fetch everything; filter, sort and truncate afterwards
  }
  if (limit > 0n) limit += 1n; // one extra for `more`
  const rr = view.range(r.key, mkGteRange(r.rangeEnd), {
    limit: limit > 0n ? Number(limit) : 0,
    rev: r.revision,
    count: r.countOnly,
  });
  let kvs = rr.kvs;
  if (r.maxModRevision !== 0n) kvs = kvs.filter((kv) => !(kv.modRevision > r.maxModRevision));
  if (r.minModRevision !== 0n) kvs = kvs.filter((kv) => !(kv.modRevision < r.minModRevision));
  if (r.maxCreateRevision !== 0n) kvs = kvs.filter((kv) => !(kv.createRevision > r.maxCreateRevision));
  if (r.minCreateRevision !== 0n) kvs = kvs.filter((kv) => !(kv.createRevision < r.minCreateRevision));

  let sortOrder = r.sortOrder;
  if (r.sortTarget !== SortTarget.KEY && sortOrder === SortOrder.NONE) sortOrder = SortOrder.ASCEND;
  if (sortOrder === SortOrder.ASCEND || sortOrder === SortOrder.DESCEND) {
    const cmp = sorterFor(r.sortTarget);
    // stable: equal elements keep key order in both directions, as Go's sort does for small inputs
    kvs = sortOrder === SortOrder.ASCEND ? kvs.sort(cmp) : kvs.sort((a, b) => cmp(b, a));
  }

  let more = false;
  if (r.limit > 0n && kvs.length > Number(r.limit)) {
    kvs = kvs.slice(0, Number(r.limit));
    more = true;
  }
  if (r.keysOnly) for (const kv of kvs) kv.value = EMPTY_BYTES;
  return { header: revisionHeader(rr.rev), kvs, more, count: BigInt(rr.count) };
}
