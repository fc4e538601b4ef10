// A direct raftpb.Message encoder/decoder for the peer stream's hot path: sizes the message, then
// writes varints and bytes straight into the frame (no intermediate wire objects, no BigInt for
// term/index, no nested-writer fork/join), and reads it back the same way with entry data as
// zero-copy views into the frame. Same bytes meaning as raftpb (raft.proto field numbers; zero
// fields omitted as proto3 does); messages with a snapshot are left to the generated codec.

import type { Entry, Message } from '../raft/types';

const EMPTY = new Uint8Array(0);

function varintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  let size = 4;
  let v = Math.floor(n / 0x10000000);
  while (v > 0) {
    size++;
    v = Math.floor(v / 128);
  }
  return size;
}

function bigVarintSize(v: bigint): number {
  const hi = Number(v >> 32n);
  if (hi === 0) return varintSize(Number(v & 0xffffffffn));
  return Math.ceil((64 - Math.clz32(hi)) / 7);
}

/** Writes a non-negative safe integer as a varint; returns the new offset. */
function writeVarint(buf: Uint8Array, off: number, n: number): number {
  while (n >= 0x80) {
    buf[off++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[off++] = n;
  return off;
}

function writeBigVarint(buf: Uint8Array, off: number, v: bigint): number {
  let lo = Number(v & 0xffffffffn);
  let hi = Number(v >> 32n);
  if (hi === 0) return writeVarint(buf, off, lo);
  // 64-bit: emit 7 bits at a time from the (hi, lo) pair.
  while (hi > 0 || lo >= 0x80) {
    buf[off++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0;
    hi = hi >>> 7;
  }
  buf[off++] = lo;
  return off;
}

function checkNumber(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`raft wire: ${what} ${n} is not a non-negative safe integer`);
}

function entrySize(e: Entry): number {
  let n = 0;
  if (e.type !== 0) n += 1 + varintSize(e.type);
  if (e.term !== 0) n += 1 + varintSize(e.term);
  if (e.index !== 0) n += 1 + varintSize(e.index);
  if (e.data.length > 0) n += 1 + varintSize(e.data.length) + e.data.length;
  return n;
}

/** Encoded size of `m` (which must carry no snapshot). */
export function fastMessageSize(m: Message): number {
  checkNumber(m.term, 'term');
  checkNumber(m.logTerm, 'logTerm');
  checkNumber(m.index, 'index');
  checkNumber(m.commit, 'commit');
  checkNumber(m.rejectHint, 'rejectHint');
  let n = 0;
  if (m.type !== 0) n += 1 + varintSize(m.type);
  if (m.to !== 0n) n += 1 + bigVarintSize(m.to);
  if (m.from !== 0n) n += 1 + bigVarintSize(m.from);
  if (m.term !== 0) n += 1 + varintSize(m.term);
  if (m.logTerm !== 0) n += 1 + varintSize(m.logTerm);
  if (m.index !== 0) n += 1 + varintSize(m.index);
  for (const e of m.entries) {
    checkNumber(e.term, 'entry term');
    checkNumber(e.index, 'entry index');
    const es = entrySize(e);
    n += 1 + varintSize(es) + es;
  }
  if (m.commit !== 0) n += 1 + varintSize(m.commit);
  if (m.reject) n += 2;
  if (m.rejectHint !== 0) n += 1 + varintSize(m.rejectHint);
  if (m.context.length > 0) n += 1 + varintSize(m.context.length) + m.context.length;
  return n;
}

/** Writes `m` at `off` (exactly fastMessageSize(m) bytes); returns the offset after it. */
export function fastEncodeInto(m: Message, buf: Uint8Array, off: number): number {
  if (m.type !== 0) off = writeVarint(buf, (buf[off] = 0x08, off + 1), m.type);
  if (m.to !== 0n) off = writeBigVarint(buf, (buf[off] = 0x10, off + 1), m.to);
  if (m.from !== 0n) off = writeBigVarint(buf, (buf[off] = 0x18, off + 1), m.from);
  if (m.term !== 0) off = writeVarint(buf, (buf[off] = 0x20, off + 1), m.term);
  if (m.logTerm !== 0) off = writeVarint(buf, (buf[off] = 0x28, off + 1), m.logTerm);
  if (m.index !== 0) off = writeVarint(buf, (buf[off] = 0x30, off + 1), m.index);
  for (const e of m.entries) {
    off = writeVarint(buf, (buf[off] = 0x3a, off + 1), entrySize(e));
    if (e.type !== 0) off = writeVarint(buf, (buf[off] = 0x08, off + 1), e.type);
    if (e.term !== 0) off = writeVarint(buf, (buf[off] = 0x10, off + 1), e.term);
    if (e.index !== 0) off = writeVarint(buf, (buf[off] = 0x18, off + 1), e.index);
    if (e.data.length > 0) {
      off = writeVarint(buf, (buf[off] = 0x22, off + 1), e.data.length);
      buf.set(e.data, off);
      off += e.data.length;
    }
  }
  if (m.commit !== 0) off = writeVarint(buf, (buf[off] = 0x40, off + 1), m.commit);
  if (m.reject) {
    buf[off++] = 0x50;
    buf[off++] = 1;
  }
  if (m.rejectHint !== 0) off = writeVarint(buf, (buf[off] = 0x58, off + 1), m.rejectHint);
  if (m.context.length > 0) {
    off = writeVarint(buf, (buf[off] = 0x62, off + 1), m.context.length);
    buf.set(m.context, off);
    off += m.context.length;
  }
  return off;
}

/** Reads protobuf fields from one message's bytes. */
class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /** A varint as a number; refuses values past 2^53 - 1 (term, index, type...). */
  uint(what: string): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error('raft wire: truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 128;
      if (mul > 2 ** 63) throw new Error('raft wire: varint too long');
    }
    if (!Number.isSafeInteger(result)) throw new RangeError(`raft wire: ${what} is not a safe integer`);
    return result;
  }

  /** A 64-bit varint as a bigint (member ids). */
  uint64(): bigint {
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new Error('raft wire: truncated varint');
      const b = this.buf[this.pos++]!;
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >>> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      if (b < 0x80) break;
      shift += 7;
      if (shift > 63) throw new Error('raft wire: varint too long');
    }
    return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  }

  bytes(): Uint8Array {
    const len = this.uint('length');
    const start = this.pos;
    if (start + len > this.end) throw new Error('raft wire: truncated bytes field');
    this.pos = start + len;
    return len === 0 ? EMPTY : this.buf.subarray(start, start + len);
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.uint64();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2: {
        const len = this.uint('length');
        this.pos += len;
        break;
      }
      case 5:
        this.pos += 4;
        break;
      default:
        throw new Error(`raft wire: unsupported wire type ${wireType}`);
    }
    if (this.pos > this.end) throw new Error('raft wire: truncated field');
  }
}

