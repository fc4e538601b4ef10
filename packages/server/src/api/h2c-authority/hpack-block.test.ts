import fc from 'fast-check';
import { rewriteAuthorityValue } from './authority-bytes';
import { encodeRawString, rewriteAuthorityInBlock } from './hpack-block';
import { encodeHuffman } from './huffman';

const URL_AUTHORITY = 'http://127.0.0.1:2379';
const REWRITTEN = 'http:--127.0.0.1:2379';

/** An HPACK string with the H bit set: the length prefix of the Huffman data, then the data. */
function huffmanString(value: string): Buffer {
  const out = encodeRawString(encodeHuffman(Buffer.from(value)));
  out[0] = out[0]! | 0x80;
  return out;
}
const raw = (value: string): Buffer => encodeRawString(Buffer.from(value));
/** :method POST, :scheme http, :path / as static-table indexed fields. */
const INDEXED_PSEUDO = Buffer.from([0x83, 0x86, 0x84]);
const rewrite = (block: Buffer): Buffer | undefined => rewriteAuthorityInBlock(block, 0, block.length);

describe('rewriteAuthorityValue', () => {
  it('replaces the bytes nghttp2 refuses and keeps the length', () => {
    expect(rewriteAuthorityValue(Buffer.from(URL_AUTHORITY))?.toString()).toBe(REWRITTEN);
    expect(rewriteAuthorityValue(Buffer.from('h:1/a?b#c d'))?.toString()).toBe('h:1-a-b-c-d');
    expect(rewriteAuthorityValue(Buffer.from([0x61, 0xc3, 0xa9]))).toEqual(Buffer.from('a--'));
  });

  it('leaves clean authorities and control bytes alone', () => {
    expect(rewriteAuthorityValue(Buffer.from('127.0.0.1:2379'))).toBeUndefined();
    expect(rewriteAuthorityValue(Buffer.from('[::1]:2379'))).toBeUndefined();
    expect(rewriteAuthorityValue(Buffer.from('user@h%41:1'))).toBeUndefined();
    expect(rewriteAuthorityValue(Buffer.from('a\rb'))).toBeUndefined();
  });
});

