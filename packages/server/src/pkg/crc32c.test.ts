import fc from 'fast-check';
import { crc32c, crc32cReference } from './crc32c';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('crc32c', () => {
  it('matches the published check value and RFC 3720 vectors', () => {
    expect(crc32c(0, ascii('123456789'))).toBe(0xe3069283);
    expect(crc32c(0, new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(0, new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(0, Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(0, Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
    expect(crc32c(0, new Uint8Array(0))).toBe(0);
  });

  it('agrees with the bitwise reference on arbitrary inputs and ranges', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), fc.nat({ max: 0xffffffff }), (buf, a, b, seed) => {
        const start = buf.length === 0 ? 0 : a % (buf.length + 1);
        const end = start + (buf.length === start ? 0 : b % (buf.length - start + 1));
        expect(crc32c(seed, buf, start, end)).toBe(crc32cReference(seed, buf.subarray(start, end)));
      }),
    );
  });

  it('chains: crc(crc(a), b) === crc(a ++ b)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 }), (a, b) => {
        const joined = new Uint8Array(a.length + b.length);
        joined.set(a);
        joined.set(b, a.length);
        expect(crc32c(crc32c(0, a), b)).toBe(crc32c(0, joined));
      }),
    );
  });

  it('rejects an out-of-range slice', () => {
    expect(() => crc32c(0, new Uint8Array(4), 2, 5)).toThrow(RangeError);
  });
});
