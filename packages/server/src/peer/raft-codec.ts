// raft core values <-> etcd's raftpb wire messages (term/index: JS numbers inside, uint64 on the wire).

import { raftpb } from '@tsetcd/api';
import type { ConfState, Entry, Message, Snapshot } from '../raft/types';
import { fastDecode, fastEncodeInto, fastMessageSize } from './raft-wire-fast';

const EMPTY = Buffer.alloc(0);

function buf(b: Uint8Array): Buffer {
  return b.length === 0 ? EMPTY : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function num(v: bigint): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`raft wire: ${v} is not a safe integer`);
  return n;
}

function entryToWire(e: Entry): raftpb.Entry {
  return { Type: e.type as number as raftpb.EntryType, Term: BigInt(e.term), Index: BigInt(e.index), Data: buf(e.data) };
}

function entryFromWire(e: raftpb.Entry): Entry {
  return { type: e.Type as number, term: num(e.Term), index: num(e.Index), data: e.Data };
}

function confStateToWire(cs: ConfState): raftpb.ConfState {
  return { voters: [...cs.voters], learners: [...cs.learners], votersOutgoing: [], learnersNext: [], autoLeave: false };
}

export function snapshotToWire(s: Snapshot): raftpb.Snapshot {
  return {
    data: buf(s.data),
    metadata: { confState: confStateToWire(s.metadata.confState), index: BigInt(s.metadata.index), term: BigInt(s.metadata.term) },
  };
}

export function snapshotFromWire(s: raftpb.Snapshot): Snapshot {
  const md = s.metadata;
  return {
    data: s.data,
    metadata: {
      confState: { voters: md?.confState?.voters ?? [], learners: md?.confState?.learners ?? [] },
      index: num(md?.index ?? 0n),
      term: num(md?.term ?? 0n),
    },
  };
}

export function messageToWire(m: Message): raftpb.Message {
  return {
    type: m.type as number as raftpb.MessageType,
    to: m.to,
    from: m.from,
    term: BigInt(m.term),
    logTerm: BigInt(m.logTerm),
    index: BigInt(m.index),
    entries: m.entries.map(entryToWire),
    commit: BigInt(m.commit),
    snapshot: m.snapshot === undefined ? undefined : snapshotToWire(m.snapshot),
    reject: m.reject,
    rejectHint: BigInt(m.rejectHint),
    context: buf(m.context),
  };
}

export function messageFromWire(m: raftpb.Message): Message {
  const snap = m.snapshot === undefined ? undefined : snapshotFromWire(m.snapshot);
  const base = {
    type: m.type as number,
    to: m.to,
    from: m.from,
    term: num(m.term),
    logTerm: num(m.logTerm),
    index: num(m.index),
    entries: m.entries.map(entryFromWire),
    commit: num(m.commit),
    reject: m.reject,
    rejectHint: num(m.rejectHint),
    context: m.context,
  };
  // An empty snapshot on the wire (gogoproto always writes it) is no snapshot for the core.
  return snap !== undefined && snap.metadata.index > 0 ? { ...base, snapshot: snap } : base;
}

export function encodeMessage(m: Message): Uint8Array {
  return raftpb.Message.encode(messageToWire(m)).finish();
}

export function decodeMessage(bytes: Uint8Array): Message {
  return messageFromWire(raftpb.Message.decode(bytes));
}

/**
 * One ws frame = a batch of length-prefixed (u32 BE) raftpb.Message encodings, written straight
 * into one buffer (raft-wire-fast.ts); a message with a snapshot goes through the generated codec.
 */
export function encodeBatch(messages: readonly Message[]): Buffer {
  const sizes = new Array<number>(messages.length);
  const slow: (Uint8Array | undefined)[] = [];
  let total = 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    let size: number;
    if (m.snapshot === undefined) {
      size = fastMessageSize(m);
    } else {
      const bytes = encodeMessage(m);
      slow[i] = bytes;
      size = bytes.length;
    }
    sizes[i] = size;
    total += 4 + size;
  }
  const out = Buffer.allocUnsafe(total);
  let off = 0;
  for (let i = 0; i < messages.length; i++) {
    const size = sizes[i]!;
    out.writeUInt32BE(size, off);
    off += 4;
    const bytes = slow[i];
    if (bytes !== undefined) out.set(bytes, off);
    else if (fastEncodeInto(messages[i]!, out, off) !== off + size) throw new Error('raft wire: encoded size mismatch');
    off += size;
  }
  return out;
}

export function decodeBatch(frame: Uint8Array): Message[] {
  const b = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  const out: Message[] = [];
  let off = 0;
  while (off < b.length) {
    if (off + 4 > b.length) throw new Error('raft wire: truncated batch header');
    const len = b.readUInt32BE(off);
    if (off + 4 + len > b.length) throw new Error('raft wire: truncated message');
    out.push(fastDecode(b, off + 4, off + 4 + len) ?? decodeMessage(b.subarray(off + 4, off + 4 + len)));
    off += 4 + len;
  }
  return out;
}
