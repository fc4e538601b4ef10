// Test helpers: building and listing HTTP/2 frames, and capturing what Node's own http2 client
// sends (real HPACK header blocks) for given requests.

import http2 from 'node:http2';
import net from 'node:net';
import { FRAME_HEADER_BYTES, HTTP2_CLIENT_PREFACE } from './frame-filter';

export interface Frame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

export function frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}

/** The frames of a client byte stream (after the preface); a trailing partial frame is ignored. */
export function parseFrames(bytes: Buffer): Frame[] {
  const frames: Frame[] = [];
  let pos = bytes.subarray(0, HTTP2_CLIENT_PREFACE.length).equals(HTTP2_CLIENT_PREFACE) ? HTTP2_CLIENT_PREFACE.length : 0;
  while (pos + FRAME_HEADER_BYTES <= bytes.length) {
    const length = bytes.readUIntBE(pos, 3);
    const end = pos + FRAME_HEADER_BYTES + length;
    if (end > bytes.length) break;
    frames.push({
      type: bytes[pos + 3]!,
      flags: bytes[pos + 4]!,
      streamId: bytes.readUInt32BE(pos + 5) & 0x7fffffff,
      payload: bytes.subarray(pos + FRAME_HEADER_BYTES, end),
    });
    pos = end;
  }
  return frames;
}

export type RequestHeaders = Record<string, string>;

/**
 * Everything Node's http2 client writes for `requests` (sent one after another on one session,
 * each ended at once), up to the last request's HEADERS. The fake server only answers SETTINGS.
 */
export async function captureClientBytes(requests: readonly RequestHeaders[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let notify = (): void => {};
  const server = net.createServer((socket) => {
    socket.write(frame(0x4, 0, 0, Buffer.alloc(0)));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      notify();
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const client = http2.connect(`http://127.0.0.1:${port}`);
  client.on('error', () => {});
  try {
    for (const headers of requests) {
      const req = client.request(headers, { endStream: true });
      req.on('error', () => {});
    }
    const headersFrames = (): number => parseFrames(Buffer.concat(chunks)).filter((f) => f.type === 0x1).length;
    await new Promise<void>((resolve) => {
      notify = () => {
        if (headersFrames() >= requests.length) resolve();
      };
      notify();
    });
    return Buffer.concat(chunks);
  } finally {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
