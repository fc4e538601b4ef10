// gRPC length-prefixed messages: 1 byte compressed flag, 4 bytes big-endian length, the message.

import { encodeShared, type MessageEncoder } from '../../pkg/shared-writer';

export const FRAME_HEADER_BYTES = 5;
const HEADER_PLACEHOLDER = new Uint8Array(FRAME_HEADER_BYTES);

/** Encodes `message` with its 5-byte prefix into one buffer (the codec writes after the prefix). */
export function encodeFrame<T>(codec: MessageEncoder<T>, message: T): Buffer {
  const bytes = encodeShared(codec, message, HEADER_PLACEHOLDER);
  const frame = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  frame.writeUInt32BE(frame.length - FRAME_HEADER_BYTES, 1);
  return frame;
}

export function frameBytes(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame[0] = 0;
  frame.writeUInt32BE(payload.length, 1);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

export type DeframeResult =
  | { readonly kind: 'message'; readonly bytes: Uint8Array }
  | { readonly kind: 'compressed' }
  | { readonly kind: 'too-large'; readonly length: number };

/**
 * Splits a DATA byte stream into messages. Push chunks, then call next() until it returns
 * undefined. A message inside one chunk is returned as a view (no copy); one spanning chunks is
 * assembled with a single copy.
 */
export class Deframer {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxMessageBytes: number) {}

  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  next(): DeframeResult | undefined {
    if (this.buffered < FRAME_HEADER_BYTES) return undefined;
    let first = this.chunks[0] as Buffer;
    if (first.length < FRAME_HEADER_BYTES) {
      first = Buffer.concat(this.chunks, this.buffered);
      this.chunks = [first];
    }
    const flag = first[0] as number;
    const length = first.readUInt32BE(1);
    if (flag !== 0) return { kind: 'compressed' };
    if (length > this.maxMessageBytes) return { kind: 'too-large', length };
    const total = FRAME_HEADER_BYTES + length;
    if (this.buffered < total) return undefined;
    let bytes: Uint8Array;
    if (first.length >= total) {
      bytes = first.subarray(FRAME_HEADER_BYTES, total);
      if (first.length === total) this.chunks.shift();
      else this.chunks[0] = first.subarray(total);
    } else {
      const out = Buffer.allocUnsafe(length);
      let written = 0;
      let skip = FRAME_HEADER_BYTES;
      while (written < length) {
        const chunk = this.chunks[0] as Buffer;
        const start = skip;
        skip = 0;
        const take = Math.min(chunk.length - start, length - written);
        chunk.copy(out, written, start, start + take);
        written += take;
        if (start + take === chunk.length) this.chunks.shift();
        else this.chunks[0] = chunk.subarray(start + take);
      }
      bytes = out;
    }
    this.buffered -= total;
    return { kind: 'message', bytes };
  }
}
