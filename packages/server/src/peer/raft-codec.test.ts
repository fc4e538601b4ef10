import { raftpb } from '@tsetcd/api';
import { EntryType, MessageType, type Message } from '../raft/types';
import { decodeBatch, decodeMessage, encodeBatch, encodeMessage } from './raft-codec';

const msg = (over: Partial<Message> = {}): Message => ({
  type: MessageType.MsgApp,
  to: 0xfd9925cbbe2fb47fn,
  from: 2n,
  term: 7,
  logTerm: 6,
  index: 41,
  entries: [
    { term: 7, index: 42, type: EntryType.Normal, data: new Uint8Array([1, 2, 3]) },
    { term: 7, index: 43, type: EntryType.ConfChange, data: new Uint8Array([8, 1]) },
  ],
  commit: 40,
  reject: false,
  rejectHint: 0,
  context: new Uint8Array(0),
  ...over,
});

describe('raft wire codec', () => {
  it('round-trips a MsgApp with 64-bit ids and entries', () => {
    const m = msg();
    const back = decodeMessage(encodeMessage(m));
    expect(back).toEqual({ ...m, entries: m.entries.map((e) => ({ ...e, data: Buffer.from(e.data) })), context: Buffer.alloc(0) });
  });

  it('writes etcd raftpb field numbers (decodable as raftpb.Message)', () => {
    const wire = raftpb.Message.decode(encodeMessage(msg({ type: MessageType.MsgHeartbeat, entries: [], commit: 9 })));
    expect(wire.type).toBe(raftpb.MessageType.MsgHeartbeat);
    expect(wire.to).toBe(0xfd9925cbbe2fb47fn);
    expect(wire.commit).toBe(9n);
  });

  it('carries a snapshot with its ConfState; an empty wire snapshot is no snapshot', () => {
    const snap = { data: new Uint8Array([9]), metadata: { index: 100, term: 3, confState: { voters: [1n, 2n], learners: [3n] } } };
    const back = decodeMessage(encodeMessage(msg({ type: MessageType.MsgSnap, entries: [], snapshot: snap })));
    expect(back.snapshot?.metadata).toEqual(snap.metadata);
    expect(decodeMessage(encodeMessage(msg())).snapshot).toBeUndefined();
  });

  it('batches several messages into one frame and splits them back in order', () => {
    const ms = [msg({ index: 1 }), msg({ type: MessageType.MsgVote, entries: [], index: 2 }), msg({ index: 3, reject: true, rejectHint: 2 })];
    const back = decodeBatch(encodeBatch(ms));
    expect(back.map((m) => [m.type, m.index, m.reject, m.rejectHint])).toEqual(ms.map((m) => [m.type, m.index, m.reject, m.rejectHint]));
  });

  it('refuses a truncated frame', () => {
    const frame = encodeBatch([msg()]);
    expect(() => decodeBatch(frame.subarray(0, frame.length - 1))).toThrow(/truncated/);
  });
});
