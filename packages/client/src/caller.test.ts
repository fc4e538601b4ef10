// Unary-call behaviour against an in-process grpc-js server on 127.0.0.1: failover, which failures
// are retried, re-authentication, deadlines and signals.
import { Server, ServerCredentials, status, type ServerUnaryCall, type sendUnaryData, type ServiceDefinition } from '@grpc/grpc-js';
import { createServer } from 'node:net';
import {
  AuthDefinition,
  AuthenticateResponse,
  ErrInvalidAuthToken,
  ErrNoLeader,
  KVDefinition,
  PutResponse,
  RangeResponse,
  type AuthenticateRequest,
  type PutRequest,
  type RangeRequest,
} from '@tsetcd/api';
import { Client } from './client';
import { CallAbortedError, NoEndpointError } from './errors';

type Handler<Req, Res> = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void;

function serviceOf(def: { fullName: string; methods: Record<string, { name: string; requestType: any; responseType: any }> }, keys: string[]): ServiceDefinition {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const m = def.methods[key]!;
    out[key] = {
      path: `/${def.fullName}/${m.name}`,
      requestStream: false,
      responseStream: false,
      requestDeserialize: (b: Buffer) => m.requestType.decode(b),
      requestSerialize: (x: unknown) => Buffer.from(m.requestType.encode(x).finish()),
      responseSerialize: (x: unknown) => Buffer.from(m.responseType.encode(x).finish()),
      responseDeserialize: (b: Buffer) => m.responseType.decode(b),
    };
  }
  return out as ServiceDefinition;
}

interface Fake {
  endpoint: string;
  puts: PutRequest[];
  ranges: RangeRequest[];
  tokens: string[];
  put: Handler<PutRequest, PutResponse>;
  range: Handler<RangeRequest, RangeResponse>;
  authenticate: Handler<AuthenticateRequest, AuthenticateResponse>;
  server: Server;
}

