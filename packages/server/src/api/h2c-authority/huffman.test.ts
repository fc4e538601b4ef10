import fc from 'fast-check';
import { decodeHuffman, encodeHuffman } from './huffman';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('HPACK Huffman decoding', () => {
  it('decodes the RFC 7541 C.4 examples', () => {
    const www = hex('f1e3 c2e5 f23a 6ba0 ab90 f4ff');
    expect(decodeHuffman(www, 0, www.length)?.toString()).toBe('www.example.com');
    const noCache = hex('a8eb 1064 9cbf');
    expect(decodeHuffman(noCache, 0, noCache.length)?.toString()).toBe('no-cache');
    const custom = hex('25a8 49e9 5bb8 e8b4 bf');
    expect(decodeHuffman(custom, 0, custom.length)?.toString()).toBe('custom-value');
  });

  it('encodes the RFC example the same way', () => {
    expect(encodeHuffman(Buffer.from('www.example.com')).toString('hex')).toBe('f1e3c2e5f23a6ba0ab90f4ff');
  });

  it('round-trips every byte value and random strings', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const encoded = encodeHuffman(all);
    expect(decodeHuffman(encoded, 0, encoded.length)?.equals(all)).toBe(true);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const enc = encodeHuffman(bytes);
        expect(decodeHuffman(enc, 0, enc.length)?.equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it('decodes only the given range of a larger buffer', () => {
    const inner = encodeHuffman(Buffer.from('http://127.0.0.1:2379'));
    const outer = Buffer.concat([Buffer.from([0xaa, 0xbb]), inner, Buffer.from([0x00])]);
    expect(decodeHuffman(outer, 2, 2 + inner.length)?.toString()).toBe('http://127.0.0.1:2379');
  });

  it('rejects padding that is not all ones, padding of 8+ bits, and EOS', () => {
    // 'a' is 00011 (5 bits): padded with ones -> 0x1f; with a zero in the padding -> 0x1e.
    expect(decodeHuffman(Buffer.from([0x1f]), 0, 1)?.toString()).toBe('a');
    expect(decodeHuffman(Buffer.from([0x1e]), 0, 1)).toBeUndefined();
    // A whole byte of ones after a complete symbol is 8 bits of padding.
    expect(decodeHuffman(Buffer.from([0x1f, 0xff]), 0, 2)).toBeUndefined();
    // EOS (30 ones) followed by padding.
    expect(decodeHuffman(Buffer.from([0xff, 0xff, 0xff, 0xff]), 0, 4)).toBeUndefined();
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const out = decodeHuffman(bytes, 0, bytes.length);
        if (out !== undefined) expect(encodeHuffman(out).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });
});
