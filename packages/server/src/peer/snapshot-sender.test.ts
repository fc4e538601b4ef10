import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MessageType, type Message } from '../raft/types';
import { decodeMessage } from './raft-codec';
import { postSnapshot, readSnapshotBody } from './snapshot-sender';

const snapMsg: Message = {
  type: MessageType.MsgSnap,
  to: 5n,
  from: 1n,
  term: 2,
  logTerm: 0,
  index: 0,
  entries: [],
  commit: 0,
  reject: false,
  rejectHint: 0,
  context: new Uint8Array(0),
  snapshot: { data: new Uint8Array([1]), metadata: { index: 77, term: 2, confState: { voters: [1n], learners: [5n] } } },
};

async function* chunks(total: number, size: number): AsyncIterable<Uint8Array> {
  for (let off = 0; off < total; off += size) yield Buffer.alloc(Math.min(size, total - off), off % 251);
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

describe('snapshot transfer body', () => {
  let server: http.Server;
  let url: string;
  let received: { message: Message; image: Buffer } | Error | undefined;
  let corruptNext = false;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      void (async () => {
        try {
          let body: AsyncIterable<Buffer> = req;
          if (corruptNext) {
            // flip one byte of the image on the way in
            body = (async function* () {
              let flipped = false;
              for await (const c of req as AsyncIterable<Buffer>) {
                const copy = Buffer.from(c);
                if (!flipped && copy.length > 1000) {
                  copy[copy.length - 500]! ^= 0xff;
                  flipped = true;
                }
                yield copy;
              }
            })();
          }
          const b = await readSnapshotBody(body);
          const image = await collect(b.image);
          b.verify();
          received = { message: decodeMessage(b.message), image };
          res.statusCode = 204;
          res.end();
        } catch (err) {
          received = err as Error;
          res.statusCode = 400;
          res.end(String(err));
        }
      })();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('streams the MsgSnap and a multi-chunk image intact', async () => {
    corruptNext = false;
    await postSnapshot(url, { selfId: 1n, clusterId: 9n }, snapMsg, chunks(300_000, 32 * 1024));
    expect(received).not.toBeInstanceOf(Error);
    const r = received as { message: Message; image: Buffer };
    expect(r.message.snapshot?.metadata.index).toBe(77);
    expect(r.image.equals(await collect(chunks(300_000, 32 * 1024)))).toBe(true);
  });

  it('a corrupted image fails the checksum and the sender sees the refusal', async () => {
    corruptNext = true;
    await expect(postSnapshot(url, { selfId: 1n, clusterId: 9n }, snapMsg, chunks(100_000, 32 * 1024))).rejects.toThrow(/checksum mismatch/);
    expect(received).toBeInstanceOf(Error);
  });
});
