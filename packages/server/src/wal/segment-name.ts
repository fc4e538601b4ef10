// Segment file names, as etcd: `%016x-%016x.wal` = (sequence, index of the first entry the segment
// may hold). Sequences are contiguous from the first surviving segment.

import { WalFileNotFoundError, WalSequenceError } from './errors';

export const WAL_SUFFIX = '.wal';
const NAME_PATTERN = /^([0-9a-f]{16})-([0-9a-f]{16})\.wal$/;

export interface SegmentName {
  readonly name: string;
  readonly seq: number;
  readonly index: number;
}

function hex16(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`wal: bad segment number ${n}`);
  return n.toString(16).padStart(16, '0');
}

export function segmentFileName(seq: number, index: number): string {
  return `${hex16(seq)}-${hex16(index)}${WAL_SUFFIX}`;
}

export function parseSegmentName(name: string): SegmentName | undefined {
  const m = NAME_PATTERN.exec(name);
  if (!m) return undefined;
  const seq = Number.parseInt(m[1]!, 16);
  const index = Number.parseInt(m[2]!, 16);
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(index)) return undefined;
  return { name, seq, index };
}

/** The well-formed segment names among `names`, sorted by sequence (= name order). */
export function segmentNames(names: readonly string[]): SegmentName[] {
  const out: SegmentName[] = [];
  for (const n of names) {
    const parsed = parseSegmentName(n);
    if (parsed) out.push(parsed);
  }
  out.sort((a, b) => a.seq - b.seq);
  return out;
}

export function assertContiguous(segs: readonly SegmentName[]): void {
  for (let i = 1; i < segs.length; i++) {
    const prev = segs[i - 1]!;
    const cur = segs[i]!;
    // Only the sequence must be contiguous (etcd isValidSeq). Start indexes may go down: a new
    // leader can overwrite uncommitted entries of an earlier segment, and the cut after that names
    // the next segment after the overwritten (lower) index.
    if (cur.seq !== prev.seq + 1) throw new WalSequenceError(`segment ${cur.name} does not follow ${prev.name}`);
  }
}

/** Position of the last segment whose first index is <= `index` (the one that may hold it). */
export function searchIndex(segs: readonly SegmentName[], index: number): number {
  for (let i = segs.length - 1; i >= 0; i--) {
    if (segs[i]!.index <= index) return i;
  }
  throw new WalFileNotFoundError(`no segment may hold index ${index}`);
}
