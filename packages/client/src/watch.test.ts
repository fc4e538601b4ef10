// The watch hub against a scripted in-process Watch server on 127.0.0.1: multiplexing, resume
// from the last delivered revision after the stream breaks, dropping replayed revisions,
// progress notifications, compaction and cancellation.
import { Server, ServerCredentials, type ServerDuplexStream, type ServiceDefinition } from '@grpc/grpc-js';
import { Event_EventType, WatchDefinition, WatchRequest, WatchResponse } from '@tsetcd/api';
import { Client } from './client';
import { WatchCompactedError } from './errors';
import type { WatchEvent } from './watch';

type Stream = ServerDuplexStream<WatchRequest, WatchResponse>;

interface FakeWatchServer {
  endpoint: string;
  streams: Stream[];
  requests: WatchRequest[];
  /** Called for each request; the test scripts the answers. */
  onRequest: (stream: Stream, request: WatchRequest) => void;
  server: Server;
}

async function startWatchServer(): Promise<FakeWatchServer> {
  const method = WatchDefinition.methods.watch;
  const definition = {
    watch: {
      path: '/etcdserverpb.Watch/Watch',
      requestStream: true,
      responseStream: true,
      requestDeserialize: (b: Buffer) => method.requestType.decode(b),
      requestSerialize: (x: WatchRequest) => Buffer.from(method.requestType.encode(x).finish()),
      responseSerialize: (x: WatchResponse) => Buffer.from(method.responseType.encode(x).finish()),
      responseDeserialize: (b: Buffer) => method.responseType.decode(b),
    },
  } as unknown as ServiceDefinition;
  const server = new Server();
  const fake: FakeWatchServer = { endpoint: '', streams: [], requests: [], onRequest: () => undefined, server };
  server.addService(definition, {
    watch: (stream: Stream) => {
      fake.streams.push(stream);
      stream.on('data', (request: WatchRequest) => {
        fake.requests.push(request);
        fake.onRequest(stream, request);
      });
      stream.on('error', () => undefined);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  fake.endpoint = `127.0.0.1:${port}`;
  return fake;
}

const header = (revision: bigint) => ({ revision, clusterId: 1n, memberId: 1n, raftTerm: 1n });
const put = (key: string, revision: bigint) => ({ type: Event_EventType.PUT, kv: { key: Buffer.from(key), value: Buffer.from(`v${revision}`), modRevision: revision, createRevision: revision, version: 1n } });
const send = (stream: Stream, response: Parameters<typeof WatchResponse.fromPartial>[0]): void => {
  stream.write(WatchResponse.fromPartial(response));
};

/** The next `count` events, leaving the watcher open. */
async function collect(iterable: AsyncIterable<WatchEvent>, count: number): Promise<WatchEvent[]> {
  const iterator = iterable[Symbol.asyncIterator]();
  const out: WatchEvent[] = [];
  while (out.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

const waitFor = async (condition: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('waitFor: condition not met');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('watch hub (scripted server)', () => {
  let fake: FakeWatchServer;
  let client: Client;

  beforeEach(async () => {
    fake = await startWatchServer();
    client = new Client({ endpoints: [fake.endpoint] });
  });

  afterEach(async () => {
    client.close();
    fake.server.forceShutdown();
  });

  test('watchers share one stream; created responses are matched in request order', async () => {
    let nextId = 0n;
    fake.onRequest = (stream, request) => {
      if (request.createRequest) send(stream, { header: header(10n), watchId: nextId++, created: true });
    };
    const a = client.watch('a');
    const b = client.watch('b', { prefix: true });
    expect(await a.created).toBe(10n);
    await b.created;
    expect(fake.streams).toHaveLength(1);
    expect(fake.requests.map((r) => r.createRequest?.key.toString())).toEqual(['a', 'b']);
    expect(fake.requests[1]?.createRequest?.rangeEnd.toString()).toBe('c');
    const stream = fake.streams[0]!;
    send(stream, { header: header(11n), watchId: 1n, events: [put('b/1', 11n)] });
    send(stream, { header: header(12n), watchId: 0n, events: [put('a', 12n)] });
    const [fromA] = await collect(a, 1);
    const [fromB] = await collect(b, 1);
    expect(fromA).toMatchObject({ kind: 'put', revision: 12n });
    expect(fromB?.kind === 'put' && fromB.kv.keyString()).toBe('b/1');
  });

  test('after the stream breaks the watcher is re-created from the last delivered revision + 1 and replays are dropped', async () => {
    fake.onRequest = (stream, request) => {
      const create = request.createRequest;
      if (!create) return;
      if (fake.streams.length === 1) {
        send(stream, { header: header(5n), watchId: 0n, created: true });
        send(stream, { header: header(7n), watchId: 0n, events: [put('k', 6n), put('k', 7n)] });
        setTimeout(() => stream.end(), 50);
      } else {
        // a server that resumes too early: repeats 7 before the new 8 and 9
        send(stream, { header: header(9n), watchId: 0n, created: true });
        send(stream, { header: header(9n), watchId: 0n, events: [put('k', 7n), put('k', 8n)] });
        send(stream, { header: header(9n), watchId: 0n, events: [put('k', 9n)] });
      }
    };
    const watcher = client.watch('k');
    const events = await collect(watcher, 4);
    expect(events.map((e) => e.revision)).toEqual([6n, 7n, 8n, 9n]);
    // each event carries its response's header: one object per response (etcdctl prints per response)
    expect(events.map((e) => e.header?.revision)).toEqual([7n, 7n, 9n, 9n]);
    expect(events[0]!.header).toBe(events[1]!.header);
    expect(events[2]!.header).not.toBe(events[3]!.header);
    expect(fake.streams).toHaveLength(2);
    const creates = fake.requests.filter((r) => r.createRequest).map((r) => r.createRequest!.startRevision);
    expect(creates).toEqual([0n, 8n]);
  });

  test('a watcher created without events resumes after the creation revision', async () => {
    fake.onRequest = (stream, request) => {
      if (!request.createRequest) return;
      send(stream, { header: header(20n), watchId: 0n, created: true });
      if (fake.streams.length === 1) setTimeout(() => stream.end(), 20);
    };
    const watcher = client.watch('k');
    await watcher.created;
    await waitFor(() => fake.requests.filter((r) => r.createRequest).length === 2);
    expect(fake.requests[1]?.createRequest?.startRevision).toBe(21n);
    watcher.close();
  });

  test('progress notifications are their own event kind and advance the resume revision', async () => {
    fake.onRequest = (stream, request) => {
      if (request.createRequest) {
        send(stream, { header: header(3n), watchId: 0n, created: true });
        if (fake.streams.length === 1) send(stream, { header: header(30n), watchId: 0n });
      }
      if (request.progressRequest) send(stream, { header: header(31n), watchId: -1n });
    };
    const watcher = client.watch('k', { progressNotify: true });
    const [first] = await collect(watcher, 1);
    expect(first).toEqual({ kind: 'progress', revision: 30n, header: expect.objectContaining({ revision: 30n }) });
    expect(fake.requests[0]?.createRequest?.progressNotify).toBe(true);
    client.requestWatchProgress();
    const [second] = await collect(watcher, 1);
    expect(second).toEqual({ kind: 'progress', revision: 31n, header: expect.objectContaining({ revision: 31n }) });
    fake.streams[0]!.end();
    await waitFor(() => fake.requests.filter((r) => r.createRequest).length === 2);
    expect(fake.requests.filter((r) => r.createRequest)[1]?.createRequest?.startRevision).toBe(32n);
    watcher.close();
  });

  test('compaction surfaces as WatchCompactedError with compactRevision', async () => {
    fake.onRequest = (stream, request) => {
      if (!request.createRequest) return;
      send(stream, { header: header(50n), watchId: 0n, created: true });
      send(stream, { header: header(50n), watchId: 0n, canceled: true, compactRevision: 40n });
    };
    const watcher = client.watch('k', { startRevision: 2n });
    await expect(collect(watcher, 1)).rejects.toEqual(new WatchCompactedError(40n));
    expect(fake.requests[0]?.createRequest?.startRevision).toBe(2n);
  });

  test('breaking the loop sends a cancel for that watch id', async () => {
    fake.onRequest = (stream, request) => {
      if (request.createRequest) {
        send(stream, { header: header(1n), watchId: 7n, created: true });
        send(stream, { header: header(2n), watchId: 7n, events: [put('k', 2n)] });
      }
    };
    const other = client.watch('other'); // keeps the stream open
    for await (const ev of client.watch('k')) {
      expect(ev.revision).toBe(2n);
      break;
    }
    await waitFor(() => fake.requests.some((r) => r.cancelRequest !== undefined));
    expect(fake.requests.find((r) => r.cancelRequest)?.cancelRequest?.watchId).toBe(7n);
    other.close();
  });
});
