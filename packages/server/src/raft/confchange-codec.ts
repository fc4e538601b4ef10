// Protobuf encoding of raftpb.ConfChange (ID=1 uint64, Type=2 enum, NodeID=3 uint64, Context=4 bytes),
// byte-compatible with etcd's gogoproto output (non-nullable scalars always written, Context when non-nil).
import { ConfChangeType, type ConfChange } from './types';

const U64_MAX = (1n << 64n) - 1n;

function writeVarint(out: number[], v: bigint): void {
  let x = v & U64_MAX;
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
}

export function encodeConfChange(cc: ConfChange): Uint8Array {
  const out: number[] = [];
  out.push(0x08);
  writeVarint(out, cc.id);
  out.push(0x10);
  writeVarint(out, BigInt(cc.type));
  out.push(0x18);
  writeVarint(out, cc.nodeId);
  const head = Uint8Array.from(out);
  if (cc.context.length === 0) return head;
  const lenBytes: number[] = [0x22];
  writeVarint(lenBytes, BigInt(cc.context.length));
  const buf = new Uint8Array(head.length + lenBytes.length + cc.context.length);
  buf.set(head, 0);
  buf.set(lenBytes, head.length);
  buf.set(cc.context, head.length + lenBytes.length);
  return buf;
}

export class ConfChangeDecodeError extends Error {}

export function decodeConfChange(buf: Uint8Array): ConfChange {
  let pos = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new ConfChangeDecodeError('truncated varint');
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result & U64_MAX;
      shift += 7n;
      if (shift > 63n) throw new ConfChangeDecodeError('varint overflow');
    }
  };
  let id = 0n;
  let type = ConfChangeType.AddNode;
  let nodeId = 0n;
  let context = new Uint8Array(0);
  while (pos < buf.length) {
    const key = Number(readVarint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) {
      const v = readVarint();
      if (field === 1) id = v;
      else if (field === 2) type = Number(v) as ConfChangeType;
      else if (field === 3) nodeId = v;
    } else if (wire === 2) {
      const len = Number(readVarint());
      if (pos + len > buf.length) throw new ConfChangeDecodeError('truncated bytes field');
      const bytes = buf.slice(pos, pos + len);
      pos += len;
      if (field === 4) context = bytes;
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else {
      throw new ConfChangeDecodeError(`unsupported wire type ${wire}`);
    }
    if (pos > buf.length) throw new ConfChangeDecodeError('truncated field');
  }
  return { id, type, nodeId, context };
}
