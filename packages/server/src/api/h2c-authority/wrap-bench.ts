// A/B benchmark of what the filter costs a server per request (not a test). Run with:
//   npx esbuild packages/server/src/api/h2c-authority/wrap-bench.ts --bundle --platform=node \
//     --outfile=/tmp/wrap-bench.cjs && node /tmp/wrap-bench.cjs
// A child process runs a bare node:http2 server (answers every stream with 100 bytes) fed the
// accepted socket itself ("native"), filterH2cSocket(socket) ("filtered"), or handOffH2c's choice
// ("handoff": the client's authority is host:port, so it should cost what native does); the parent
// drives unary requests over several sessions and reads the child's own CPU time. The handler
// does nearly nothing, so the relative figure is an upper bound for a real gRPC server.

import { fork } from 'node:child_process';
import http2 from 'node:http2';
import net from 'node:net';
import { filterH2cSocket } from './filtered-socket';
import { handOffH2c } from './h2c-handoff';

const SESSIONS = 10;
const IN_FLIGHT_PER_SESSION = 10;
const REQUESTS = 40_000;
const ROUNDS = 4;
/** native: socket as is; filtered: always wrapped; handoff: what client-listener does (clean authority -> native). */
const MODES = ['native', 'filtered', 'handoff'];

function serve(mode: string): void {
  const h2 = http2.createServer();
  h2.on('stream', (stream) => {
    stream.on('data', () => {});
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
      stream.end(Buffer.alloc(100));
    });
  });
  const server = net.createServer({ noDelay: true }, (socket) => {
    if (mode === 'handoff') {
      socket.pause();
      handOffH2c(socket, h2);
    } else {
      h2.emit('connection', mode === 'filtered' ? filterH2cSocket(socket) : socket);
    }
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as net.AddressInfo).port }));
  process.on('message', () => {
    const cpu = process.cpuUsage();
    process.send?.({ cpuUs: cpu.user + cpu.system }, () => process.exit(0));
  });
}

async function drive(port: number, authority: string): Promise<void> {
  const sessions = Array.from({ length: SESSIONS }, () => http2.connect(`http://127.0.0.1:${port}`));
  let started = 0;
  const one = (session: http2.ClientHttp2Session): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = session.request({ ':method': 'POST', ':path': '/etcdserverpb.KV/Range', ':authority': authority, 'content-type': 'application/grpc', te: 'trailers' });
      req.on('data', () => {});
      req.on('end', resolve);
      req.on('error', reject);
      req.end(Buffer.alloc(50));
    });
  const worker = async (session: http2.ClientHttp2Session): Promise<void> => {
    while (started < REQUESTS) {
      started++;
      await one(session);
    }
  };
  await Promise.all(sessions.flatMap((s) => Array.from({ length: IN_FLIGHT_PER_SESSION }, () => worker(s))));
  for (const s of sessions) s.close();
}

async function measure(mode: string): Promise<number> {
  const child = fork(__filename, [mode], { stdio: 'inherit' });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  // Every server gets host:port (the native one would reset a URL): "filtered" measures the
  // wrapping and the frame walk, "handoff" the early SETTINGS and the peek at the first request.
  await drive(port, `127.0.0.1:${port}`);
  const cpuUs = await new Promise<number>((resolve) => {
    child.once('message', (m: { cpuUs: number }) => resolve(m.cpuUs));
    child.send('report');
  });
  return cpuUs / REQUESTS;
}

async function main(): Promise<void> {
  const results: Record<string, number[]> = { native: [], filtered: [], handoff: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const mode of MODES) results[mode]!.push(await measure(mode));
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const [mode, xs] of Object.entries(results)) {
    console.log(`${mode.padEnd(9)} server CPU µs/request: median ${median(xs).toFixed(1)}  min ${Math.min(...xs).toFixed(1)}  all ${xs.map((x) => x.toFixed(1)).join(' ')}`);
  }
  for (const mode of ['filtered', 'handoff']) {
    const overhead = median(results[mode]!) / median(results.native!) - 1;
    console.log(`${mode}/native - 1 (medians): ${(overhead * 100).toFixed(1)}%`);
  }
}

if (MODES.includes(process.argv[2] ?? '')) serve(process.argv[2]!);
else void main();
