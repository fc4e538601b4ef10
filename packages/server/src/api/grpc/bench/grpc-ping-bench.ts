// Measures the gRPC floor: grpc.health.v1.Health/Check calls per second with C grpc-js connections
// x N concurrent calls (not a test; no assertions). Bundle and run:
//
//   npx esbuild packages/server/src/api/grpc/bench/grpc-ping-bench.ts --bundle --platform=node \
//     --format=cjs --external:lmdb --outfile=/tmp/grpc-ping-bench.cjs
//   node /tmp/grpc-ping-bench.cjs                       # spawns our server (node:http2), pings it
//   node /tmp/grpc-ping-bench.cjs --server grpcjs       # same with a @grpc/grpc-js server
//   node /tmp/grpc-ping-bench.cjs --endpoint 127.0.0.1:2379   # any running etcd/tsetcd
//   node /tmp/grpc-ping-bench.cjs serve [--server ours|direct|grpcjs]   # prints {"port","pid"}; for etcdbench
//   options: --conns 10 --clients 100 --total 100000 --warmup 5000

import * as grpcJs from '@grpc/grpc-js';
import { fork, type ChildProcess } from 'node:child_process';
import http2 from 'node:http2';
import { cpuUsage } from 'node:process';
import { readFileSync } from 'node:fs';
import { healthpb } from '@tsetcd/api';
import { listenClientUrl } from '../../client-listener';
import { HttpRouter } from '../../http/router';
import { registerHealthService } from '../health';
import { GrpcServer } from '../server';

const CHECK_PATH = '/grpc.health.v1.Health/Check';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}

async function serveOurs(): Promise<number> {
  const grpc = new GrpcServer({ maxReceiveBytes: 2 * 1024 * 1024 });
  registerHealthService(grpc);
  const listener = await listenClientUrl({ url: 'http://127.0.0.1:0', grpc, http: new HttpRouter() });
  return listener.port;
}

/** Our gRPC layer on a plain http2 server (no protocol sniffing): isolates the listener's cost. */
async function serveOursDirect(): Promise<number> {
  const grpc = new GrpcServer({ maxReceiveBytes: 2 * 1024 * 1024 });
  registerHealthService(grpc);
  const server = http2.createServer({ maxSessionMemory: 64 });
  server.on('stream', (stream, headers) => grpc.handleStream(stream, headers));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as { port: number }).port;
}

async function serveGrpcJs(): Promise<number> {
  const server = new grpcJs.Server();
  const serving = Buffer.from(healthpb.HealthCheckResponse.encode({ status: healthpb.HealthCheckResponse_ServingStatus.SERVING }).finish());
  server.register(CHECK_PATH, (_call: unknown, cb: (err: null, res: Buffer) => void) => cb(null, serving), (b: Buffer) => b, (b: Buffer) => b, 'unary');
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpcJs.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
  });
}

/** /proc/<pid>/stat utime+stime in seconds (Linux). */
function procCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

async function ping(endpoint: string, conns: number, clients: number, total: number, warmup: number): Promise<{ opsPerSecond: number; seconds: number; errors: number }> {
  const channels = Array.from({ length: conns }, () =>
    new grpcJs.Client(endpoint, grpcJs.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }));
  const request = Buffer.from(healthpb.HealthCheckRequest.encode({ service: '' }).finish());
  const identity = (b: Buffer): Buffer => b;
  const md = new grpcJs.Metadata();
  let errors = 0;
  const call = (client: grpcJs.Client): Promise<void> => new Promise((resolve) => {
    client.makeUnaryRequest(CHECK_PATH, identity, identity, request, md, (err) => {
      if (err) errors++;
      resolve();
    });
  });
  const run = async (count: number): Promise<number> => {
    let issued = 0;
    const start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: clients }, async (_, i) => {
      const client = channels[i % conns] as grpcJs.Client;
      while (issued < count) {
        issued++;
        await call(client);
      }
    }));
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  await run(warmup);
  errors = 0;
  const seconds = await run(total);
  for (const c of channels) c.close();
  return { opsPerSecond: total / seconds, seconds, errors };
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode === 'serve') {
    const kind = arg('server', 'ours');
    const port = kind === 'grpcjs' ? await serveGrpcJs() : kind === 'direct' ? await serveOursDirect() : await serveOurs();
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
    if (process.send) process.send({ port });
    else console.log(JSON.stringify({ port, pid: process.pid }));
    return;
  }
  const conns = Number(arg('conns', '10'));
  const clients = Number(arg('clients', '100'));
  const total = Number(arg('total', '100000'));
  const warmup = Number(arg('warmup', '5000'));
  let endpoint = arg('endpoint', '');
  let child: ChildProcess | undefined;
  const serverKind = arg('server', 'ours');
  if (endpoint === '') {
    child = fork(process.argv[1] as string, ['serve', '--server', serverKind], { stdio: 'inherit' });
    const port = await new Promise<number>((resolve) => child?.once('message', (m: { port: number }) => resolve(m.port)));
    endpoint = `127.0.0.1:${port}`;
  }
  const cpuBefore = child?.pid !== undefined ? procCpuSeconds(child.pid) : Number.NaN;
  const clientCpuBefore = cpuUsage();
  const result = await ping(endpoint, conns, clients, total, warmup);
  const serverCpu = child?.pid !== undefined ? procCpuSeconds(child.pid) - cpuBefore : Number.NaN;
  const clientCpu = cpuUsage(clientCpuBefore);
  console.log(JSON.stringify({
    workload: `grpc-ping ${conns}x${clients}`,
    server: child ? serverKind : endpoint,
    total,
    seconds: Number(result.seconds.toFixed(3)),
    opsPerSecond: Math.round(result.opsPerSecond),
    errors: result.errors,
    serverCpuSeconds: Number.isNaN(serverCpu) ? undefined : Number(serverCpu.toFixed(2)),
    clientCpuSeconds: Number(((clientCpu.user + clientCpu.system) / 1e6).toFixed(2)),
  }));
  child?.kill();
}

void main();
