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

/** Reads a prefix integer (RFC 7541 §5.1); [value, next position] or undefined if truncated/huge. */
function readPrefixInt(block: Uint8Array, pos: number, end: number, prefixBits: number): [number, number] | undefined {
  if (pos >= end) return undefined;
  const max = (1 << prefixBits) - 1;
  let value = (block[pos] ?? 0) & max;
  pos++;
  if (value < max) return [value, pos];
  let shift = 0;
  for (;;) {
    if (pos >= end) return undefined;
    const byte = block[pos++] ?? 0;
    value += (byte & 0x7f) * 2 ** shift;
    if (value > MAX_PREFIX_INT) return undefined;
    if ((byte & 0x80) === 0) return [value, pos];
    shift += 7;
  }
}

interface StringSpan {
  readonly huffman: boolean;
  /** First byte of the string's data (after its length). */
  readonly dataStart: number;
  readonly end: number;
}

function readString(block: Uint8Array, pos: number, end: number): StringSpan | undefined {
  const length = readPrefixInt(block, pos, end, 7);
  if (length === undefined) return undefined;
  const dataEnd = length[1] + length[0];
  if (dataEnd > end) return undefined;
  return { huffman: ((block[pos] ?? 0) & HUFFMAN_FLAG) !== 0, dataStart: length[1], end: dataEnd };
}

function decodeString(block: Uint8Array, span: StringSpan): Uint8Array | undefined {
  return span.huffman ? decodeHuffman(block, span.dataStart, span.end) : block.subarray(span.dataStart, span.end);
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
    const first = block[pos] ?? 0;
    if (first & 0x80) {
      // Indexed header field: nothing literal to look at.
      const index = readPrefixInt(block, pos, end, 7);
      if (index === undefined) return undefined;
      pos = index[1];
      continue;
    }
    if ((first & 0xe0) === 0x20) {
      // Dynamic table size update.
      const size = readPrefixInt(block, pos, end, 5);
      if (size === undefined) return undefined;
      pos = size[1];
      continue;
    }
    // A literal: with incremental indexing (01), or without / never indexed (0000 / 0001).
    const nameIndex = readPrefixInt(block, pos, end, first & 0x40 ? 6 : 4);
    if (nameIndex === undefined) return undefined;
    pos = nameIndex[1];
    let isAuthority = nameIndex[0] === STATIC_INDEX_AUTHORITY;
    if (nameIndex[0] === 0) {
      const name = readString(block, pos, end);
      if (name === undefined) return undefined;
      if (name.end - name.dataStart <= AUTHORITY_NAME.length) {
        const decoded = decodeString(block, name);
        isAuthority = decoded !== undefined && AUTHORITY_NAME.equals(decoded);
      }
      pos = name.end;
    }
    const value = readString(block, pos, end);
    if (value === undefined) return undefined;
    if (isAuthority) {
      const decoded = decodeString(block, value);
      const rewritten = decoded === undefined ? undefined : rewriteAuthorityValue(decoded);
      if (rewritten === undefined) return undefined;
      return Buffer.concat([block.subarray(start, pos), encodeRawString(rewritten), block.subarray(value.end, end)]);
    }
    pos = value.end;
  }
  return undefined;
}