describe('rewriteAuthorityInBlock', () => {
  it.each([
    ['with incremental indexing', 0x41],
    ['without indexing', 0x01],
    ['never indexed', 0x11],
  ])('rewrites a raw :authority literal %s (static name index 1)', (_name, first) => {
    const tail = Buffer.concat([Buffer.from([0x5f]), raw('application/grpc')]); // content-type (static 31) literal
    const block = Buffer.concat([INDEXED_PSEUDO, Buffer.from([first]), raw(URL_AUTHORITY), tail]);
    const out = rewrite(block);
    expect(out).toEqual(Buffer.concat([INDEXED_PSEUDO, Buffer.from([first]), raw(REWRITTEN), tail]));
  });

  it('rewrites a Huffman-coded value into a raw string of the same decoded length', () => {
    const block = Buffer.concat([Buffer.from([0x41]), huffmanString(URL_AUTHORITY), INDEXED_PSEUDO]);
    const out = rewrite(block);
    expect(out).toEqual(Buffer.concat([Buffer.from([0x41]), raw(REWRITTEN), INDEXED_PSEUDO]));
    // Raw is longer than Huffman here: the frame length has to change, the decoded length not.
    expect(out!.length).toBeGreaterThan(block.length);
  });

  it('recognises a literal name ":authority", raw or Huffman', () => {
    for (const name of [raw(':authority'), huffmanString(':authority')]) {
      const block = Buffer.concat([Buffer.from([0x40]), name, huffmanString(URL_AUTHORITY)]);
      expect(rewrite(block)).toEqual(Buffer.concat([Buffer.from([0x40]), name, raw(REWRITTEN)]));
    }
  });

  it('walks past indexed fields, size updates, other literals and multi-byte prefix integers', () => {
    const longValue = 'x'.repeat(300); // string length needs a continuation byte
    const block = Buffer.concat([
      Buffer.from([0x3f, 0xe1, 0x1f]), // dynamic table size update to 4096 (5-bit prefix + 2 bytes)
      Buffer.from([0xff, 0x05]), // indexed field 132 (7-bit prefix + 1 byte)
      Buffer.from([0x0f, 0x10]), // literal without indexing, name index 31 (4-bit prefix + 1 byte)
      raw(longValue),
      Buffer.from([0x40]),
      raw('grpc-timeout'),
      huffmanString('5S'),
      Buffer.from([0x41]),
      raw(URL_AUTHORITY),
      Buffer.from([0x7f, 0x0b]), // literal with indexing, name index 74 (6-bit prefix + 1 byte)
      raw('v'),
    ]);
    const out = rewrite(block);
    expect(out).toBeDefined();
    expect(out!.length).toBe(block.length);
    expect(out!.toString('latin1')).toBe(block.toString('latin1').replace(URL_AUTHORITY, REWRITTEN));
  });

  it('returns undefined for a clean :authority, none at all, or a value named otherwise', () => {
    expect(rewrite(Buffer.concat([INDEXED_PSEUDO, Buffer.from([0x41]), raw('127.0.0.1:2379')]))).toBeUndefined();
    expect(rewrite(INDEXED_PSEUDO)).toBeUndefined();
    // :path (static index 4) carrying a URL is not touched.
    expect(rewrite(Buffer.concat([Buffer.from([0x44]), raw(URL_AUTHORITY)]))).toBeUndefined();
    expect(rewrite(Buffer.concat([Buffer.from([0x40]), raw(':authorit'), raw(URL_AUTHORITY)]))).toBeUndefined();
  });

  it('only looks at the given range', () => {
    const block = Buffer.concat([Buffer.from([0x41]), raw(URL_AUTHORITY)]);
    const framed = Buffer.concat([Buffer.from([9, 9, 9]), block, Buffer.from([7, 7])]);
    expect(rewriteAuthorityInBlock(framed, 3, 3 + block.length)).toEqual(Buffer.concat([Buffer.from([0x41]), raw(REWRITTEN)]));
  });

  it('gives up (undefined) on truncated or malformed blocks', () => {
    const good = Buffer.concat([Buffer.from([0x41]), raw(URL_AUTHORITY)]);
    for (let cut = 0; cut < good.length; cut++) expect(rewrite(good.subarray(0, cut))).toBeUndefined();
    // A Huffman value that does not decode (bad padding).
    expect(rewrite(Buffer.from([0x41, 0x81, 0x1e]))).toBeUndefined();
    // An endless prefix integer.
    expect(rewrite(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toBeUndefined();
  });

  it('finds the :authority literal among random other fields, Huffman or raw', () => {
    const field = fc.oneof(
      fc.integer({ min: 2, max: 200 }).map((i) => (i < 127 ? Buffer.from([0x80 | i]) : Buffer.from([0xff, i - 127]))),
      fc.tuple(fc.integer({ min: 2, max: 14 }), fc.string({ maxLength: 20 })).map(([i, v]) => Buffer.concat([Buffer.from([i]), raw(v)])),
    );
    const authority = fc.stringMatching(/^[a-z]{1,5}:\/\/[a-z0-9.]{1,20}:[0-9]{1,5}(\/[a-z?#]{0,4})?$/);
    fc.assert(
      fc.property(fc.array(field, { maxLength: 6 }), authority, fc.boolean(), fc.array(field, { maxLength: 6 }), (before, value, huffman, after) => {
        const literal = (v: Buffer): Buffer => Buffer.concat([Buffer.from([0x41]), v]);
        const block = Buffer.concat([...before, literal(huffman ? huffmanString(value) : raw(value)), ...after]);
        const expected = Buffer.concat([...before, literal(raw(value.replace(/[/?#]/g, '-'))), ...after]);
        expect(rewrite(block)).toEqual(expected);
      }),
    );
  });

  it('never throws on arbitrary bytes, and what it returns is clean', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const out = rewrite(Buffer.from(bytes));
        if (out !== undefined) expect(rewrite(out)).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });
});