async function startFake(): Promise<Fake> {
  const server = new Server();
  const fake: Fake = {
    endpoint: '',
    puts: [],
    ranges: [],
    tokens: [],
    server,
    put: (_call, cb) => cb(null, PutResponse.fromPartial({ header: { revision: 2n } })),
    range: (_call, cb) => cb(null, RangeResponse.fromPartial({ header: { revision: 1n } })),
    authenticate: (_call, cb) => cb(null, AuthenticateResponse.fromPartial({ token: 'tok-1' })),
  };
  server.addService(serviceOf(KVDefinition, ['put', 'range']), {
    put: (call: ServerUnaryCall<PutRequest, PutResponse>, cb: sendUnaryData<PutResponse>) => {
      fake.puts.push(call.request);
      fake.tokens.push(String(call.metadata.get('token')[0] ?? ''));
      fake.put(call, cb);
    },
    range: (call: ServerUnaryCall<RangeRequest, RangeResponse>, cb: sendUnaryData<RangeResponse>) => {
      fake.ranges.push(call.request);
      fake.tokens.push(String(call.metadata.get('token')[0] ?? ''));
      fake.range(call, cb);
    },
  });
  server.addService(serviceOf(AuthDefinition, ['authenticate']), {
    authenticate: (call: ServerUnaryCall<AuthenticateRequest, AuthenticateResponse>, cb: sendUnaryData<AuthenticateResponse>) => fake.authenticate(call, cb),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  fake.endpoint = `127.0.0.1:${port}`;
  return fake;
}

/** A port nothing listens on (bound then released). */
async function deadEndpoint(): Promise<string> {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  return `127.0.0.1:${port}`;
}

describe('Client unary calls (fake server)', () => {
  let fake: Fake;
  const clients: Client[] = [];
  const client = (options: ConstructorParameters<typeof Client>[0]): Client => {
    const c = new Client(options);
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    fake = await startFake();
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await new Promise<void>((resolve) => fake.server.tryShutdown(() => resolve()));
  });

  test('fails over from a refused endpoint to the next one, and a write is sent exactly once', async () => {
    const dead = await deadEndpoint();
    const c = client({ endpoints: [dead, fake.endpoint], dialTimeoutMs: 2_000 });
    const failovers: Array<[string, string]> = [];
    c.events.on('failover', (from, to) => failovers.push([from, to]));
    const res = await c.put('k', 'v');
    expect(res.header.revision).toBe(2n);
    expect(fake.puts).toHaveLength(1);
    expect(failovers).toEqual([[dead, fake.endpoint]]);
    expect(c.currentEndpoint).toBe(fake.endpoint);
  });

  test('a write that reached the server and failed UNAVAILABLE is not retried; a read is', async () => {
    const c = client({ endpoints: [fake.endpoint] });
    fake.put = (_call, cb) => cb({ code: status.UNAVAILABLE, details: 'etcdserver: no leader' });
    await expect(c.put('k', 'v')).rejects.toBeInstanceOf(ErrNoLeader);
    expect(fake.puts).toHaveLength(1);

    let failures = 2;
    fake.range = (_call, cb) =>
      failures-- > 0 ? cb({ code: status.UNAVAILABLE, details: 'etcdserver: no leader' }) : cb(null, RangeResponse.fromPartial({ count: 0n }));
    await expect(c.get('k')).resolves.toBeUndefined();
    expect(fake.ranges).toHaveLength(3);
  });

  test('non-UNAVAILABLE errors are not retried, even for reads', async () => {
    const c = client({ endpoints: [fake.endpoint] });
    fake.range = (_call, cb) => cb({ code: status.OUT_OF_RANGE, details: 'etcdserver: mvcc: required revision has been compacted' });
    await expect(c.get('k')).rejects.toMatchObject({ name: 'ErrCompacted' });
    expect(fake.ranges).toHaveLength(1);
  });

  test('authenticates before the first call, attaches the token, re-authenticates once on an invalid token', async () => {
    let issued = 0;
    fake.authenticate = (call, cb) => {
      expect(call.request).toMatchObject({ name: 'root', password: 'pw' });
      issued++;
      cb(null, AuthenticateResponse.fromPartial({ token: `tok-${issued}` }));
    };
    const c = client({ endpoints: [fake.endpoint], auth: { username: 'root', password: 'pw' } });
    await c.put('a', '1');
    expect(fake.tokens).toEqual(['tok-1']);
    let rejectOnce = true;
    fake.put = (_call, cb) => {
      if (rejectOnce) {
        rejectOnce = false;
        cb({ code: status.UNAUTHENTICATED, details: 'etcdserver: invalid auth token' });
      } else cb(null, PutResponse.fromPartial({}));
    };
    await c.put('b', '2');
    expect(fake.tokens).toEqual(['tok-1', 'tok-1', 'tok-2']);
    expect(issued).toBe(2);

    fake.put = (_call, cb) => cb({ code: status.UNAUTHENTICATED, details: 'etcdserver: invalid auth token' });
    await expect(c.put('c', '3')).rejects.toBeInstanceOf(ErrInvalidAuthToken);
    expect(issued).toBe(3);
  });

  test('timeoutMs bounds a call; an abort signal cancels it', async () => {
    const c = client({ endpoints: [fake.endpoint] });
    fake.range = () => undefined; // never answers
    await expect(c.get('k', { timeoutMs: 200 })).rejects.toMatchObject({ name: 'CallTimeoutError' });
    const controller = new AbortController();
    const pending = c.get('k', { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(CallAbortedError);
  });

  test('with no reachable endpoint a call fails with NoEndpointError once its budget is spent', async () => {
    const c = client({ endpoints: [await deadEndpoint()], dialTimeoutMs: 200 });
    await expect(c.put('k', 'v', { timeoutMs: 600 })).rejects.toBeInstanceOf(NoEndpointError);
  });

  test('a call pinned to an endpoint goes there, and fails there without failover', async () => {
    const other = await startFake();
    try {
      const c = client({ endpoints: [fake.endpoint] });
      await c.get('k', { endpoint: other.endpoint });
      expect(other.ranges).toHaveLength(1);
      expect(fake.ranges).toHaveLength(0);
      await expect(c.get('k', { endpoint: await deadEndpoint(), timeoutMs: 500 })).rejects.toBeInstanceOf(NoEndpointError);
      expect(c.currentEndpoint).toBe(fake.endpoint);
    } finally {
      other.server.forceShutdown();
    }
  });

  test('close() rejects later calls and emits closed; await using disposes', async () => {
    const c = client({ endpoints: [fake.endpoint] });
    const closed = jest.fn();
    c.events.on('closed', closed);
    await c[Symbol.asyncDispose]();
    expect(closed).toHaveBeenCalledTimes(1);
    await expect(c.get('k')).rejects.toMatchObject({ name: 'ClientClosedError' });
  });
});
