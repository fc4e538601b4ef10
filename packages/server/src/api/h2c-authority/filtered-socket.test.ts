import http2 from 'node:http2';
import net from 'node:net';
import { filterH2cSocket } from './filtered-socket';
import { captureClientBytes, parseFrames } from './test-frames';

const URL_AUTHORITY = 'http://127.0.0.1:2379';
const REWRITTEN = 'http:--127.0.0.1:2379';
const RST_STREAM = 0x3;
const PROTOCOL_ERROR = 0x1;

interface Seen {
  authority: string | undefined;
  path: string | undefined;
  body: number;
}

/** A node:http2 server fed through a TCP listener, with or without the filter in between. */
async function startServer(filtered: boolean): Promise<{ port: number; seen: Seen[]; sessions: http2.ServerHttp2Session[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const sessions: http2.ServerHttp2Session[] = [];
  const h2 = http2.createServer();
  h2.on('session', (session) => sessions.push(session));
  h2.on('stream', (stream, headers) => {
    let body = 0;
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => {
      body += chunk.length;
      chunks.push(chunk);
    });
    stream.on('end', () => {
      seen.push({ authority: headers[':authority'], path: headers[':path'], body });
      stream.respond({ ':status': 200 });
      stream.end(Buffer.concat(chunks));
    });
  });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    h2.emit('connection', filtered ? filterH2cSocket(socket) : socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    sessions,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function request(client: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = client.request(headers);
    const chunks: Buffer[] = [];
    let status = 0;
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve({ status, body: Buffer.concat(chunks) }));
    req.on('error', reject);
    req.end(body);
  });
}

/** Writes `bytes` on a raw TCP connection in `chunkBytes`-sized writes; resolves with what came back once `done` says so. */
async function rawExchange(port: number, bytes: Buffer, chunkBytes: number, done: (reply: Buffer) => boolean): Promise<Buffer> {
  const socket = net.connect(port, '127.0.0.1');
  const reply: Buffer[] = [];
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      socket.on('data', (c: Buffer) => {
        reply.push(c);
        if (done(Buffer.concat(reply))) resolve(Buffer.concat(reply));
      });
      socket.on('error', reject);
      socket.on('connect', async () => {
        for (let i = 0; i < bytes.length; i += chunkBytes) {
          socket.write(bytes.subarray(i, i + chunkBytes));
          await new Promise((r) => setImmediate(r));
        }
      });
    });
  } finally {
    socket.destroy();
  }
}

/** Server frames (no preface to skip: parseFrames only skips a client preface). */
const serverFrames = (reply: Buffer) => parseFrames(reply);

describe('filterH2cSocket in front of node:http2', () => {
  it('without the filter nghttp2 resets a stream whose :authority is a URL (the bug)', async () => {
    const server = await startServer(false);
    const client = http2.connect(`http://127.0.0.1:${server.port}`);
    try {
      await expect(request(client, { ':path': '/x', ':authority': URL_AUTHORITY })).rejects.toThrow(/PROTOCOL_ERROR|RST_STREAM|stream error/i);
      expect(server.seen).toHaveLength(0);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it('with the filter the request reaches the server with the URL rewritten, and every later request too', async () => {
    const server = await startServer(true);
    const client = http2.connect(`http://127.0.0.1:${server.port}`);
    try {
      for (let i = 0; i < 5; i++) {
        const res = await request(client, { ':method': 'POST', ':path': `/p${i}`, ':authority': URL_AUTHORITY }, Buffer.from(`b${i}`));
        expect(res).toEqual({ status: 200, body: Buffer.from(`b${i}`) });
      }
      expect(server.seen).toEqual([0, 1, 2, 3, 4].map((i) => ({ authority: REWRITTEN, path: `/p${i}`, body: 2 })));
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it('carries ordinary traffic unchanged: plain authorities, concurrent streams, large bodies both ways', async () => {
    const server = await startServer(true);
    const client = http2.connect(`http://127.0.0.1:${server.port}`);
    try {
      const big = Buffer.alloc(3 * 1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
      const results = await Promise.all([
        request(client, { ':method': 'POST', ':path': '/big' }, big),
        ...Array.from({ length: 50 }, (_, i) => request(client, { ':method': 'POST', ':path': `/s${i}`, 'x-meta': 'v'.repeat(i * 10) }, Buffer.from(String(i)))),
      ]);
      expect(results[0]!.body.equals(big)).toBe(true);
      results.slice(1).forEach((r, i) => expect(r.body.toString()).toBe(String(i)));
      expect(server.seen.filter((s) => s.authority === `127.0.0.1:${server.port}`)).toHaveLength(51);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it('a real client byte stream delivered a few bytes per TCP write still decodes right on the server', async () => {
    const requests = [1, 2, 3].map((n) => ({ ':method': 'GET', ':path': `/r${n}`, ':authority': URL_AUTHORITY, 'x-n': String(n) }));
    const bytes = await captureClientBytes(requests);
    for (const filtered of [true, false]) {
      const server = await startServer(filtered);
      try {
        const reply = await rawExchange(server.port, bytes, 7, (r) => {
          const frames = serverFrames(r);
          // filtered: three responses end their streams; unfiltered: the first stream is reset
          return filtered ? frames.filter((f) => f.type === 0x0 && f.flags & 0x1).length >= 3 : frames.some((f) => f.type === RST_STREAM);
        });
        if (filtered) {
          expect(server.seen.map((s) => [s.authority, s.path])).toEqual([1, 2, 3].map((n) => [REWRITTEN, `/r${n}`]));
        } else {
          const rst = serverFrames(reply).find((f) => f.type === RST_STREAM)!;
          expect(rst.payload.readUInt32BE(0)).toBe(PROTOCOL_ERROR);
          expect(server.seen).toHaveLength(0);
        }
      } finally {
        await server.close();
      }
    }
  });

  it('closes the server session when the client goes away', async () => {
    const server = await startServer(true);
    const client = http2.connect(`http://127.0.0.1:${server.port}`);
    try {
      await request(client, { ':path': '/x', ':authority': URL_AUTHORITY });
      expect(server.sessions).toHaveLength(1);
      const session = server.sessions[0]!;
      const closed = new Promise<void>((resolve) => session.once('close', resolve));
      client.destroy();
      await closed;
      expect(session.destroyed).toBe(true);
    } finally {
      await server.close();
    }
  });
});
