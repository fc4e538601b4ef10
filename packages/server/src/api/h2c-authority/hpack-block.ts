// Walks an HPACK header block (RFC 7541 §6) looking for the :authority literal and, when its value
// holds bytes nghttp2 refuses, re-encodes just that value. The dynamic table is never modelled:
// the new value has the same decoded length, so the table entry it may create has the same size
// and every later index the client's encoder uses still points where it expects.

import { rewriteAuthorityValue } from './authority-bytes';
import { decodeHuffman } from './huffman';

/** Static table index of `:authority` (RFC 7541 Appendix A). */
export const STATIC_INDEX_AUTHORITY = 1;
const AUTHORITY_NAME = Buffer.from(':authority');
/** Larger prefix integers than this are treated as malformed (no header block gets near it). */
const MAX_PREFIX_INT = 2 ** 28;
const HUFFMAN_FLAG = 0x80;

// The walk runs on every HEADERS frame, so its readers return plain numbers (-1: truncated or
// malformed) and leave their other results here instead of allocating a tuple per field.
/** Position after the last integer or string read. */
let nextPos = 0;
/** Whether the last string read was Huffman-coded, and where its data started. */
let stringHuffman = false;
let stringDataStart = 0;

/** Reads a prefix integer (RFC 7541 §5.1) starting at `pos`; -1 if truncated or huge. */
function readPrefixInt(block: Uint8Array, pos: number, end: number, prefixBits: number): number {
  if (pos >= end) return -1;
  const max = (1 << prefixBits) - 1;
  let value = block[pos]! & max;
  pos++;
  if (value < max) {
    nextPos = pos;
    return value;
  }
  let scale = 1;
  for (;;) {
    if (pos >= end) return -1;
    const byte = block[pos++]!;
    value += (byte & 0x7f) * scale;
    if (value > MAX_PREFIX_INT) return -1;
    if ((byte & 0x80) === 0) {
      nextPos = pos;
      return value;
    }
    scale *= 0x80;
  }
}

/** Reads a string's header at `pos`; returns the end of its data, or -1 if it overruns `end`. */
function readString(block: Uint8Array, pos: number, end: number): number {
  const length = readPrefixInt(block, pos, end, 7);
  if (length < 0) return -1;
  const dataEnd = nextPos + length;
  if (dataEnd > end) return -1;
  stringHuffman = (block[pos]! & HUFFMAN_FLAG) !== 0;
  stringDataStart = nextPos;
  return dataEnd;
}

/** The last string read, decoded. */
function decodeLastString(block: Uint8Array, dataEnd: number): Uint8Array | undefined {
  return stringHuffman ? decodeHuffman(block, stringDataStart, dataEnd) : block.subarray(stringDataStart, dataEnd);
}

/** A raw (non-Huffman) HPACK string: 7-bit prefix length, then the bytes. */
export function encodeRawString(value: Uint8Array): Buffer {
  const lengthBytes: number[] = [];
  if (value.length < 0x7f) {
    lengthBytes.push(value.length);
  } else {
    lengthBytes.push(0x7f);
    let rest = value.length - 0x7f;
    while (rest >= 0x80) {
      lengthBytes.push((rest & 0x7f) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    lengthBytes.push(rest);
  }
  return Buffer.concat([Buffer.from(lengthBytes), value]);
}

/**
 * The header block bytes [start, end) of `block` with the :authority value rewritten, or undefined
 * when there is nothing to rewrite (no :authority literal, a clean one, or a malformed block).
 */
export function rewriteAuthorityInBlock(block: Uint8Array, start: number, end: number): Buffer | undefined {
  let pos = start;
  while (pos < end) {
    const first = block[pos]!;
    if (first & 0x80) {
      // Indexed header field: nothing literal to look at.
      if (readPrefixInt(block, pos, end, 7) < 0) return undefined;
      pos = nextPos;
      continue;
    }
    if ((first & 0xe0) === 0x20) {
      // Dynamic table size update.
      if (readPrefixInt(block, pos, end, 5) < 0) return undefined;
      pos = nextPos;
      continue;
    }
    // A literal: with incremental indexing (01), or without / never indexed (0000 / 0001).
    const nameIndex = readPrefixInt(block, pos, end, first & 0x40 ? 6 : 4);
    if (nameIndex < 0) return undefined;
    pos = nextPos;
    let isAuthority = nameIndex === STATIC_INDEX_AUTHORITY;
    if (nameIndex === 0) {
      const nameEnd = readString(block, pos, end);
      if (nameEnd < 0) return undefined;
      if (nameEnd - stringDataStart <= AUTHORITY_NAME.length) {
        const decoded = decodeLastString(block, nameEnd);
        isAuthority = decoded !== undefined && AUTHORITY_NAME.equals(decoded);
      }
      pos = nameEnd;
    }
    const valueEnd = readString(block, pos, end);
    if (valueEnd < 0) return undefined;
    if (isAuthority) {
      const decoded = decodeLastString(block, valueEnd);
      const rewritten = decoded === undefined ? undefined : rewriteAuthorityValue(decoded);
      if (rewritten === undefined) return undefined;
      return Buffer.concat([block.subarray(start, pos), encodeRawString(rewritten), block.subarray(valueEnd, end)]);
    }
    pos = valueEnd;
  }
  return undefined;
}
