// Encoding of one raft snapshot file (`%016x-%016x.snap`, term-index). Our own layout, checked
// end to end by a crc32c like etcd's snappb.Snapshot{crc, data}:
//
//   offset size  field (little-endian)
//   0      4     magic "TSNP"
//   4      4     crc32c of every byte after this field
//   8      1     format version (1)
//   9      8     metadata.term    (u64 as two u32 words, low first)
//   17     8     metadata.index
//   25     4     voter count V, then V x u64 member ids
//   ..     4     learner count L, then L x u64 member ids
//   ..     8     data length D, then D bytes of application state

import { crc32c } from '../pkg/crc32c';
import type { Snapshot } from '../raft/types';

export const SNAP_MAGIC = 0x504e5354; // "TSNP" read as u32 LE
export const SNAP_FORMAT_VERSION = 1;
export const SNAP_SUFFIX = '.snap';
const TWO_32 = 0x1_0000_0000;
const NAME_PATTERN = /^([0-9a-f]{16})-([0-9a-f]{16})\.snap$/;

export class SnapCorruptError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`snap: ${file} is corrupt: ${reason}`);
    this.name = 'SnapCorruptError';
  }
}

function hex16(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`snap: bad term/index ${n}`);
  return n.toString(16).padStart(16, '0');
}

export function snapFileName(term: number, index: number): string {
  return `${hex16(term)}-${hex16(index)}${SNAP_SUFFIX}`;
}

export function parseSnapFileName(name: string): { term: number; index: number } | undefined {
  const m = NAME_PATTERN.exec(name);
  if (!m) return undefined;
  const term = Number.parseInt(m[1]!, 16);
  const index = Number.parseInt(m[2]!, 16);
  if (!Number.isSafeInteger(term) || !Number.isSafeInteger(index)) return undefined;
  return { term, index };
}

function putU64(buf: Buffer, at: number, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`snap: ${n} is not a safe non-negative integer`);
  buf.writeUInt32LE(n % TWO_32, at);
  buf.writeUInt32LE(Math.floor(n / TWO_32), at + 4);
}

export function encodeSnapshot(snap: Snapshot): Buffer {
  const { voters, learners } = snap.metadata.confState;
  const size = 8 + 1 + 16 + 4 + voters.length * 8 + 4 + learners.length * 8 + 8 + snap.data.length;
  const buf = Buffer.alloc(size);
  buf.writeUInt32LE(SNAP_MAGIC, 0);
  let at = 8;
  buf[at++] = SNAP_FORMAT_VERSION;
  putU64(buf, at, snap.metadata.term);
  putU64(buf, at + 8, snap.metadata.index);
  at += 16;
  for (const ids of [voters, learners]) {
    buf.writeUInt32LE(ids.length, at);
    at += 4;
    for (const id of ids) {
      buf.writeBigUInt64LE(id, at);
      at += 8;
    }
  }
  putU64(buf, at, snap.data.length);
  at += 8;
  buf.set(snap.data, at);
  if (at + snap.data.length !== size) throw new Error('snap: encoded size mismatch');
  buf.writeUInt32LE(crc32c(0, buf, 8, size), 4);
  return buf;
}

export function decodeSnapshot(buf: Buffer, file: string): Snapshot {
  const fail = (reason: string): never => {
    throw new SnapCorruptError(file, reason);
  };
  if (buf.length < 8 + 1 + 16 + 4 + 4 + 8) fail(`only ${buf.length} bytes`);
  if (buf.readUInt32LE(0) !== SNAP_MAGIC) fail('bad magic');
  if (buf.readUInt32LE(4) !== crc32c(0, buf, 8, buf.length)) fail('crc mismatch');
  let at = 8;
  if (buf[at++] !== SNAP_FORMAT_VERSION) fail(`unknown format version ${buf[at - 1]}`);
  const u64 = (): number => {
    if (at + 8 > buf.length) fail('truncated');
    const v = buf.readUInt32LE(at + 4) * TWO_32 + buf.readUInt32LE(at);
    if (!Number.isSafeInteger(v)) fail('number beyond 2^53');
    at += 8;
    return v;
  };
  const term = u64();
  const index = u64();
  const idList = (): bigint[] => {
    if (at + 4 > buf.length) fail('truncated');
    const n = buf.readUInt32LE(at);
    at += 4;
    if (at + n * 8 > buf.length) fail('truncated id list');
    const ids: bigint[] = [];
    for (let i = 0; i < n; i++, at += 8) ids.push(buf.readBigUInt64LE(at));
    return ids;
  };
  const voters = idList();
  const learners = idList();
  const dataLength = u64();
  if (at + dataLength !== buf.length) fail('data length does not match the file size');
  const data = new Uint8Array(buf.subarray(at, at + dataLength));
  return { data, metadata: { term, index, confState: { voters, learners } } };
}
