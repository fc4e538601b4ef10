// A minimal etcd v3 client for tests: @grpc/grpc-js channels with the @tsetcd/api codecs, so a
// test depends on neither our client package nor the server code it exercises.

import * as grpc from '@grpc/grpc-js';
import {
  ClusterDefinition,
  KVDefinition,
  MaintenanceDefinition,
  type MethodDefinition,
  type ServiceDefinition,
} from '@tsetcd/api';

type Methods<D extends ServiceDefinition> = D['methods'];
type Req<M> = M extends MethodDefinition<infer R, unknown> ? R : never;
type Res<M> = M extends MethodDefinition<unknown, infer R> ? R : never;

export class TestEtcdClient {
  private readonly client: grpc.Client;

  constructor(readonly endpoint: string) {
    this.client = new grpc.Client(endpoint, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
    });
  }

  unary<D extends ServiceDefinition, K extends keyof Methods<D> & string>(
    def: D,
    method: K,
    request: Req<Methods<D>[K]>,
    deadlineMs = 10_000,
  ): Promise<Res<Methods<D>[K]>> {
    const m = def.methods[method] as MethodDefinition;
    const path = `/${def.fullName}/${m.name}`;
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        path,
        (req: unknown) => Buffer.from(m.requestType.encode(req).finish()),
        (buf: Buffer) => m.responseType.decode(buf),
        request,
        new grpc.Metadata(),
        { deadline: Date.now() + deadlineMs },
        (err, res) => (err ? reject(err) : resolve(res as Res<Methods<D>[K]>)),
      );
    });
  }

  /** Collects a server stream (Maintenance.Snapshot). */
  serverStream<D extends ServiceDefinition, K extends keyof Methods<D> & string>(
    def: D,
    method: K,
    request: Req<Methods<D>[K]>,
  ): Promise<Res<Methods<D>[K]>[]> {
    const m = def.methods[method] as MethodDefinition;
    const path = `/${def.fullName}/${m.name}`;
    return new Promise((resolve, reject) => {
      const out: Res<Methods<D>[K]>[] = [];
      const call = this.client.makeServerStreamRequest(
        path,
        (req: unknown) => Buffer.from(m.requestType.encode(req).finish()),
        (buf: Buffer) => m.responseType.decode(buf),
        request,
        new grpc.Metadata(),
        {},
      );
      call.on('data', (d: Res<Methods<D>[K]>) => out.push(d));
      call.on('error', reject);
      call.on('end', () => resolve(out));
    });
  }

  put(key: string, value: string) {
    return this.unary(KVDefinition, 'put', {
      key: Buffer.from(key),
      value: Buffer.from(value),
      lease: 0n,
      prevKv: false,
      ignoreValue: false,
      ignoreLease: false,
    });
  }

  get(key: string, opts: { rangeEnd?: string; serializable?: boolean; revision?: bigint } = {}) {
    return this.unary(KVDefinition, 'range', {
      key: Buffer.from(key),
      rangeEnd: Buffer.from(opts.rangeEnd ?? ''),
      limit: 0n,
      revision: opts.revision ?? 0n,
      sortOrder: 0,
      sortTarget: 0,
      serializable: opts.serializable ?? false,
      keysOnly: false,
      countOnly: false,
      minModRevision: 0n,
      maxModRevision: 0n,
      minCreateRevision: 0n,
      maxCreateRevision: 0n,
    });
  }

  status() {
    return this.unary(MaintenanceDefinition, 'status', {});
  }

  memberList() {
    return this.unary(ClusterDefinition, 'memberList', {});
  }

  /** Resolves once the endpoint answers a linearizable read. */
  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        await this.unary(KVDefinition, 'range', rangeAll('health'), 1000);
        return;
      } catch (err) {
        last = err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`endpoint ${this.endpoint} not ready after ${timeoutMs} ms: ${String(last)}`);
  }

  close(): void {
    this.client.close();
  }
}

function rangeAll(key: string) {
  return {
    key: Buffer.from(key),
    rangeEnd: Buffer.alloc(0),
    limit: 0n,
    revision: 0n,
    sortOrder: 0,
    sortTarget: 0,
    serializable: false,
    keysOnly: false,
    countOnly: false,
    minModRevision: 0n,
    maxModRevision: 0n,
    minCreateRevision: 0n,
    maxCreateRevision: 0n,
  };
}
