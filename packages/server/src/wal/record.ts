// WAL record framing: how a record sits in a segment file.
//
// Every frame starts at a multiple of 16 bytes, so its 16-byte header never straddles a 512-byte
// sector: a torn write leaves a header either whole or zero.
//
//   offset size  field (little-endian)
//   0      4     payloadBytes   length of the payload (excluding header and padding)
//   4      1     type           1 metadata, 2 entry, 3 state, 4 crc, 5 snapshot (etcd's numbering)
//   5      3     reserved       zero
//   8      4     crc            rolling crc32c: crc32c(crc of the previous record, payload);
//                               for a crc record: the rolling crc carried in from the previous segment
//   12     4     headerCrc      crc32c(0, bytes 0..11) — a flipped length/type byte is corruption,
//                               never mistaken for a torn tail
//   16     n     payload
//   16+n   pad   zeros up to the next multiple of 16
//
// A header of 16 zero bytes marks the end of the written log (the rest of a preallocated segment).
//
// Payloads (u64 = two u32 LE, low word first; numbers asserted to be safe non-negative integers):
//   metadata  the caller's opaque bytes
//   entry     u8 raft EntryType | u64 term | u64 index | data (rest of payload)
//   state     u64 term | u64 vote (bigint member id) | u64 commit         (a raft HardState)
//   crc       empty (the value is in the header's crc field)
//   snapshot  u64 index | u64 term                                          (walpb.Snapshot)
//
// Each segment starts with a crc record (the chain value carried over), then metadata, then either
// the initial snapshot record (first segment) or the latest HardState (segments made by a cut).

import { crc32c } from '../pkg/crc32c';
import { EntryType, type Entry, type HardState } from '../raft/types';
import { WalCorruptError } from './errors';

export enum RecordType {
  Metadata = 1,
  Entry = 2,
  State = 3,
  Crc = 4,
  Snapshot = 5,
}

export const RECORD_HEADER_BYTES = 16;
export const RECORD_ALIGN_BYTES = 16;
/** Torn-write detection granularity (etcd's minSectorSize). */
export const SECTOR_BYTES = 512;
export const ENTRY_HEADER_BYTES = 17;
export const STATE_PAYLOAD_BYTES = 24;
export const SNAPSHOT_PAYLOAD_BYTES = 16;
/** A single record may not exceed this (guards against absurd lengths; etcd caps at 10 MB frames by default, we allow more). */
export const RECORD_PAYLOAD_BYTES_MAX = 1 << 30;

/** A writer buffer grown beyond this by a large Ready is dropped after the write. */
export const WRITER_BUFFER_KEEP_BYTES_MAX = 8 * 1024 * 1024;
const TWO_32 = 0x1_0000_0000;
const U64_MAX = (1n << 64n) - 1n;

/** { index, term } of a raft snapshot as the WAL records it (etcd walpb.Snapshot). */
export interface WalSnapshot {
  readonly index: number;
  readonly term: number;
}

export function frameBytes(payloadBytes: number): number {
  return (RECORD_HEADER_BYTES + payloadBytes + RECORD_ALIGN_BYTES - 1) & ~(RECORD_ALIGN_BYTES - 1);
}

function checkU64Number(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`wal: ${what} ${n} is not a safe non-negative integer`);
}

function putU64(buf: Buffer, at: number, n: number): void {
  buf.writeUInt32LE(n % TWO_32, at);
  buf.writeUInt32LE(Math.floor(n / TWO_32), at + 4);
}

function getU64(buf: Buffer, at: number): number {
  const lo = buf.readUInt32LE(at);
  const hi = buf.readUInt32LE(at + 4);
  // 2^53 / 2^32 = 2^21: anything larger cannot be a JS-safe index or term.
  if (hi >= 0x20_0000) return -1;
  return hi * TWO_32 + lo;
}

/**
 * Builds the frames of one save into a single reusable buffer, carrying the rolling crc.
 * `commit()` adopts the crc once the bytes are durable; `discard()` drops a failed batch.
 */
export class RecordWriter {
  private buf: Buffer;
  private len = 0;
  private pendingCrc: number;

