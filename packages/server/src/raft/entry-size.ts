// Sizes of entries as etcd measures them: the protobuf-encoded size of raftpb.Entry
// (Term=2, Index=3, Type=1, Data=4; all non-nullable varints plus length-delimited data).
import type { Entry } from './types';

function varintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  let size = 4;
  let v = Math.floor(n / 0x10000000);
  while (v > 0) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

/** Encoded size of one entry (what MaxSizePerMsg and MaxCommittedSizePerReady count). */
export function entrySizeBytes(e: Entry): number {
  return 1 + varintSize(e.term) + 1 + varintSize(e.index) + 1 + varintSize(e.type) + 1 + varintSize(e.data.length) + e.data.length;
}

/** Only the payload (what MaxUncommittedEntriesSize counts). */
export function payloadSizeBytes(e: Entry): number {
  return e.data.length;
}

export function payloadsSizeBytes(ents: readonly Entry[]): number {
  let s = 0;
  for (const e of ents) s += e.data.length;
  return s;
}

/** The longest prefix of `ents` whose size is <= maxSizeBytes, but at least one entry. */
export function limitSize<T extends Entry>(ents: T[], maxSizeBytes: number): T[] {
  if (ents.length === 0) return ents;
  let size = entrySizeBytes(ents[0]!);
  let limit = 1;
  for (; limit < ents.length; limit++) {
    size += entrySizeBytes(ents[limit]!);
    if (size > maxSizeBytes) break;
  }
  return limit === ents.length ? ents : ents.slice(0, limit);
}
