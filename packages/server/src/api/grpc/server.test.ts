// The gRPC layer against @grpc/grpc-js as the client: unary, server/client/bidi streams, status
// codes and messages, unknown paths, the receive limit, cancellation and deadlines.

import * as grpcJs from '@grpc/grpc-js';
import http2 from 'node:http2';
import {
  ErrKeyNotFound,
  EtcdError,
  GrpcStatus,
  KVDefinition,
  MaintenanceDefinition,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  SnapshotRequest,
  SnapshotResponse,
  WatchDefinition,
  WatchRequest,
  WatchResponse,
  type ServiceDefinition,
} from '@tsetcd/api';
import { listenClientUrl, type ClientListener } from '../client-listener';
import { HttpRouter } from '../http/router';
import { GrpcServer } from './server';
import type { RequestContext } from '../../etcdserver/server-api';
import { frameBytes } from './framing';

interface Codec<T> {
  encode(m: T): { finish(): Uint8Array };
  decode(b: Uint8Array): T;
}

function ser<T>(codec: Codec<T>): (v: T) => Buffer {
  return (v) => Buffer.from(codec.encode(v).finish());
}
function de<T>(codec: Codec<T>): (b: Buffer) => T {
  return (b) => codec.decode(b);
}

/** A client-streaming method: no etcd service has one, so the test defines its own. */
const TestDefinition = {
  name: 'Test',
  fullName: 'tsetcd.test.Test',
  methods: {
    sum: {
      name: 'Sum',
      requestType: PutRequest,
      requestStream: true,
      responseType: PutResponse,
      responseStream: false,
      options: {},
    },
  },
} as const satisfies ServiceDefinition;

const MAX_RECEIVE_BYTES = 64 * 1024;
const FLOOD_MESSAGES = 200;
const FLOOD_BYTES = 64 * 1024;

/** A server-streaming method for the flow-control test. */
const FloodDefinition = {
  name: 'Flood',
  fullName: 'tsetcd.test.Flood',
  methods: {
    flood: {
      name: 'Flood',
      requestType: SnapshotRequest,
      requestStream: false,
      responseType: SnapshotResponse,
      responseStream: true,
      options: {},
    },
  },
} as const satisfies ServiceDefinition;

