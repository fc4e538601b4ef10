// Protobuf encoding of mvccpb.KeyValue (fields 1..6), the value format of the key bucket. Written
// by hand so the store does not depend on generated code and stays byte-identical to etcd's.

import { EMPTY_BYTES, type KeyValue } from './types';

const TAG_KEY = 0x0a;
const TAG_CREATE = 0x10;
const TAG_MOD = 0x18;
const TAG_VERSION = 0x20;
const TAG_VALUE = 0x2a;
const TAG_LEASE = 0x30;
const UINT64_MASK = (1n << 64n) - 1n;

function varintLen(v: bigint): number {
  let u = v & UINT64_MASK;
  let n = 1;
  while (u >= 0x80n) {
    u >>= 7n;
    n++;
  }
  return n;
}

function lenVarintNumber(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

class Writer {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  byte(b: number): void {
    this.buf[this.pos++] = b;
  }
  varintNumber(n: number): void {
    while (n >= 0x80) {
      this.byte((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    this.byte(n);
  }
  varint(v: bigint): void {
    let u = v & UINT64_MASK;
    while (u >= 0x80n) {
      this.byte(Number(u & 0x7fn) | 0x80);
      u >>= 7n;
    }
    this.byte(Number(u));
  }
  bytes(b: Uint8Array): void {
    this.varintNumber(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

export function encodeKeyValue(kv: KeyValue): Uint8Array {
  let size = 0;
  if (kv.key.length > 0) size += 1 + lenVarintNumber(kv.key.length) + kv.key.length;
  if (kv.createRevision !== 0n) size += 1 + varintLen(kv.createRevision);
  if (kv.modRevision !== 0n) size += 1 + varintLen(kv.modRevision);
  if (kv.version !== 0n) size += 1 + varintLen(kv.version);
  if (kv.value.length > 0) size += 1 + lenVarintNumber(kv.value.length) + kv.value.length;
  if (kv.lease !== 0n) size += 1 + varintLen(kv.lease);
  const w = new Writer(new Uint8Array(size));
  if (kv.key.length > 0) {
    w.byte(TAG_KEY);
    w.bytes(kv.key);
  }
  if (kv.createRevision !== 0n) {
    w.byte(TAG_CREATE);
    w.varint(kv.createRevision);
  }
  if (kv.modRevision !== 0n) {
    w.byte(TAG_MOD);
    w.varint(kv.modRevision);
  }
  if (kv.version !== 0n) {
    w.byte(TAG_VERSION);
    w.varint(kv.version);
  }
  if (kv.value.length > 0) {
    w.byte(TAG_VALUE);
    w.bytes(kv.value);
  }
  if (kv.lease !== 0n) {
    w.byte(TAG_LEASE);
    w.varint(kv.lease);
  }
  return w.buf;
}

export function decodeKeyValue(buf: Uint8Array): KeyValue {
  const kv: KeyValue = {
    key: EMPTY_BYTES,
    createRevision: 0n,
    modRevision: 0n,
    version: 0n,
    value: EMPTY_BYTES,
    lease: 0n,
  };
  let pos = 0;
  const readVarint = (): bigint => {
    // fast path: up to 7 bytes (49 bits) fit a JS number exactly
    let small = 0;
    let mul = 1;
    for (let i = 0; i < 7 && pos + i < buf.length; i++) {
      const byte = buf[pos + i]!;
      small += (byte & 0x7f) * mul;
      if ((byte & 0x80) === 0) {
        pos += i + 1;
        return BigInt(small);
      }
      mul *= 128;
    }
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error('mvcc: truncated KeyValue');
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
    }
    return BigInt.asIntN(64, result);
  };
  const readBytes = (): Buffer => {
    const len = Number(readVarint());
    if (pos + len > buf.length) throw new Error('mvcc: truncated KeyValue');
    const out = Buffer.from(buf.subarray(pos, pos + len));
    pos += len;
    return out;
  };
  while (pos < buf.length) {
    const tag = buf[pos++]!;
    switch (tag) {
      case TAG_KEY:
        kv.key = readBytes();
        break;
      case TAG_CREATE:
        kv.createRevision = readVarint();
        break;
      case TAG_MOD:
        kv.modRevision = readVarint();
        break;
      case TAG_VERSION:
        kv.version = readVarint();
        break;
      case TAG_VALUE:
        kv.value = readBytes();
        break;
      case TAG_LEASE:
        kv.lease = readVarint();
        break;
      default:
        throw new Error(`mvcc: unexpected KeyValue field tag 0x${tag.toString(16)}`);
    }
  }
  return kv;
}
