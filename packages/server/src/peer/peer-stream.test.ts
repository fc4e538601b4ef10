// PeerStream on the wire, read by a bare HTTP upgrade handler (no ws server in between): the
// frame is a masked binary frame whose masking key is zero, so its payload bytes are exactly
// encodeBatch() of the queued messages (no copy + XOR on the sender, no unmask pass on the peer).

import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import pino from 'pino';
import { EntryType, MessageType, type Message } from '../raft/types';
import { PeerStream } from './peer-stream';
import { decodeBatch, encodeBatch } from './raft-codec';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function msgApp(index: number): Message {
  return {
    type: MessageType.MsgApp,
    to: 2n,
    from: 1n,
    term: 4,
    logTerm: 4,
    index: index - 1,
    entries: [{ type: EntryType.Normal, term: 4, index, data: new Uint8Array(200).fill(index & 0xff) }],
    commit: index - 1,
    reject: false,
    rejectHint: 0,
    context: new Uint8Array(0),
  };
}

/** Reads one whole client frame from `buf`, or undefined while incomplete. */
function parseFrame(buf: Buffer): { opcode: number; masked: boolean; mask: Buffer; payload: Buffer } | undefined {
  if (buf.length < 2) return undefined;
  const opcode = buf[0]! & 0x0f;
  const masked = (buf[1]! & 0x80) !== 0;
  let len = buf[1]! & 0x7f;
  let off = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    off = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    off = 10;
  }
  const mask = masked ? buf.subarray(off, off + 4) : Buffer.alloc(0);
  if (masked) off += 4;
  if (buf.length < off + len) return undefined;
  return { opcode, masked, mask, payload: buf.subarray(off, off + len) };
}

describe('PeerStream frames', () => {
  let server: http.Server;
  let port = 0;
  const sockets: Socket[] = [];
  let received = Buffer.alloc(0);
  let onData: (() => void) | undefined;
  let stream: PeerStream | undefined;

  beforeAll(async () => {
    server = http.createServer();
    server.on('upgrade', (req, socket: Socket) => {
      sockets.push(socket);
      const key = String(req.headers['sec-websocket-key']);
      const accept = crypto.createHash('sha1').update(key + WS_GUID).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        onData?.();
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    stream?.close();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends one binary frame per flush with a zero masking key and the batch as its exact payload', async () => {
    stream = new PeerStream(
      { selfId: 1n, peerId: 2n, clusterId: 7n, logger: pino({ level: 'silent' }), onUnreachable: () => undefined, onRemovedSelf: () => undefined },
      [`http://127.0.0.1:${port}`],
    );
    const deadline = Date.now() + 5000;
    while (!stream.isOpen) {
      if (Date.now() > deadline) throw new Error('stream did not open');
      await new Promise((r) => setTimeout(r, 10));
    }
    const batch = [msgApp(10), msgApp(11), { ...msgApp(12), entries: [] }];
    for (const m of batch) stream.send(m);
    const frame = await new Promise<NonNullable<ReturnType<typeof parseFrame>>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no frame')), 5000);
      onData = () => {
        const f = parseFrame(received);
        if (f === undefined) return;
        clearTimeout(timer);
        resolve(f);
      };
    });
    expect(frame.opcode).toBe(2); // binary
    expect(frame.masked).toBe(true); // clients must set the mask bit...
    expect([...frame.mask]).toEqual([0, 0, 0, 0]); // ...with a zero key: the payload is not XORed
    expect(Buffer.compare(frame.payload, encodeBatch(batch))).toBe(0);
    expect(decodeBatch(frame.payload)).toEqual(batch);
  });
});
