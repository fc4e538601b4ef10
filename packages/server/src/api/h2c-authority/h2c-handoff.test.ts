import http2 from 'node:http2';
import net from 'node:net';
import { HTTP2_CLIENT_PREFACE } from './frame-filter';
import { encodeRawString } from './hpack-block';
import { HandoffPeek, handOffH2c, settingsFrame, type HandoffPath } from './h2c-handoff';
import { captureClientBytes, frame, parseFrames } from './test-frames';

const URL_AUTHORITY = 'http://127.0.0.1:2379';
const SETTINGS = 0x4;
const HEADERS = 0x1;
const ACK = 0x1;
const END_HEADERS_AND_STREAM = 0x5;
const GOAWAY = 0x7;
const settingsAck = frame(SETTINGS, ACK, 0, Buffer.alloc(0));

/** Inserts a SETTINGS ACK right after the client's own first SETTINGS frame. */
function withAck(bytes: Buffer): Buffer {
  const firstSettingsEnd = HTTP2_CLIENT_PREFACE.length + 9 + bytes.readUIntBE(HTTP2_CLIENT_PREFACE.length, 3);
  return Buffer.concat([bytes.subarray(0, firstSettingsEnd), settingsAck, bytes.subarray(firstSettingsEnd)]);
}

/** A captured client stream without its SETTINGS ACKs (the capturing server sent a SETTINGS too). */
function withoutAcks(bytes: Buffer): Buffer {
  const kept = parseFrames(bytes).filter((f) => !(f.type === SETTINGS && f.flags & ACK));
  return Buffer.concat([HTTP2_CLIENT_PREFACE, ...kept.map((f) => frame(f.type, f.flags, f.streamId, f.payload))]);
}

describe('HandoffPeek', () => {
  let clean: Buffer;
  let url: Buffer;
  beforeAll(async () => {
    clean = withoutAcks(await captureClientBytes([{ ':path': '/a', ':authority': '127.0.0.1:2379' }]));
    url = withoutAcks(await captureClientBytes([{ ':path': '/a', ':authority': URL_AUTHORITY }]));
    expect(parseFrames(url).map((f) => f.type)).toContain(HEADERS);
  });

  it('cuts out the first SETTINGS ACK and judges the first HEADERS', () => {
    for (const [bytes, needsFilter] of [[clean, false], [url, true]] as const) {
      const peek = new HandoffPeek();
      peek.push(withAck(bytes));
      expect(peek.ackRemoved).toBe(true);
      expect(peek.needsFilter).toBe(needsFilter);
      expect(peek.held).toEqual(bytes);
    }
  });

  it('gets the same answer from bytes arriving one at a time', () => {
    const input = withAck(url);
    const peek = new HandoffPeek();
    for (let i = 0; i < input.length; i++) peek.push(input.subarray(i, i + 1));
    expect([peek.ackRemoved, peek.needsFilter]).toEqual([true, true]);
    expect(peek.held).toEqual(url);
  });

  it('waits while there is no ACK or no complete HEADERS yet, and removes only one ACK', () => {
    const peek = new HandoffPeek();
    peek.push(url);
    expect([peek.ackRemoved, peek.needsFilter]).toEqual([false, true]);
    peek.push(Buffer.concat([settingsAck, settingsAck]));
    expect(peek.ackRemoved).toBe(true);
    expect(peek.held).toEqual(Buffer.concat([url, settingsAck]));
    const early = new HandoffPeek();
    early.push(Buffer.concat([HTTP2_CLIENT_PREFACE, settingsAck]));
    expect([early.ackRemoved, early.needsFilter]).toEqual([true, undefined]);
  });

  it('spots a connection that is not HTTP/2 after all', () => {
    const peek = new HandoffPeek();
    peek.push(Buffer.from('PRI * HTTP/1.1\r\n'));
    expect(peek.notHttp2).toBe(true);
  });

  it('writes the SETTINGS frame node:http2 itself sends', () => {
    expect(settingsFrame({ maxConcurrentStreams: 10 }).toString('hex')).toBe('00000604000000000000030000000a');
    expect(settingsFrame({}).toString('hex')).toBe('000000040000000000');
  });
});

