import fc from 'fast-check';
import { decodeConfChange, encodeConfChange } from './confchange-codec';
import { ConfChangeType } from './types';

describe('confchange codec', () => {
  it('encodes like gogoproto raftpb.ConfChange', () => {
    // ID=1, Type=AddNode(0), NodeID=2, no context: 08 01 10 00 18 02
    expect([...encodeConfChange({ id: 1n, type: ConfChangeType.AddNode, nodeId: 2n, context: new Uint8Array(0) })]).toEqual([
      0x08, 0x01, 0x10, 0x00, 0x18, 0x02,
    ]);
    // A large node id takes a 10-byte varint; the context is field 4, length-delimited.
    const big = encodeConfChange({ id: 0n, type: ConfChangeType.RemoveNode, nodeId: 0xffffffffffffffffn, context: Uint8Array.of(7, 8) });
    expect([...big]).toEqual([0x08, 0x00, 0x10, 0x01, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x22, 0x02, 7, 8]);
  });

  it('round-trips', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.constantFrom(ConfChangeType.AddNode, ConfChangeType.RemoveNode, ConfChangeType.UpdateNode, ConfChangeType.AddLearnerNode),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.uint8Array({ maxLength: 300 }),
        (id, type, nodeId, context) => {
          const cc = decodeConfChange(encodeConfChange({ id, type, nodeId, context }));
          expect(cc).toEqual({ id, type, nodeId, context });
        },
      ),
    );
  });

  it('rejects truncated input', () => {
    const buf = encodeConfChange({ id: 300n, type: ConfChangeType.AddNode, nodeId: 1n, context: Uint8Array.of(1, 2, 3) });
    expect(() => decodeConfChange(buf.slice(0, buf.length - 1))).toThrow(/truncated/);
    expect(() => decodeConfChange(Uint8Array.of(0x08, 0x80))).toThrow(/truncated/);
  });
});
