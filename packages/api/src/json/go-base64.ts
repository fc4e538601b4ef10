// Standard padded base64 with Go's error offsets (encoding/base64 StdEncoding.Decode, which
// grpc-gateway's JSON reaches for bytes fields): unpadded, URL-safe or trailing data is an error
// "illegal base64 data at input byte N". Like Go, CR and LF are skipped.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
const PAD = 0x3d; // '='
const CR = 0x0d;
const LF = 0x0a;

export class Base64Error extends Error {
  constructor(readonly offset: number) {
    super(`illegal base64 data at input byte ${offset}`);
    this.name = 'Base64Error';
  }
}

export function encodeStdBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function decodeStdBase64(text: string): Buffer {
  const src = Buffer.from(text, 'latin1');
  const out: number[] = [];
  let si = 0;
  const skipNewlines = (): void => {
    while (si < src.length && (src[si] === CR || src[si] === LF)) si++;
  };
  for (;;) {
    const quantum = [0, 0, 0, 0];
    let len = 4;
    let done = false;
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return Buffer.from(out);
        throw new Base64Error(si - j);
      }
      const ch = src[si]!;
      si++;
      const v = DECODE[ch]!;
      if (v >= 0) {
        quantum[j] = v;
        continue;
      }
      if (ch === CR || ch === LF) {
        j--;
        continue;
      }
      if (ch !== PAD) throw new Base64Error(si - 1);
      // padding: only valid as the 3rd/4th symbol of the last quantum
      if (j === 0 || j === 1) throw new Base64Error(si - 1);
      if (j === 2) {
        skipNewlines();
        if (si === src.length) throw new Base64Error(src.length);
        if (src[si] !== PAD) throw new Base64Error(si - 1);
        si++;
      }
      skipNewlines();
      if (si < src.length) throw new Base64Error(si);
      len = j;
      done = true;
      break;
    }
    const n = (quantum[0]! << 18) | (quantum[1]! << 12) | (quantum[2]! << 6) | quantum[3]!;
    if (len >= 2) out.push((n >> 16) & 0xff);
    if (len >= 3) out.push((n >> 8) & 0xff);
    if (len >= 4) out.push(n & 0xff);
    if (done) return Buffer.from(out);
  }
}
