// The client->server byte filter for h2c connections: skips the connection preface, then hops
// from frame header to frame header, and only stops to look inside HEADERS frames, whose
// :authority value may be re-encoded (the frame is then re-emitted with its new length). Every
// other byte goes through untouched, and chunks without a rewrite are forwarded as they came.
// Anything malformed is passed through as is: nghttp2 will answer it as it would have anyway.
// It can also remove the client's first SETTINGS ACK (see h2c-handoff.ts).

import { rewriteAuthorityInBlock } from './hpack-block';

export const HTTP2_CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
export const FRAME_HEADER_BYTES = 9;
export const FRAME_TYPE_HEADERS = 0x1;
export const FRAME_TYPE_SETTINGS = 0x4;
export const FLAG_ACK = 0x1;
export const FLAG_END_HEADERS = 0x4;
export const FLAG_PADDED = 0x8;
export const FLAG_PRIORITY = 0x20;
const PRIORITY_FIELDS_BYTES = 5;
/**
 * SETTINGS_MAX_FRAME_SIZE's initial value, which Node's server keeps: a HEADERS frame longer than
 * this is refused by nghttp2 anyway, so it is passed through unread, and a rewrite that would make
 * a frame longer is dropped.
 */
export const DEFAULT_MAX_FRAME_SIZE = 16_384;

export type Emit = (bytes: Buffer) => void;

export interface AuthorityFrameFilterOptions {
  /**
   * Remove the client's first SETTINGS ACK: it answers a SETTINGS frame the hand-off sent before
   * node:http2 had the connection (h2c-handoff.ts), and nghttp2 would take it for its own.
   */
  readonly dropFirstSettingsAck?: boolean;
}

export class AuthorityFrameFilter {
  /** HEADERS frames whose :authority was re-encoded so far. */
  rewrites = 0;
  /** SETTINGS ACKs still to remove. */
  private acksToDrop: number;
  private prefaceSeen = 0;
  /** The connection did not start with the preface: nothing after it is parsed. */
  private passthrough = false;
  /** Payload bytes of the current (uninspected) frame still to forward. */
  private skipLeft = 0;
  /** An incomplete frame header, or an incomplete HEADERS frame, waiting for more bytes. */
  private held: Buffer | undefined;

  constructor(options: AuthorityFrameFilterOptions = {}) {
    this.acksToDrop = options.dropFirstSettingsAck === true ? 1 : 0;
  }

  /** Feeds one chunk read from the client; forwards the bytes nghttp2 should see via `emit`. */
  push(input: Buffer, emit: Emit): void {
    if (this.passthrough) {
      emit(input);
      return;
    }
    let chunk = input;
    if (this.prefaceSeen < HTTP2_CLIENT_PREFACE.length) {
      const n = Math.min(HTTP2_CLIENT_PREFACE.length - this.prefaceSeen, chunk.length);
      if (!HTTP2_CLIENT_PREFACE.subarray(this.prefaceSeen, this.prefaceSeen + n).equals(chunk.subarray(0, n))) {
        this.passthrough = true;
        emit(chunk);
        return;
      }
      this.prefaceSeen += n;
      if (n === chunk.length) {
        emit(chunk);
        return;
      }
      emit(chunk.subarray(0, n));
      chunk = chunk.subarray(n);
    }
    if (this.held !== undefined) {
      const rest = this.completeHeld(chunk, emit);
      if (rest === undefined) return;
      chunk = rest;
    }
    this.scan(chunk, emit);
  }

  /** Bytes held back for an incomplete frame (0 when nothing is waiting). */
  get heldBytes(): number {
    return this.held?.length ?? 0;
  }

