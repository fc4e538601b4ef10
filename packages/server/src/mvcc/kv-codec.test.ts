import fc from 'fast-check';
import { KeyValue as KeyValueCodec } from '@tsetcd/api';
import { decodeKeyValue, encodeKeyValue } from './kv-codec';

const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const kvArb = fc.record({
  key: fc.uint8Array({ minLength: 1, maxLength: 40 }).map((b) => Buffer.from(b)),
  createRevision: int64,
  modRevision: int64,
  version: int64,
  value: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  lease: int64,
});

describe('KeyValue codec', () => {
  it('encodes exactly like the generated mvccpb codec and round-trips', () => {
    fc.assert(
      fc.property(kvArb, (kv) => {
        const ours = encodeKeyValue(kv);
        expect(Buffer.from(ours).toString('hex')).toBe(Buffer.from(KeyValueCodec.encode(kv).finish()).toString('hex'));
        expect(decodeKeyValue(ours)).toEqual(kv);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects truncated input and unknown fields', () => {
    const bytes = encodeKeyValue({ key: Buffer.from('k'), createRevision: 300n, modRevision: 1n, version: 1n, value: Buffer.from('v'), lease: 0n });
    expect(() => decodeKeyValue(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated/);
    expect(() => decodeKeyValue(Uint8Array.from([0x38, 0x01]))).toThrow(/unexpected/);
  });
});
