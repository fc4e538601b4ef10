// Which :authority bytes need rewriting: those grpc-go (and so real etcd) accepts in a header
// value but nghttp2 refuses in :authority, measured against Node 20's nghttp2 one byte at a time.
// Control bytes are refused by both, so they are left alone and the stream is still reset.

/** What every rewritten byte becomes: `http://h:p` arrives as `http:--h:p`. */
export const AUTHORITY_REPLACEMENT_BYTE = 0x2d; // '-'

const NGHTTP2_REFUSED_PRINTABLE = ' "#/<>?\\^`{|}';
const HTAB = 0x09;
const FIRST_NON_ASCII = 0x80;

/** 1 where the byte is accepted by grpc-go but reset by nghttp2 in :authority. */
export const AUTHORITY_REWRITE_BYTES: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (const ch of NGHTTP2_REFUSED_PRINTABLE) table[ch.charCodeAt(0)] = 1;
  table[HTAB] = 1;
  for (let b = FIRST_NON_ASCII; b < 256; b++) table[b] = 1;
  return table;
})();

/** The value with every byte nghttp2 refuses replaced (same length), or undefined if none. */
export function rewriteAuthorityValue(value: Uint8Array): Buffer | undefined {
  let out: Buffer | undefined;
  for (let i = 0; i < value.length; i++) {
    if (AUTHORITY_REWRITE_BYTES[value[i] ?? 0] !== 1) continue;
    out ??= Buffer.from(value);
    out[i] = AUTHORITY_REPLACEMENT_BYTE;
  }
  return out;
}
