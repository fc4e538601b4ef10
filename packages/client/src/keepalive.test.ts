// Keepalive handles against a scripted LeaseKeepAlive server on 127.0.0.1.
import { Server, ServerCredentials, type ServerDuplexStream, type ServiceDefinition } from '@grpc/grpc-js';
import { LeaseDefinition, LeaseKeepAliveResponse, type LeaseKeepAliveRequest } from '@tsetcd/api';
import { Client } from './client';
import { LeaseLostError } from './errors';

type Stream = ServerDuplexStream<LeaseKeepAliveRequest, LeaseKeepAliveResponse>;

async function startLeaseServer(answer: (request: LeaseKeepAliveRequest, count: number) => bigint | undefined): Promise<{ endpoint: string; server: Server; sentMs: number[] }> {
  const method = LeaseDefinition.methods.leaseKeepAlive;
  const definition = {
    leaseKeepAlive: {
      path: '/etcdserverpb.Lease/LeaseKeepAlive',
      requestStream: true,
      responseStream: true,
      requestDeserialize: (b: Buffer) => method.requestType.decode(b),
      requestSerialize: (x: LeaseKeepAliveRequest) => Buffer.from(method.requestType.encode(x).finish()),
      responseSerialize: (x: LeaseKeepAliveResponse) => Buffer.from(method.responseType.encode(x).finish()),
      responseDeserialize: (b: Buffer) => method.responseType.decode(b),
    },
  } as unknown as ServiceDefinition;
  const server = new Server();
  const sentMs: number[] = [];
  server.addService(definition, {
    leaseKeepAlive: (stream: Stream) => {
      stream.on('data', (request: LeaseKeepAliveRequest) => {
        sentMs.push(performance.now());
        const ttl = answer(request, sentMs.length);
        if (ttl !== undefined) stream.write(LeaseKeepAliveResponse.fromPartial({ ID: request.ID, TTL: ttl }));
      });
      stream.on('error', () => undefined);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { endpoint: `127.0.0.1:${port}`, server, sentMs };
}

describe('keepalive handles (scripted server)', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  test('keepalives go out every TTL/3 while answered', async () => {
    const fake = await startLeaseServer(() => 3n);
    const client = new Client({ endpoints: [fake.endpoint] });
    cleanups.push(() => client.close(), () => fake.server.forceShutdown());
    const startedMs = performance.now();
    const handle = client.lease.keepAlive(9n, { ttlSeconds: 3 });
    const ttls: bigint[] = [];
    handle.on('keepalive', (ttl) => ttls.push(ttl));
    await new Promise((r) => setTimeout(r, 2_300));
    // first at once, then every TTL/3 = 1 s
    expect(fake.sentMs[0]! - startedMs).toBeLessThan(500);
    expect(fake.sentMs.length).toBeGreaterThanOrEqual(2);
    expect(fake.sentMs.length).toBeLessThanOrEqual(3);
    const gaps = fake.sentMs.slice(1).map((t, i) => t - fake.sentMs[i]!);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThan(900);
      expect(gap).toBeLessThan(1_600);
    }
    expect(ttls.length).toBe(fake.sentMs.length);
    expect(ttls.every((ttl) => ttl === 3n)).toBe(true);
    expect(handle.signal.aborted).toBe(false);
  });

  test('when answers stop, the handle is lost at the deadline: last answered send + TTL', async () => {
    const fake = await startLeaseServer((_req, count) => (count === 1 ? 1n : undefined));
    const client = new Client({ endpoints: [fake.endpoint] });
    cleanups.push(() => client.close(), () => fake.server.forceShutdown());
    const startedMs = performance.now();
    const handle = client.lease.keepAlive(5n, { ttlSeconds: 1 });
    const lost = await new Promise<{ error: LeaseLostError; atMs: number }>((resolve) =>
      handle.on('lost', (error) => resolve({ error, atMs: performance.now() })),
    );
    expect(lost.error.reason).toBe('deadline');
    expect(lost.error.leaseId).toBe(5n);
    expect(handle.signal.aborted).toBe(true);
    expect(handle.signal.reason).toBe(lost.error);
    // never later than a second after the first (answered) send; never before it
    expect(lost.atMs - startedMs).toBeGreaterThanOrEqual(900);
    expect(lost.atMs - startedMs).toBeLessThan(1_500);
    expect(fake.sentMs.length).toBeGreaterThan(1); // it kept trying meanwhile
  });

  test('a TTL <= 0 answer (lease gone) loses the handle at once with reason expired', async () => {
    const fake = await startLeaseServer(() => 0n);
    const client = new Client({ endpoints: [fake.endpoint] });
    cleanups.push(() => client.close(), () => fake.server.forceShutdown());
    const handle = client.lease.keepAlive(6n, { ttlSeconds: 30 });
    const error = await new Promise<LeaseLostError>((resolve) => handle.on('lost', resolve));
    expect(error.reason).toBe('expired');
    expect(handle.signal.aborted).toBe(true);
  });

  test('client close aborts the signal without a lost event', async () => {
    const fake = await startLeaseServer(() => 30n);
    const client = new Client({ endpoints: [fake.endpoint] });
    cleanups.push(() => fake.server.forceShutdown());
    const handle = client.lease.keepAlive(7n, { ttlSeconds: 30 });
    const lost = jest.fn();
    handle.on('lost', lost);
    await new Promise((r) => setTimeout(r, 100));
    client.close();
    expect(handle.signal.aborted).toBe(true);
    expect((handle.signal.reason as LeaseLostError).reason).toBe('closed');
    expect(lost).not.toHaveBeenCalled();
  });
});