  constructor(
    private committedCrc: number,
    private readonly initialBytes = 64 * 1024,
  ) {
    this.buf = Buffer.alloc(initialBytes);
    this.pendingCrc = committedCrc;
  }

  get crc(): number {
    return this.committedCrc;
  }

  get length(): number {
    return this.len;
  }

  bytes(): Buffer {
    return this.buf;
  }

  commit(): void {
    this.committedCrc = this.pendingCrc;
    this.len = 0;
    // Do not pin the memory of one exceptionally large Ready forever.
    if (this.buf.length > WRITER_BUFFER_KEEP_BYTES_MAX) this.buf = Buffer.alloc(this.initialBytes);
  }

  discard(): void {
    this.pendingCrc = this.committedCrc;
    this.len = 0;
  }

  /** Restart the chain (a new segment begins with a crc record of this value). */
  resetCrc(crc: number): void {
    if (this.len !== 0) throw new Error('wal: resetCrc with a batch pending');
    this.committedCrc = crc;
    this.pendingCrc = crc;
  }

  private reserve(payloadBytes: number): number {
    if (payloadBytes > RECORD_PAYLOAD_BYTES_MAX) throw new RangeError(`wal: record of ${payloadBytes} bytes is too large`);
    const need = this.len + frameBytes(payloadBytes);
    if (need > this.buf.length) {
      const grown = Buffer.alloc(Math.max(need, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    const at = this.len;
    this.len = need;
    return at;
  }

  /** Write the header for a payload already placed at at+16, and zero the padding. */
  private seal(at: number, type: RecordType, payloadBytes: number, crcOverride?: number): void {
    const buf = this.buf;
    const payloadStart = at + RECORD_HEADER_BYTES;
    const payloadEnd = payloadStart + payloadBytes;
    let crc: number;
    if (crcOverride === undefined) {
      crc = crc32c(this.pendingCrc, buf, payloadStart, payloadEnd);
      this.pendingCrc = crc;
    } else {
      crc = crcOverride;
    }
    buf.writeUInt32LE(payloadBytes, at);
    buf[at + 4] = type;
    buf[at + 5] = 0;
    buf[at + 6] = 0;
    buf[at + 7] = 0;
    buf.writeUInt32LE(crc, at + 8);
    buf.writeUInt32LE(crc32c(0, buf, at, at + 12), at + 12);
    const frameEnd = at + frameBytes(payloadBytes);
    if (payloadEnd < frameEnd) buf.fill(0, payloadEnd, frameEnd);
  }

  appendCrc(prevCrc: number): void {
    const at = this.reserve(0);
    this.seal(at, RecordType.Crc, 0, prevCrc >>> 0);
    this.pendingCrc = prevCrc >>> 0;
  }

  appendMetadata(metadata: Uint8Array): void {
    const at = this.reserve(metadata.length);
    this.buf.set(metadata, at + RECORD_HEADER_BYTES);
    this.seal(at, RecordType.Metadata, metadata.length);
  }

  appendEntry(e: Entry): void {
    checkU64Number(e.term, 'entry term');
    checkU64Number(e.index, 'entry index');
    if (e.type !== EntryType.Normal && e.type !== EntryType.ConfChange) throw new RangeError(`wal: bad entry type ${e.type}`);
    const payloadBytes = ENTRY_HEADER_BYTES + e.data.length;
    const at = this.reserve(payloadBytes);
    const p = at + RECORD_HEADER_BYTES;
    this.buf[p] = e.type;
    putU64(this.buf, p + 1, e.term);
    putU64(this.buf, p + 9, e.index);
    this.buf.set(e.data, p + ENTRY_HEADER_BYTES);
    this.seal(at, RecordType.Entry, payloadBytes);
  }

  appendState(hs: HardState): void {
    checkU64Number(hs.term, 'hard state term');
    checkU64Number(hs.commit, 'hard state commit');
    if (hs.vote < 0n || hs.vote > U64_MAX) throw new RangeError(`wal: vote ${hs.vote} is not a uint64`);
    const at = this.reserve(STATE_PAYLOAD_BYTES);
    const p = at + RECORD_HEADER_BYTES;
    putU64(this.buf, p, hs.term);
    this.buf.writeBigUInt64LE(hs.vote, p + 8);
    putU64(this.buf, p + 16, hs.commit);
    this.seal(at, RecordType.State, STATE_PAYLOAD_BYTES);
  }

  appendSnapshot(s: WalSnapshot): void {
    checkU64Number(s.index, 'snapshot index');
    checkU64Number(s.term, 'snapshot term');
    const at = this.reserve(SNAPSHOT_PAYLOAD_BYTES);
    const p = at + RECORD_HEADER_BYTES;
    putU64(this.buf, p, s.index);
    putU64(this.buf, p + 8, s.term);
    this.seal(at, RecordType.Snapshot, SNAPSHOT_PAYLOAD_BYTES);
  }
}

/**
 * A payload that fails its crc in the live segment is a torn write when a sector of it never
 * reached the disk, or when it ends in zeros and nothing was ever written after it.
 */
function looksTorn(buf: Buffer, payloadStart: number, payloadEnd: number, frameEnd: number): boolean {
  if (hasZeroSector(buf, payloadStart, payloadEnd)) return true;
  return payloadEnd > payloadStart && buf[payloadEnd - 1] === 0 && isZero(buf, Math.min(frameEnd, buf.length), buf.length);
}

// ---- decoding -----------------------------------------------------------------------------------

export type DecodedRecord =
  | { readonly type: RecordType.Metadata; readonly metadata: Uint8Array }
  | { readonly type: RecordType.Entry; readonly entry: Entry }
  | { readonly type: RecordType.State; readonly state: HardState }
  | { readonly type: RecordType.Crc; readonly crc: number }
  | { readonly type: RecordType.Snapshot; readonly snapshot: WalSnapshot };

export interface SegmentScan {
  /** Offset just past the last valid record (where appending continues). */
  readonly validEnd: number;
  /** The rolling crc after the last valid record. */
  readonly crc: number;
  /** True when a torn record (or stray bytes) followed validEnd and must be cut off. */
  readonly torn: boolean;
}

const ZEROS = Buffer.alloc(64 * 1024);

function isZero(buf: Buffer, start: number, end: number): boolean {
  if (end - start <= 32) {
    for (let i = start; i < end; i++) if (buf[i] !== 0) return false;
    return true;
  }
  for (let at = start; at < end; at += ZEROS.length) {
    const n = Math.min(ZEROS.length, end - at);
    if (buf.compare(ZEROS, 0, n, at, at + n) !== 0) return false;
  }
  return true;
}

/**
 * etcd's isTornEntry: a payload whose part inside some sector is all zeros was only partly
 * written (that sector never reached the disk). Padding is left out: it is zero anyway.
 */
function hasZeroSector(buf: Buffer, payloadStart: number, payloadEnd: number): boolean {
  let chunkStart = payloadStart;
  while (chunkStart < payloadEnd) {
    const sectorEnd = (Math.floor(chunkStart / SECTOR_BYTES) + 1) * SECTOR_BYTES;
    const chunkEnd = Math.min(sectorEnd, payloadEnd);
    if (isZero(buf, chunkStart, chunkEnd)) return true;
    chunkStart = chunkEnd;
  }
  return false;
}

function decodePayload(type: RecordType, buf: Buffer, p: number, n: number, crc: number): DecodedRecord | string {
  switch (type) {
    case RecordType.Metadata:
      return { type, metadata: new Uint8Array(buf.subarray(p, p + n)) };
    case RecordType.Crc:
      return n === 0 ? { type, crc } : 'crc record with a payload';
    case RecordType.Entry: {
      if (n < ENTRY_HEADER_BYTES) return 'short entry record';
      const entryType = buf[p]!;
      if (entryType !== EntryType.Normal && entryType !== EntryType.ConfChange) return `bad entry type ${entryType}`;
      const term = getU64(buf, p + 1);
      const index = getU64(buf, p + 9);
      if (term < 0 || index < 0) return 'entry term/index beyond 2^53';
      const data = new Uint8Array(buf.subarray(p + ENTRY_HEADER_BYTES, p + n)); // a copy: never pin the segment
      return { type, entry: { term, index, type: entryType as EntryType, data } };
    }
    case RecordType.State: {
      if (n !== STATE_PAYLOAD_BYTES) return 'bad state record length';
      const term = getU64(buf, p);
      const commit = getU64(buf, p + 16);
      if (term < 0 || commit < 0) return 'state term/commit beyond 2^53';
      return { type, state: { term, vote: buf.readBigUInt64LE(p + 8), commit } };
    }
    case RecordType.Snapshot: {
      if (n !== SNAPSHOT_PAYLOAD_BYTES) return 'bad snapshot record length';
      const index = getU64(buf, p);
      const term = getU64(buf, p + 8);
      if (index < 0 || term < 0) return 'snapshot index/term beyond 2^53';
      return { type, snapshot: { index, term } };
    }
    default:
      return `unknown record type ${type as number}`;
  }
}

/**
 * Walk the records of one segment held in `buf`, checking header crc, rolling crc and payload.
 * `inCrc` is the rolling crc carried from the previous segment (undefined for the first segment
 * read: its crc record is then trusted, like etcd's fresh decoder).
 * In the last segment (`isLast`) a torn frame ends the scan (`torn: true`); anywhere else, and for
 * any damage that a partial write cannot produce, a WalCorruptError names the file and offset.
 */
export function scanSegment(
  buf: Buffer,
  file: string,
  isLast: boolean,
  inCrc: number | undefined,
  visit: (rec: DecodedRecord, offset: number) => void,
): SegmentScan {
  let off = 0;
  let crc = inCrc ?? 0;
  let first = true;
  const size = buf.length;
  const corrupt = (at: number, reason: string): never => {
    throw new WalCorruptError(file, at, reason);
  };
  while (off < size) {
    if (off + RECORD_HEADER_BYTES > size) {
      if (isLast) return { validEnd: off, crc, torn: true };
      return corrupt(off, 'truncated record header');
    }
    if (isZero(buf, off, off + RECORD_HEADER_BYTES)) {
      // End of the written part. Only the live (last) segment may carry preallocated zeros.
      if (isLast) return { validEnd: off, crc, torn: !isZero(buf, off, size) };
      return corrupt(off, 'zeroed record header before the end of a closed segment');
    }
    if (buf.readUInt32LE(off + 12) !== crc32c(0, buf, off, off + 12)) corrupt(off, 'header checksum mismatch');
    const payloadBytes = buf.readUInt32LE(off);
    const type = buf[off + 4] as RecordType;
    const storedCrc = buf.readUInt32LE(off + 8);
    if (payloadBytes > RECORD_PAYLOAD_BYTES_MAX) corrupt(off, `record length ${payloadBytes} too large`);
    const p = off + RECORD_HEADER_BYTES;
    const frameEnd = off + frameBytes(payloadBytes);
    if (p + payloadBytes > size) {
      if (isLast) return { validEnd: off, crc, torn: true };
      return corrupt(off, 'record runs past the end of the segment');
    }
    let nextCrc: number;
    if (type === RecordType.Crc) {
      if (inCrc !== undefined || !first) {
        if (storedCrc !== crc) corrupt(off, `crc chain mismatch (carried ${storedCrc}, computed ${crc})`);
      }
      nextCrc = storedCrc;
    } else {
      nextCrc = crc32c(crc, buf, p, p + payloadBytes);
      if (nextCrc !== storedCrc) {
        if (isLast && looksTorn(buf, p, p + payloadBytes, frameEnd)) return { validEnd: off, crc, torn: true };
        corrupt(off, 'record checksum mismatch');
      }
    }
    const rec = decodePayload(type, buf, p, payloadBytes, storedCrc);
    if (typeof rec === 'string') return corrupt(off, rec);
    visit(rec, off);
    crc = nextCrc;
    first = false;
    off = Math.min(frameEnd, size);
  }
  return { validEnd: off, crc, torn: false };
}