function readEntry(r: Reader, end: number): Entry {
  if (end > r.end) throw new Error('raft wire: truncated entry');
  const sub = new Reader(r.buf, r.pos, end);
  let type = 0;
  let term = 0;
  let index = 0;
  let data: Uint8Array = EMPTY;
  while (sub.pos < end) {
    const tag = sub.uint('tag');
    switch (tag) {
      case 0x08:
        type = sub.uint('entry type');
        break;
      case 0x10:
        term = sub.uint('entry term');
        break;
      case 0x18:
        index = sub.uint('entry index');
        break;
      case 0x22:
        data = sub.bytes();
        break;
      default:
        sub.skip(tag & 7);
    }
  }
  r.pos = end;
  return { type, term, index, data };
}

/**
 * Decodes one raftpb.Message without a snapshot field from buf[start, end). Returns undefined
 * when the message carries a snapshot (field 9): the caller decodes it with the generated codec.
 */
export function fastDecode(buf: Uint8Array, start: number, end: number): Message | undefined {
  const r = new Reader(buf, start, end);
  let type = 0;
  let to = 0n;
  let from = 0n;
  let term = 0;
  let logTerm = 0;
  let index = 0;
  const entries: Entry[] = [];
  let commit = 0;
  let reject = false;
  let rejectHint = 0;
  let context: Uint8Array = EMPTY;
  while (r.pos < end) {
    const tag = r.uint('tag');
    switch (tag) {
      case 0x08:
        type = r.uint('type');
        break;
      case 0x10:
        to = r.uint64();
        break;
      case 0x18:
        from = r.uint64();
        break;
      case 0x20:
        term = r.uint('term');
        break;
      case 0x28:
        logTerm = r.uint('logTerm');
        break;
      case 0x30:
        index = r.uint('index');
        break;
      case 0x3a: {
        const len = r.uint('length');
        entries.push(readEntry(r, r.pos + len));
        break;
      }
      case 0x40:
        commit = r.uint('commit');
        break;
      case 0x4a:
        return undefined;
      case 0x50:
        reject = r.uint('reject') !== 0;
        break;
      case 0x58:
        rejectHint = r.uint('rejectHint');
        break;
      case 0x62:
        context = r.bytes();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  if (r.pos !== end) throw new Error('raft wire: truncated message');
  return { type, to, from, term, logTerm, index, entries, commit, reject, rejectHint, context };
}
