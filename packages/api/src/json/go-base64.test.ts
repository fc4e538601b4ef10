import { Base64Error, decodeStdBase64, encodeStdBase64 } from './go-base64';

// Outputs of Go's base64.StdEncoding.DecodeString for the same inputs (go1.x, encoding/base64).
const goCases: Array<[string, string | number]> = [
  ['Zm9v', 'foo'],
  ['dg==', 'v'],
  ['', ''],
  ['Zm\n9v', 'foo'],
  ['Zg==\n', 'f'],
  ['Zg=\n=', 'f'],
  ['Zm9', 0],
  ['dg=', 3],
  ['dg', 0],
  ['d', 0],
  ['Zm9v-w==', 4],
  ['Zm9vYg=x', 6],
  ['Zm9vYg==Zm9v', 8],
  ['====', 0],
  ['Zm_v', 2],
  ['=Zm9', 0],
];

describe("Go-compatible strict base64", () => {
  test.each(goCases)('%j', (input, expected) => {
    if (typeof expected === 'string') {
      expect(decodeStdBase64(input).toString()).toBe(expected);
    } else {
      let err: unknown;
      try {
        decodeStdBase64(input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(Base64Error);
      expect((err as Base64Error).message).toBe(`illegal base64 data at input byte ${expected}`);
    }
  });

  test('round-trips arbitrary bytes', () => {
    for (let len = 0; len < 40; len++) {
      const bytes = Buffer.from(Array.from({ length: len }, (_, i) => (i * 37 + len) & 0xff));
      expect(decodeStdBase64(encodeStdBase64(bytes))).toEqual(bytes);
    }
  });
});
