// HPACK Huffman string decoding (RFC 7541 §5.2). Used only on :authority literals (about once per
// connection: clients index the value), so a bit-at-a-time walk of a prebuilt code tree is plenty.

import { HUFFMAN_CODE_BITS, HUFFMAN_CODES } from './huffman-table';

/** Padding at the end of a string is at most 7 bits (a prefix of EOS, so all ones). */
const MAX_PADDING_BITS = 7;
const NO_CHILD = -1;
/** Room for every node (root, inner nodes and the 256 leaves) of the code tree. */
const MAX_NODES = 1024;

// The code tree in typed arrays: node n's child for bit b is child[2n + b] (NO_CHILD if none);
// symbol[n] is the byte a leaf stands for, or NO_CHILD for an inner node. EOS is not inserted:
// a missing child means the input is not a valid string (EOS inside a string is an error too).
const child = new Int16Array(2 * MAX_NODES).fill(NO_CHILD);
const symbol = new Int16Array(MAX_NODES).fill(NO_CHILD);
let nodes = 1;

function insert(code: number, bits: number, value: number): void {
  let node = 0;
  for (let bit = bits - 1; bit >= 0; bit--) {
    const slot = 2 * node + ((code >>> bit) & 1);
    if (child[slot] === NO_CHILD) child[slot] = nodes++;
    node = child[slot]!;
  }
  symbol[node] = value;
}

for (let value = 0; value < HUFFMAN_CODES.length; value++) {
  insert(HUFFMAN_CODES[value]!, HUFFMAN_CODE_BITS[value]!, value);
}
if (nodes > MAX_NODES) throw new Error(`HPACK Huffman tree needs ${nodes} nodes, has room for ${MAX_NODES}`);

/**
 * Decodes bytes [start, end) of `input` as an HPACK Huffman string; undefined when they are not
 * one (an unknown code, EOS, or padding that is longer than 7 bits or not all ones).
 */
export function decodeHuffman(input: Uint8Array, start: number, end: number): Buffer | undefined {
  // A code is at least 5 bits, so the output is at most 8/5 of the input.
  const out = Buffer.allocUnsafe(Math.ceil(((end - start) * 8) / 5));
  let length = 0;
  let node = 0;
  let depth = 0;
  let paddingAllOnes = true;
  for (let i = start; i < end; i++) {
    const byte = input[i]!;
    for (let bit = 7; bit >= 0; bit--) {
      const isOne = (byte >>> bit) & 1;
      const next = child[2 * node + isOne]!;
      if (next === NO_CHILD) return undefined;
      depth++;
      if (!isOne) paddingAllOnes = false;
      const value = symbol[next]!;
      if (value === NO_CHILD) {
        node = next;
        continue;
      }
      out[length++] = value;
      node = 0;
      depth = 0;
      paddingAllOnes = true;
    }
  }
  if (depth > MAX_PADDING_BITS || !paddingAllOnes) return undefined;
  return out.subarray(0, length);
}

/** Huffman-encodes `value` (the encoder side, used by tests and benchmarks to build inputs). */
export function encodeHuffman(value: Uint8Array): Buffer {
  const bytes: number[] = [];
  let acc = 0;
  let accBits = 0;
  for (const byte of value) {
    const code = HUFFMAN_CODES[byte] ?? 0;
    let bits = HUFFMAN_CODE_BITS[byte] ?? 0;
    while (bits > 0) {
      const take = Math.min(bits, 8 - accBits);
      bits -= take;
      acc = (acc << take) | ((code >>> bits) & ((1 << take) - 1));
      accBits += take;
      if (accBits === 8) {
        bytes.push(acc);
        acc = 0;
        accBits = 0;
      }
    }
  }
  if (accBits > 0) bytes.push(((acc << (8 - accBits)) | ((1 << (8 - accBits)) - 1)) & 0xff);
  return Buffer.from(bytes);
}
