// Hands an accepted h2c connection to node:http2 natively whenever possible. Wrapping a socket
// for the :authority filter costs every request on it (node:http2 then runs over its JS stream
// adapter: each write completes a tick later, and an error object is built per finished stream),
// so the filter is used only on connections that need it. To find out, the hand-off answers the
// client's preface itself with the SETTINGS frame node:http2 is going to send (node:http2 sends
// its own, identical, right after: a second SETTINGS is legal), then reads until it has both
// the client's ACK of that frame (removed: nghttp2 would take it for the ACK of its own) and the
// first HEADERS frame. A clean :authority there means a native hand-off; a URL :authority, or no
// answer within the hold limits, means the filtered one. A client uses one authority per
// connection (grpc-go fixes it per transport), so the first request decides for the rest.

import http2 from 'node:http2';
import type net from 'node:net';
import {
  AuthorityFrameFilter,
  FLAG_ACK,
  FLAG_END_HEADERS,
  FLAG_PADDED,
  FLAG_PRIORITY,
  FRAME_HEADER_BYTES,
  FRAME_TYPE_HEADERS,
  FRAME_TYPE_SETTINGS,
  HTTP2_CLIENT_PREFACE,
} from './frame-filter';
import { filterH2cSocket } from './filtered-socket';
import { rewriteAuthorityInBlock } from './hpack-block';

/**
 * Longest wait for the first request before falling back to the (always correct) filtered path.
 * Short: until the hand-off there is no session, so no server keepalive PING and no answer to the
 * client's; clients that dial and call at once (etcdctl, benchmarks) decide well within it.
 */
export const HANDOFF_HOLD_LIMIT_MS = 100;
/**
 * The client listener's hold limit when the server does not ping more often: clients that dial at
 * start-up and call a little later (clientv3 dials blocking) still get the native path.
 */
export const HANDOFF_HOLD_MAX_MS = 2_000;
/** Most client bytes held while waiting (a first HEADERS frame is far smaller). */
export const HANDOFF_HOLD_LIMIT_BYTES = 64 * 1024;
const PRIORITY_FIELDS_BYTES = 5;

export type HandoffPath = 'native' | 'filtered';

export interface H2cHandoffOptions {
  /** The `settings` the http2 server was created with: sent first, exactly as node:http2 will. */
  readonly settings?: http2.Settings;
  readonly holdLimitMs?: number;
  readonly holdLimitBytes?: number;
  /** Told which path the connection took (tests, metrics). */
  readonly onHandoff?: (path: HandoffPath) => void;
}

/**
 * Takes over a paused socket whose first bytes (at least the start of the HTTP/2 preface) were
 * unshifted back, and emits 'connection' on `h2` with it, or with its filtered wrapper.
 */
export function handOffH2c(socket: net.Socket, h2: http2.Http2Server, options: H2cHandoffOptions = {}): void {
  const holdLimitBytes = options.holdLimitBytes ?? HANDOFF_HOLD_LIMIT_BYTES;
  const peek = new HandoffPeek();
  let done = false;
  const finish = (path: HandoffPath): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.pause();
    if (peek.held.length > 0) socket.unshift(peek.held);
    options.onHandoff?.(path);
    if (path === 'native') {
      h2.emit('connection', socket);
    } else {
      h2.emit('connection', filterH2cSocket(socket, new AuthorityFrameFilter({ dropFirstSettingsAck: !peek.ackRemoved })));
    }
  };
  const onData = (chunk: Buffer): void => {
    peek.push(chunk);
    if (peek.notHttp2) finish('native');
    else if (peek.ackRemoved && peek.needsFilter !== undefined) finish(peek.needsFilter ? 'filtered' : 'native');
    else if (peek.held.length > holdLimitBytes) finish('filtered');
  };
  // No request in time: the filtered path is right whatever comes.
  const timer = setTimeout(() => finish('filtered'), options.holdLimitMs ?? HANDOFF_HOLD_LIMIT_MS);
  timer.unref();
  // The client half-closed before its first request: nothing can be answered any more (the
  // listener does not allow half-open sockets), and held bytes cannot be unshifted after 'end'.
  const onEnd = (): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    socket.destroy();
  };
  socket.on('data', onData);
  socket.once('end', onEnd);
  socket.once('close', () => clearTimeout(timer));
  socket.write(settingsFrame(options.settings ?? {}));
  socket.resume();
}

/** The SETTINGS frame node:http2 opens a server session with (its payload is getPackedSettings). */
export function settingsFrame(settings: http2.Settings): Buffer {
  const payload = http2.getPackedSettings(settings);
  const header = Buffer.from([0, 0, 0, FRAME_TYPE_SETTINGS, 0, 0, 0, 0, 0]);
  header.writeUIntBE(payload.length, 0, 3);
  return Buffer.concat([header, payload]);
}

/**
 * The client's first bytes, held: the first SETTINGS ACK is cut out (it can only answer our
 * SETTINGS, sent first) and the first complete HEADERS frame is judged.
 */
export class HandoffPeek {
  held: Buffer = Buffer.alloc(0);
  ackRemoved = false;
  /** undefined until the first HEADERS frame is complete; then whether it needs the filter. */
  needsFilter: boolean | undefined;
  /** Not an HTTP/2 preface: nghttp2 should answer it as it always did. */
  notHttp2 = false;
  /** Where the next unread frame starts in `held`. */
  private pos = HTTP2_CLIENT_PREFACE.length;

  push(chunk: Buffer): void {
    this.held = this.held.length === 0 ? chunk : Buffer.concat([this.held, chunk]);
    const prefaceBytes = Math.min(this.held.length, HTTP2_CLIENT_PREFACE.length);
    if (!HTTP2_CLIENT_PREFACE.subarray(0, prefaceBytes).equals(this.held.subarray(0, prefaceBytes))) {
      this.notHttp2 = true;
      return;
    }
    while (this.pos + FRAME_HEADER_BYTES <= this.held.length) {
      const buf = this.held;
      const pos = this.pos;
      const payloadBytes = buf.readUIntBE(pos, 3);
      const type = buf[pos + 3];
      const end = pos + FRAME_HEADER_BYTES + payloadBytes;
      if (!this.ackRemoved && type === FRAME_TYPE_SETTINGS && buf[pos + 4]! & FLAG_ACK && payloadBytes === 0) {
        this.held = Buffer.concat([buf.subarray(0, pos), buf.subarray(end)]);
        this.ackRemoved = true;
        continue;
      }
      if (end > buf.length) break;
      if (type === FRAME_TYPE_HEADERS && this.needsFilter === undefined) this.needsFilter = headersNeedFilter(buf, pos, end);
      this.pos = end;
    }
  }
}

/** Whether a complete HEADERS frame carries an :authority the filter would rewrite (or cannot be judged). */
function headersNeedFilter(buf: Buffer, start: number, end: number): boolean {
  const flags = buf[start + 4]!;
  if ((flags & FLAG_END_HEADERS) === 0) return true;
  let blockStart = start + FRAME_HEADER_BYTES;
  let padBytes = 0;
  if (flags & FLAG_PADDED) {
    if (end <= blockStart) return false;
    padBytes = buf[blockStart]!;
    blockStart++;
  }
  if (flags & FLAG_PRIORITY) blockStart += PRIORITY_FIELDS_BYTES;
  const blockEnd = end - padBytes;
  if (blockEnd < blockStart) return false;
  return rewriteAuthorityInBlock(buf, blockStart, blockEnd) !== undefined;
}