describe('GrpcServer over node:http2 with a grpc-js client', () => {
  let listener: ClientListener;
  let client: grpcJs.Client;
  const seen: { ctx?: RequestContext; aborted: string[] } = { aborted: [] };
  const logged: unknown[] = [];

  const grpc = new GrpcServer({
    maxReceiveBytes: MAX_RECEIVE_BYTES,
    logger: { error: (o) => logged.push(o), warn() {}, info() {}, debug() {} },
  });
  grpc.addService(KVDefinition, {
    range: async (req, ctx) => {
      seen.ctx = ctx;
      const key = Buffer.from(req.key).toString();
      if (key === 'missing') throw new ErrKeyNotFound();
      if (key === 'boom') throw new Error('kaboom 100% ünïcode');
      if (key === 'weird') throw new EtcdError(GrpcStatus.FAILED_PRECONDITION, 'bad: 50% \n ok ✓');
      if (key === 'delay50') await new Promise((r) => setTimeout(r, 50));
      if (key === 'slow') {
        await new Promise<void>((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            seen.aborted.push(`range:${String((ctx.signal.reason as Error).message)}`);
            resolve();
          });
        });
        return RangeResponse.fromPartial({});
      }
      return RangeResponse.fromPartial({
        count: 1n,
        kvs: [{ key: req.key, value: Buffer.from(`v-${key}`), modRevision: 42n }],
      });
    },
    put: (req) => PutResponse.fromPartial({ header: { revision: BigInt(req.value.length) } }),
  });
  grpc.addService(MaintenanceDefinition, {
    snapshot: async (call) => {
      for (let i = 0; i < 5; i++) await call.send(SnapshotResponse.fromPartial({ remainingBytes: BigInt(4 - i), blob: Buffer.alloc(1000, i) }));
    },
  });
  const backpressure = { seen: false, sent: 0 };
  grpc.addService(FloodDefinition, {
    flood: async (call) => {
      for await (const _req of call.requests) break;
      for (let i = 0; i < FLOOD_MESSAGES; i++) {
        const p = call.send(SnapshotResponse.fromPartial({ remainingBytes: BigInt(i), blob: Buffer.alloc(FLOOD_BYTES, i & 0xff) }));
        let settled = false;
        void p.then(() => { settled = true; });
        await Promise.resolve();
        if (!settled) backpressure.seen = true;
        await p;
        backpressure.sent = i + 1;
      }
    },
  });
  grpc.addService(WatchDefinition, {
    watch: async (call) => {
      for await (const req of call.requests) {
        const key = Buffer.from(req.createRequest?.key ?? []).toString();
        if (key === 'fail') throw new ErrKeyNotFound();
        await call.send(WatchResponse.fromPartial({ watchId: BigInt(key.length), created: true }));
      }
    },
  });
  grpc.addService(TestDefinition, {
    sum: async (call) => {
      let total = 0n;
      for await (const req of call.requests) total += BigInt(Buffer.from(req.value).toString());
      await call.send(PutResponse.fromPartial({ header: { revision: total } }));
    },
  });

  beforeAll(async () => {
    listener = await listenClientUrl({ url: 'http://127.0.0.1:0', grpc, http: new HttpRouter() });
    client = new grpcJs.Client(`127.0.0.1:${listener.port}`, grpcJs.credentials.createInsecure());
  });

  afterAll(async () => {
    client.close();
    await listener.close(100);
  });

  function unary<Req, Res>(path: string, reqCodec: Codec<Req>, resCodec: Codec<Res>, req: Req, md = new grpcJs.Metadata(), options: grpcJs.CallOptions = {}): Promise<Res> {
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest(path, ser(reqCodec), de(resCodec), req, md, options, (err, res) => (err ? reject(err) : resolve(res as Res)));
    });
  }

  function range(key: string, md?: grpcJs.Metadata, options?: grpcJs.CallOptions): Promise<RangeResponse> {
    return unary('/etcdserverpb.KV/Range', RangeRequest, RangeResponse, RangeRequest.fromPartial({ key: Buffer.from(key) }), md, options);
  }

  async function statusOf(p: Promise<unknown>): Promise<grpcJs.ServiceError> {
    try {
      await p;
    } catch (err) {
      return err as grpcJs.ServiceError;
    }
    throw new Error('expected the call to fail');
  }

  it('unary: decodes the request, encodes the response', async () => {
    const res = await range('foo');
    expect(res.count).toBe(1n);
    expect(Buffer.from(res.kvs[0]!.value).toString()).toBe('v-foo');
    expect(res.kvs[0]!.modRevision).toBe(42n);
  });

  it('unary: a synchronous handler result is sent too', async () => {
    const res = await unary('/etcdserverpb.KV/Put', PutRequest, PutResponse, PutRequest.fromPartial({ key: Buffer.from('k'), value: Buffer.from('12345') }));
    expect(res.header?.revision).toBe(5n);
  });

  it('metadata token / authorization / hasleader reach the RequestContext', async () => {
    const md = new grpcJs.Metadata();
    md.set('token', 'tok.1');
    md.set('hasleader', 'true');
    await range('a', md);
    expect(seen.ctx?.authToken).toBe('tok.1');
    expect(seen.ctx?.requireLeader).toBe(true);
    const md2 = new grpcJs.Metadata();
    md2.set('authorization', 'tok.2');
    await range('a', md2);
    expect(seen.ctx?.authToken).toBe('tok.2');
    expect(seen.ctx?.requireLeader).toBeUndefined();
  });

  it('an EtcdError becomes its code and exact message', async () => {
    const err = await statusOf(range('missing'));
    expect(err.code).toBe(grpcJs.status.INVALID_ARGUMENT);
    expect(err.details).toBe('etcdserver: key not found');
  });

  it('messages with %, newlines and non-ASCII survive percent-encoding', async () => {
    const err = await statusOf(range('weird'));
    expect(err.code).toBe(grpcJs.status.FAILED_PRECONDITION);
    expect(err.details).toBe('bad: 50% \n ok ✓');
  });

  it('any other throw is UNKNOWN with its message, logged, and the server keeps serving', async () => {
    const before = logged.length;
    const err = await statusOf(range('boom'));
    expect(err.code).toBe(grpcJs.status.UNKNOWN);
    expect(err.details).toBe('kaboom 100% ünïcode');
    expect(logged.length).toBe(before + 1);
    expect((await range('after')).count).toBe(1n);
  });

  it('unknown service and unknown method are UNIMPLEMENTED with grpc-go texts', async () => {
    const e1 = await statusOf(unary('/nope.Svc/Do', RangeRequest, RangeResponse, RangeRequest.fromPartial({})));
    expect(e1.code).toBe(grpcJs.status.UNIMPLEMENTED);
    expect(e1.details).toBe('unknown service nope.Svc');
    const e2 = await statusOf(unary('/etcdserverpb.KV/Nope', RangeRequest, RangeResponse, RangeRequest.fromPartial({})));
    expect(e2.code).toBe(grpcJs.status.UNIMPLEMENTED);
    expect(e2.details).toBe('unknown method Nope for service etcdserverpb.KV');
  });

  it('a registered method without a handler is UNIMPLEMENTED, never a fake success', async () => {
    const err = await statusOf(unary('/etcdserverpb.KV/Txn', RangeRequest, RangeResponse, RangeRequest.fromPartial({})));
    expect(err.code).toBe(grpcJs.status.UNIMPLEMENTED);
    expect(err.details).toBe('method Txn not implemented');
  });

  it('a message above the receive limit is RESOURCE_EXHAUSTED with grpc-go text', async () => {
    const req = PutRequest.fromPartial({ key: Buffer.from('k'), value: Buffer.alloc(MAX_RECEIVE_BYTES + 10) });
    const size = PutRequest.encode(req).finish().length;
    const err = await statusOf(unary('/etcdserverpb.KV/Put', PutRequest, PutResponse, req));
    expect(err.code).toBe(grpcJs.status.RESOURCE_EXHAUSTED);
    expect(err.details).toBe(`grpc: received message larger than max (${size} vs. ${MAX_RECEIVE_BYTES})`);
    expect((await range('still-ok')).count).toBe(1n);
  });

  it('a much larger upload is cut short and still gets the RESOURCE_EXHAUSTED status', async () => {
    const req = PutRequest.fromPartial({ key: Buffer.from('k'), value: Buffer.alloc(20 * 1024 * 1024) });
    for (let i = 0; i < 3; i++) {
      const err = await statusOf(unary('/etcdserverpb.KV/Put', PutRequest, PutResponse, req));
      expect(err.code).toBe(grpcJs.status.RESOURCE_EXHAUSTED);
      expect(err.details).toMatch(/^grpc: received message larger than max \(\d+ vs\. 65536\)$/);
    }
  });

  it('a message exactly at the limit is accepted', async () => {
    const overhead = PutRequest.encode(PutRequest.fromPartial({ key: Buffer.from('k'), value: Buffer.alloc(MAX_RECEIVE_BYTES - 10) })).finish().length - (MAX_RECEIVE_BYTES - 10);
    const req = PutRequest.fromPartial({ key: Buffer.from('k'), value: Buffer.alloc(MAX_RECEIVE_BYTES - overhead) });
    expect(PutRequest.encode(req).finish().length).toBe(MAX_RECEIVE_BYTES);
    const res = await unary('/etcdserverpb.KV/Put', PutRequest, PutResponse, req);
    expect(res.header?.revision).toBe(BigInt(MAX_RECEIVE_BYTES - overhead));
  });

  it('server streaming: every message in order, then OK', async () => {
    const call = client.makeServerStreamRequest('/etcdserverpb.Maintenance/Snapshot', ser(SnapshotRequest), de(SnapshotResponse), SnapshotRequest.fromPartial({}));
    const got: SnapshotResponse[] = [];
    for await (const msg of call) got.push(msg as SnapshotResponse);
    expect(got.map((m) => m.remainingBytes)).toEqual([4n, 3n, 2n, 1n, 0n]);
    expect(got.every((m, i) => m.blob.length === 1000 && m.blob[0] === i)).toBe(true);
  });

  it('server streaming: send() waits for HTTP/2 flow control while the client does not read', async () => {
    // A raw HTTP/2 client with a 64 KiB stream window that reads nothing: the server can put at
    // most the window plus the socket buffers on the wire, far below the whole flood, and must wait.
    const session = http2.connect(`http://127.0.0.1:${listener.port}`, { settings: { initialWindowSize: 65_535 } });
    try {
      const stream = session.request({
        ':method': 'POST',
        ':path': '/tsetcd.test.Flood/Flood',
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      stream.end(frameBytes(SnapshotRequest.encode(SnapshotRequest.fromPartial({})).finish()));
      stream.pause();
      await new Promise((r) => setTimeout(r, 300));
      expect(backpressure.seen).toBe(true);
      expect(backpressure.sent).toBeLessThan(FLOOD_MESSAGES);
      const chunks: Buffer[] = [];
      const status = new Promise<string | undefined>((resolve) => stream.on('trailers', (t) => resolve(t['grpc-status'] as string | undefined)));
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.resume();
      await new Promise<void>((resolve, reject) => {
        stream.on('end', () => resolve());
        stream.on('error', reject);
      });
      expect(await status).toBe('0');
      const body = Buffer.concat(chunks);
      const got: bigint[] = [];
      for (let off = 0; off < body.length; ) {
        const len = body.readUInt32BE(off + 1);
        got.push(SnapshotResponse.decode(body.subarray(off + 5, off + 5 + len)).remainingBytes);
        off += 5 + len;
      }
      expect(got).toEqual(Array.from({ length: FLOOD_MESSAGES }, (_, i) => BigInt(i)));
      expect(backpressure.sent).toBe(FLOOD_MESSAGES);
    } finally {
      session.close();
    }
  });

  it('bidi streaming: responses interleave with requests; a throw ends it with the status', async () => {
    const call = client.makeBidiStreamRequest('/etcdserverpb.Watch/Watch', ser(WatchRequest), de(WatchResponse));
    const responses: WatchResponse[] = [];
    const ended = new Promise<grpcJs.StatusObject>((resolve) => call.on('status', resolve));
    const next = (): Promise<WatchResponse> => new Promise((resolve) => call.once('data', (d: WatchResponse) => { responses.push(d); resolve(d); }));
    call.write(WatchRequest.fromPartial({ createRequest: { key: Buffer.from('abc') } }));
    expect((await next()).watchId).toBe(3n);
    call.write(WatchRequest.fromPartial({ createRequest: { key: Buffer.from('abcdef') } }));
    expect((await next()).watchId).toBe(6n);
    call.write(WatchRequest.fromPartial({ createRequest: { key: Buffer.from('fail') } }));
    call.on('error', () => {});
    const status = await ended;
    expect(status.code).toBe(grpcJs.status.INVALID_ARGUMENT);
    expect(status.details).toBe('etcdserver: key not found');
    expect(responses).toHaveLength(2);
  });

  it('bidi streaming: a client half-close ends the handler loop with OK', async () => {
    const call = client.makeBidiStreamRequest('/etcdserverpb.Watch/Watch', ser(WatchRequest), de(WatchResponse));
    const got: bigint[] = [];
    call.on('data', (d: WatchResponse) => got.push(d.watchId));
    const ended = new Promise<grpcJs.StatusObject>((resolve) => call.on('status', resolve));
    for (const k of ['a', 'bb', 'ccc']) call.write(WatchRequest.fromPartial({ createRequest: { key: Buffer.from(k) } }));
    call.end();
    expect((await ended).code).toBe(grpcJs.status.OK);
    expect(got).toEqual([1n, 2n, 3n]);
  });

  it('client streaming: all requests are read before the single response', async () => {
    const res = await new Promise<PutResponse>((resolve, reject) => {
      const call = client.makeClientStreamRequest('/tsetcd.test.Test/Sum', ser(PutRequest), de(PutResponse), new grpcJs.Metadata(), {}, (err, r) => (err ? reject(err) : resolve(r as PutResponse)));
      for (let i = 1; i <= 100; i++) call.write(PutRequest.fromPartial({ value: Buffer.from(String(i)) }));
      call.end();
    });
    expect(res.header?.revision).toBe(5050n);
  });

  it('client cancellation (RST_STREAM) aborts ctx.signal', async () => {
    seen.aborted.length = 0;
    const p = new Promise<grpcJs.ServiceError>((resolve) => {
      const call = client.makeUnaryRequest('/etcdserverpb.KV/Range', ser(RangeRequest), de(RangeResponse), RangeRequest.fromPartial({ key: Buffer.from('slow') }), (err) => resolve(err as grpcJs.ServiceError));
      setTimeout(() => call.cancel(), 50);
    });
    expect((await p).code).toBe(grpcJs.status.CANCELLED);
    await waitFor(() => seen.aborted.length > 0);
    expect(seen.aborted).toEqual(['range:context canceled']);
  });

  it('grpc-timeout is honoured: DEADLINE_EXCEEDED and the handler is aborted', async () => {
    seen.aborted.length = 0;
    const err = await statusOf(range('slow', new grpcJs.Metadata(), { deadline: Date.now() + 100 }));
    expect(err.code).toBe(grpcJs.status.DEADLINE_EXCEEDED);
    await waitFor(() => seen.aborted.length > 0);
    expect(seen.aborted[0]).toMatch(/^range:/);
  });

  it('counts started and handled calls per method and code', () => {
    const routes = [...grpc.allRoutes()];
    const rangeRoute = routes.find((r) => r.path === '/etcdserverpb.KV/Range')!;
    expect(rangeRoute.stats.started).toBeGreaterThan(5);
    expect(rangeRoute.stats.handled[GrpcStatus.OK]).toBeGreaterThan(3);
    expect(rangeRoute.stats.handled[GrpcStatus.INVALID_ARGUMENT]).toBe(1);
    expect(rangeRoute.stats.handled[GrpcStatus.UNKNOWN]).toBe(1);
  });

  describe('raw HTTP/2 wire details', () => {
    function rawCall(path: string, body: Buffer, extra: http2.OutgoingHttpHeaders = {}): Promise<{ headers: http2.IncomingHttpHeaders; trailers: http2.IncomingHttpHeaders; data: Buffer }> {
      return new Promise((resolve, reject) => {
        const session = http2.connect(`http://127.0.0.1:${listener.port}`);
        session.on('error', reject);
        const req = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...extra });
        let headers: http2.IncomingHttpHeaders = {};
        let trailers: http2.IncomingHttpHeaders = {};
        const chunks: Buffer[] = [];
        req.on('response', (h) => { headers = h; });
        req.on('trailers', (t) => { trailers = t; });
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => { session.close(); resolve({ headers, trailers, data: Buffer.concat(chunks) }); });
        req.on('error', reject);
        req.end(body);
      });
    }

    it('OK response: headers, one length-prefixed message, grpc-status 0 trailer', async () => {
      const payload = RangeRequest.encode(RangeRequest.fromPartial({ key: Buffer.from('x') })).finish();
      const { headers, trailers, data } = await rawCall('/etcdserverpb.KV/Range', frameBytes(payload));
      expect(headers[':status']).toBe(200);
      expect(headers['content-type']).toBe('application/grpc');
      expect(trailers['grpc-status']).toBe('0');
      expect(data[0]).toBe(0);
      expect(data.readUInt32BE(1)).toBe(data.length - 5);
      expect(RangeResponse.decode(data.subarray(5)).count).toBe(1n);
    });

    it('a grpc-timeout beyond what a timer can hold is no deadline (not 1 ms)', async () => {
      const payload = RangeRequest.encode(RangeRequest.fromPartial({ key: Buffer.from('delay50') })).finish();
      const { trailers } = await rawCall('/etcdserverpb.KV/Range', frameBytes(payload), { 'grpc-timeout': '99999999H' });
      expect(trailers['grpc-status']).toBe('0');
    });

    it('errors are trailers-only with a percent-encoded grpc-message', async () => {
      const payload = RangeRequest.encode(RangeRequest.fromPartial({ key: Buffer.from('weird') })).finish();
      const { headers, data } = await rawCall('/etcdserverpb.KV/Range', frameBytes(payload));
      expect(headers['grpc-status']).toBe(String(GrpcStatus.FAILED_PRECONDITION));
      expect(headers['grpc-message']).toBe('bad: 50%25 %0A ok %E2%9C%93');
      expect(data.length).toBe(0);
    });

    it('a request split across many DATA chunks is reassembled', async () => {
      const payload = RangeRequest.encode(RangeRequest.fromPartial({ key: Buffer.from('split-key') })).finish();
      const frame = frameBytes(payload);
      const result = await new Promise<Buffer>((resolve, reject) => {
        const session = http2.connect(`http://127.0.0.1:${listener.port}`);
        const req = session.request({ ':method': 'POST', ':path': '/etcdserverpb.KV/Range', 'content-type': 'application/grpc' });
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => { session.close(); resolve(Buffer.concat(chunks)); });
        req.on('error', reject);
        let i = 0;
        const tick = (): void => {
          if (i >= frame.length) { req.end(); return; }
          req.write(frame.subarray(i, i + 2));
          i += 2;
          setImmediate(tick);
        };
        tick();
      });
      const res = RangeResponse.decode(result.subarray(5));
      expect(Buffer.from(res.kvs[0]!.value).toString()).toBe('v-split-key');
    });

    it('a request that does not unmarshal is INTERNAL with grpc-go wording', async () => {
      const { headers } = await rawCall('/etcdserverpb.KV/Range', frameBytes(Buffer.from([0x0a, 0xff, 0xff, 0xff])));
      expect(headers['grpc-status']).toBe(String(GrpcStatus.INTERNAL));
      expect(headers['grpc-message']).toBe('grpc: error unmarshalling request: unexpected EOF');
    });

    it('grpc-encoding other than identity is UNIMPLEMENTED like grpc-go without decompressors', async () => {
      const payload = RangeRequest.encode(RangeRequest.fromPartial({ key: Buffer.from('x') })).finish();
      const frame = frameBytes(payload);
      frame[0] = 1;
      const { headers } = await rawCall('/etcdserverpb.KV/Range', frame, { 'grpc-encoding': 'gzip' });
      expect(headers['grpc-status']).toBe(String(GrpcStatus.UNIMPLEMENTED));
      expect(headers['grpc-message']).toBe('grpc: Decompressor is not installed for grpc-encoding "gzip"');
    });

    it('the compressed flag with identity encoding is INTERNAL', async () => {
      const payload = RangeRequest.encode(RangeRequest.fromPartial({ key: Buffer.from('x') })).finish();
      const frame = frameBytes(payload);
      frame[0] = 1;
      const { headers } = await rawCall('/etcdserverpb.KV/Range', frame);
      expect(headers['grpc-status']).toBe(String(GrpcStatus.INTERNAL));
      expect(headers['grpc-message']).toBe('grpc: compressed flag set with identity or empty encoding');
    });

    it('a non-gRPC HTTP/2 request without a fallback is 415', async () => {
      const status = await new Promise<number>((resolve, reject) => {
        const session = http2.connect(`http://127.0.0.1:${listener.port}`);
        const req = session.request({ ':path': '/version' });
        req.on('response', (h) => { resolve(h[':status'] as number); });
        req.on('end', () => session.close());
        req.on('error', reject);
        req.resume();
        req.end();
      });
      expect(status).toBe(415);
    });
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