describe('handOffH2c', () => {
  const SETTINGS_USED = { maxConcurrentStreams: 7 };
  let server: net.Server;
  let port: number;
  const paths: HandoffPath[] = [];
  const seen: string[] = [];
  let holdLimitMs = 100;
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    const h2 = http2.createServer({ settings: SETTINGS_USED });
    h2.on('stream', (stream, headers) => {
      seen.push(String(headers[':authority']));
      stream.respond({ ':status': 200 });
      stream.end('ok');
    });
    server = net.createServer((socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.pause();
      handOffH2c(socket, h2, { settings: SETTINGS_USED, holdLimitMs, onHandoff: (p) => paths.push(p) });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    paths.length = 0;
    seen.length = 0;
    // Long enough for a client's ACK on a loaded machine; the fall-back tests shorten it.
    holdLimitMs = 5_000;
  });
  const waitFor = async (cond: () => boolean): Promise<void> => {
    while (!cond()) await new Promise((r) => setTimeout(r, 10));
  };

  function request(client: http2.ClientHttp2Session, authority?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = client.request({ ':path': '/x', ...(authority === undefined ? {} : { ':authority': authority }) });
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => resolve(body));
      req.on('error', reject);
      req.end();
    });
  }

  it('hands a connection with a plain authority over natively, with the right settings from the start', async () => {
    const client = http2.connect(`http://127.0.0.1:${port}`);
    const firstSettings = new Promise<http2.Settings>((resolve) => client.once('remoteSettings', resolve));
    try {
      for (let i = 0; i < 3; i++) expect(await request(client)).toBe('ok');
      await new Promise<void>((resolve, reject) => client.ping((err) => (err ? reject(err) : resolve())));
      expect((await firstSettings).maxConcurrentStreams).toBe(7);
      expect(paths).toEqual(['native']);
      expect(seen).toEqual([`127.0.0.1:${port}`, `127.0.0.1:${port}`, `127.0.0.1:${port}`]);
    } finally {
      client.destroy();
    }
  });

  it('hands a connection whose first request has a URL authority to the filter', async () => {
    const client = http2.connect(`http://127.0.0.1:${port}`);
    try {
      for (let i = 0; i < 3; i++) expect(await request(client, URL_AUTHORITY)).toBe('ok');
      expect(await request(client)).toBe('ok');
      expect(paths).toEqual(['filtered']);
      expect(seen).toEqual(['http:--127.0.0.1:2379', 'http:--127.0.0.1:2379', 'http:--127.0.0.1:2379', `127.0.0.1:${port}`]);
    } finally {
      client.destroy();
    }
  });

  it('falls back to the filter for a client that sends no request within the hold limit', async () => {
    holdLimitMs = 50;
    const client = http2.connect(`http://127.0.0.1:${port}`);
    try {
      await new Promise<void>((resolve) => client.once('remoteSettings', () => resolve()));
      await waitFor(() => paths.length > 0);
      expect(paths).toEqual(['filtered']);
      expect(await request(client, URL_AUTHORITY)).toBe('ok');
      await new Promise<void>((resolve, reject) => client.ping((err) => (err ? reject(err) : resolve())));
      expect(seen).toEqual(['http:--127.0.0.1:2379']);
    } finally {
      client.destroy();
    }
  });

  it('the filter drops the ACK of the early SETTINGS when it comes after the hand-off', async () => {
    // A raw client: preface, SETTINGS, a request, and no ACK until the hold limit has passed.
    const socket = net.connect(port, '127.0.0.1');
    const reply: Buffer[] = [];
    socket.on('data', (c: Buffer) => reply.push(c));
    const frames = (): ReturnType<typeof parseFrames> => parseFrames(Buffer.concat(reply));
    holdLimitMs = 50;
    const headers = (streamId: number): Buffer => frame(HEADERS, END_HEADERS_AND_STREAM, streamId, Buffer.concat([Buffer.from([0x82, 0x86, 0x84, 0x01]), encodeRawString(Buffer.from('127.0.0.1:1'))]));
    try {
      socket.write(Buffer.concat([HTTP2_CLIENT_PREFACE, frame(SETTINGS, 0, 0, Buffer.alloc(0)), headers(1)]));
      await waitFor(() => paths.length > 0);
      expect(paths).toEqual(['filtered']);
      // Two SETTINGS came (ours, then nghttp2's): ACK both, as a client does, then ask again.
      await waitFor(() => frames().filter((f) => f.type === SETTINGS && (f.flags & ACK) === 0).length >= 2);
      socket.write(Buffer.concat([settingsAck, settingsAck, headers(3)]));
      await waitFor(() => seen.length >= 2);
      expect(seen).toEqual(['127.0.0.1:1', '127.0.0.1:1']);
      expect(frames().some((f) => f.type === GOAWAY)).toBe(false);
    } finally {
      socket.destroy();
    }
  });
});

describe('handOffH2c on a client that half-closes before its first request', () => {
  it('closes the connection without an error', async () => {
    const h2 = http2.createServer();
    const paths: HandoffPath[] = [];
    let closed!: () => void;
    const socketClosed = new Promise<void>((resolve) => (closed = resolve));
    const server = net.createServer((socket) => {
      socket.pause();
      socket.once('close', (hadError) => {
        expect(hadError).toBe(false);
        closed();
      });
      handOffH2c(socket, h2, { onHandoff: (p) => paths.push(p) });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    client.on('data', () => {});
    client.end(Buffer.concat([HTTP2_CLIENT_PREFACE, frame(SETTINGS, 0, 0, Buffer.alloc(0))]));
    await socketClosed;
    expect(paths).toEqual([]);
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