  /** The fast path: walks the frame headers in `chunk`, forwarding it whole unless a frame is rewritten or split. */
  private scan(chunk: Buffer, emit: Emit): void {
    const length = chunk.length;
    let pos = Math.min(this.skipLeft, length);
    this.skipLeft -= pos;
    let emitFrom = 0;
    while (pos < length) {
      if (length - pos < FRAME_HEADER_BYTES) {
        this.held = chunk.subarray(pos);
        break;
      }
      const payloadBytes = (chunk[pos]! << 16) | (chunk[pos + 1]! << 8) | chunk[pos + 2]!;
      const frameEnd = pos + FRAME_HEADER_BYTES + payloadBytes;
      const type = chunk[pos + 3];
      if (type !== FRAME_TYPE_HEADERS || payloadBytes > DEFAULT_MAX_FRAME_SIZE) {
        if (this.acksToDrop > 0 && type === FRAME_TYPE_SETTINGS && chunk[pos + 4]! & FLAG_ACK && payloadBytes === 0) {
          this.acksToDrop--;
          if (pos > emitFrom) emit(chunk.subarray(emitFrom, pos));
          emitFrom = frameEnd;
          pos = frameEnd;
          continue;
        }
        if (frameEnd > length) {
          this.skipLeft = frameEnd - length;
          pos = length;
          break;
        }
        pos = frameEnd;
        continue;
      }
      if (frameEnd > length) {
        this.held = chunk.subarray(pos);
        break;
      }
      const rewritten = this.rewriteFrame(chunk, pos, frameEnd);
      if (rewritten !== undefined) {
        if (pos > emitFrom) emit(chunk.subarray(emitFrom, pos));
        emit(rewritten);
        emitFrom = frameEnd;
      }
      pos = frameEnd;
    }
    const emitTo = this.held === undefined ? length : pos;
    if (emitFrom === 0 && emitTo === length) emit(chunk);
    else if (emitTo > emitFrom) emit(chunk.subarray(emitFrom, emitTo));
  }

  /** Adds bytes from `chunk` to the held frame; returns the rest of the chunk once it is complete. */
  private completeHeld(chunk: Buffer, emit: Emit): Buffer | undefined {
    let held = this.held as Buffer;
    let taken = 0;
    if (held.length < FRAME_HEADER_BYTES) {
      taken = Math.min(FRAME_HEADER_BYTES - held.length, chunk.length);
      held = Buffer.concat([held, chunk.subarray(0, taken)]);
      if (held.length < FRAME_HEADER_BYTES) {
        this.held = held;
        return undefined;
      }
    }
    const payloadBytes = (held[0]! << 16) | (held[1]! << 8) | held[2]!;
    if (held[3] !== FRAME_TYPE_HEADERS || payloadBytes > DEFAULT_MAX_FRAME_SIZE) {
      this.held = undefined;
      if (this.acksToDrop > 0 && held[3] === FRAME_TYPE_SETTINGS && held[4]! & FLAG_ACK && payloadBytes === 0) {
        this.acksToDrop--;
        return chunk.subarray(taken);
      }
      emit(held);
      this.skipLeft = payloadBytes;
      return chunk.subarray(taken);
    }
    const frameBytes = FRAME_HEADER_BYTES + payloadBytes;
    const more = Math.min(frameBytes - held.length, chunk.length - taken);
    if (more > 0) held = Buffer.concat([held, chunk.subarray(taken, taken + more)]);
    taken += more;
    if (held.length < frameBytes) {
      this.held = held;
      return undefined;
    }
    this.held = undefined;
    emit(this.rewriteFrame(held, 0, held.length) ?? held);
    return chunk.subarray(taken);
  }

  /** The HEADERS frame at [start, end) of `buf` -> the frame with :authority re-encoded, or undefined to keep it. */
  private rewriteFrame(buf: Buffer, start: number, end: number): Buffer | undefined {
    const flags = buf[start + 4]!;
    if ((flags & FLAG_END_HEADERS) === 0) return undefined;
    let blockStart = start + FRAME_HEADER_BYTES;
    let padBytes = 0;
    if (flags & FLAG_PADDED) {
      if (end <= blockStart) return undefined;
      padBytes = buf[blockStart]!;
      blockStart++;
    }
    if (flags & FLAG_PRIORITY) blockStart += PRIORITY_FIELDS_BYTES;
    const blockEnd = end - padBytes;
    if (blockEnd < blockStart) return undefined;
    const block = rewriteAuthorityInBlock(buf, blockStart, blockEnd);
    if (block === undefined) return undefined;
    const prefixBytes = blockStart - start;
    const payloadBytes = prefixBytes - FRAME_HEADER_BYTES + block.length + padBytes;
    if (payloadBytes > DEFAULT_MAX_FRAME_SIZE) return undefined;
    const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payloadBytes);
    buf.copy(out, 0, start, blockStart);
    out[0] = payloadBytes >>> 16;
    out[1] = (payloadBytes >>> 8) & 0xff;
    out[2] = payloadBytes & 0xff;
    block.copy(out, prefixBytes);
    buf.copy(out, prefixBytes + block.length, blockEnd, end);
    this.rewrites++;
    return out;
  }
}
