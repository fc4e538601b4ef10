// The direct raftpb.Message codec against the generated one (the reference), on random messages
// with 64-bit member ids, terms/indexes up to 2^53 - 1, entries and contexts.

import fc from 'fast-check';
import { raftpb } from '@tsetcd/api';
import { EntryType, MessageType, type Message } from '../raft/types';
import { decodeBatch, decodeMessage, encodeBatch, encodeMessage, messageToWire } from './raft-codec';
import { fastDecode, fastEncodeInto, fastMessageSize } from './raft-wire-fast';

const safe = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2 ** 31 }), fc.maxSafeNat());
const id = fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 300n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));
const bytes = fc.uint8Array({ maxLength: 300 });
const entry = fc.record({ type: fc.constantFrom(EntryType.Normal, EntryType.ConfChange), term: safe, index: safe, data: bytes });
const message: fc.Arbitrary<Message> = fc.record({
  type: fc.integer({ min: 0, max: 18 }) as fc.Arbitrary<MessageType>,
  to: id,
  from: id,
  term: safe,
  logTerm: safe,
  index: safe,
  entries: fc.array(entry, { maxLength: 5 }),
  commit: safe,
  reject: fc.boolean(),
  rejectHint: safe,
  context: bytes,
});

function fastEncode(m: Message): Buffer {
  const out = Buffer.alloc(fastMessageSize(m));
  expect(fastEncodeInto(m, out, 0)).toBe(out.length);
  return out;
}

/** Plain values for comparison (Buffer vs Uint8Array views do not matter, bytes do). */
function plain(m: Message): unknown {
  return { ...m, entries: m.entries.map((e) => ({ ...e, data: [...e.data] })), context: [...m.context] };
}

describe('raft-wire-fast', () => {
  it('encodes what the generated decoder reads back as the same raftpb.Message', () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(raftpb.Message.decode(fastEncode(m))).toEqual(raftpb.Message.decode(encodeMessage(m)));
        expect(raftpb.Message.decode(fastEncode(m))).toEqual(raftpb.Message.fromPartial(messageToWire(m)));
      }),
      { numRuns: 300 },
    );
  });

  it('decodes the generated encoder output like the generated decoder', () => {
    fc.assert(
      fc.property(message, (m) => {
        const wire = encodeMessage(m);
        expect(plain(fastDecode(wire, 0, wire.length)!)).toEqual(plain(decodeMessage(wire)));
        expect(plain(fastDecode(wire, 0, wire.length)!)).toEqual(plain(m));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips batches, and leaves a snapshot to the generated codec', () => {
    const snap = { data: new Uint8Array([9, 9]), metadata: { index: 100, term: 3, confState: { voters: [1n, 2n], learners: [3n] } } };
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 6 }), (ms) => {
        const withSnap = [...ms, { ...ms[0]!, type: MessageType.MsgSnap, entries: [], snapshot: snap }];
        const back = decodeBatch(encodeBatch(withSnap));
        expect(back.slice(0, ms.length).map(plain)).toEqual(ms.map(plain));
        expect(back[ms.length]!.snapshot?.metadata).toEqual(snap.metadata);
        expect([...back[ms.length]!.snapshot!.data]).toEqual([9, 9]);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses truncated bytes, a term past 2^53 - 1, and negative or fractional numbers', () => {
    const m: Message = {
      type: MessageType.MsgApp,
      to: 2n,
      from: 1n,
      term: 5,
      logTerm: 5,
      index: 9,
      entries: [{ type: EntryType.Normal, term: 5, index: 10, data: new Uint8Array([1, 2, 3]) }],
      commit: 8,
      reject: false,
      rejectHint: 0,
      context: new Uint8Array(0),
    };
    const wire = fastEncode(m);
    for (let cut = 1; cut < wire.length; cut++) {
      let decoded: Message | undefined;
      try {
        decoded = fastDecode(wire, 0, cut);
      } catch {
        continue; // refused: fine
      }
      // A cut exactly at a field boundary is a valid shorter message; it must then lack something.
      expect(plain(decoded!)).not.toEqual(plain(m));
    }
    const bigTerm = raftpb.Message.encode(raftpb.Message.fromPartial({ term: 2n ** 53n })).finish();
    expect(() => fastDecode(bigTerm, 0, bigTerm.length)).toThrow(RangeError);
    expect(() => fastMessageSize({ ...m, index: -1 })).toThrow(RangeError);
    expect(() => fastMessageSize({ ...m, entries: [{ ...m.entries[0]!, term: 1.5 }] })).toThrow(RangeError);
  });
});
