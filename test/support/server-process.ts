import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './free-port';
import { probeRange } from './grpc-probe';
import { get as httpsGet } from 'node:https';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const ETCD_BIN = process.env.ETCD_BIN ?? '/usr/bin/etcd';
export const TSETCD_BIN = process.env.TSETCD_BIN ?? join(REPO_ROOT, 'packages', 'server', 'dist', 'bin.cjs');

/** How long a freshly spawned member gets to answer its first Range. */
export const START_TIMEOUT_MS = 20_000;
/** How long stop() waits after SIGTERM before SIGKILL. */
export const STOP_GRACE_MS = 5_000;
const LOG_TAIL_CHARS_MAX = 8_000;

export interface ServerOptions {
  /** Data directory; a fresh temp dir (removed on stop) when omitted. */
  dataDir?: string;
  clientPort?: number;
  peerPort?: number;
  name?: string;
  /** Extra flags appended after the standard ones, e.g. ['--max-request-bytes', '1048576']. */
  extraArgs?: string[];
  startTimeoutMs?: number;
  /** The client and peer URLs' scheme (https needs TLS flags in extraArgs, e.g. --auto-tls); default http. */
  clientScheme?: 'http' | 'https';
  peerScheme?: 'http' | 'https';
}

export interface ServerHandle {
  /** host:port of the client URL (for grpc-js and `etcdctl --endpoints`). */
  endpoint: string;
  /** http://host:port of the client URL (for the etcd3 npm client). */
  url: string;
  pid: number;
  dataDir: string;
  name: string;
  clientPort: number;
  peerPort: number;
  kind: 'etcd' | 'tsetcd';
  /** False once the process has exited. */
  alive(): boolean;
  /** The last few KB of the process's stdout+stderr, for failure messages. */
  logs(): string;
  /** SIGTERM, then SIGKILL after STOP_GRACE_MS; removes the data dir if this helper created it. */
  stop(): Promise<void>;
  /** SIGKILL (a crash): waits for the exit, keeps the data dir whoever created it. */
  kill(): Promise<void>;
}

/** GET /health over TLS without verifying the server (its certificate may be self-signed): true on 200. */
function probeHealthOverTls(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsGet({ host: '127.0.0.1', port, path: '/health', rejectUnauthorized: false, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

// Every child still running when the test process exits gets killed.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startEtcd(options: ServerOptions = {}): Promise<ServerHandle> {
  if (!existsSync(ETCD_BIN)) {
    throw new Error(`etcd not found at ${ETCD_BIN}: apt-get install -y etcd-server etcd-client`);
  }
  return startMember('etcd', ETCD_BIN, [], options);
}

export async function startTsetcd(options: ServerOptions = {}): Promise<ServerHandle> {
  if (!existsSync(TSETCD_BIN)) {
    throw new Error(`tsetcd build not found at ${TSETCD_BIN}: run npm run build first`);
  }
  return startMember('tsetcd', process.execPath, [TSETCD_BIN], options);
}

async function startMember(
  kind: 'etcd' | 'tsetcd',
  command: string,
  leadingArgs: string[],
  options: ServerOptions,
): Promise<ServerHandle> {
  const clientPort = options.clientPort ?? (await freePort());
  const peerPort = options.peerPort ?? (await freePort());
  const name = options.name ?? `${kind}-${clientPort}`;
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), `${kind}-compat-`));
  const clientUrl = `${options.clientScheme ?? 'http'}://127.0.0.1:${clientPort}`;
  const peerUrl = `${options.peerScheme ?? 'http'}://127.0.0.1:${peerPort}`;
  const args = [
    ...leadingArgs,
    '--name', name,
    '--data-dir', dataDir,
    '--listen-client-urls', clientUrl,
    '--advertise-client-urls', clientUrl,
    '--listen-peer-urls', peerUrl,
    '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `${name}=${peerUrl}`,
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let tail = '';
  const collect = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-LOG_TAIL_CHARS_MAX);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolveExit) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      running.delete(child);
      resolveExit();
    });
  });

  const cleanup = (): void => {
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (exited === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exitPromise;
      clearTimeout(timer);
    }
    cleanup();
  };

  const endpoint = `127.0.0.1:${clientPort}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? START_TIMEOUT_MS);
  for (;;) {
    if (exited !== undefined) {
      await stop();
      throw new Error(
        `${kind} exited during start-up (code ${exited.code}, signal ${exited.signal}): ${command} ${args.join(' ')}\n${tail}`,
      );
    }
    if (await (options.clientScheme === 'https' ? probeHealthOverTls(clientPort, 1_000) : probeRange(endpoint, 1_000))) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${kind} did not answer KV.Range on ${endpoint} within the start timeout\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    endpoint,
    url: clientUrl,
    pid: child.pid ?? -1,
    dataDir,
    name,
    clientPort,
    peerPort,
    kind,
    alive: () => exited === undefined,
    kill: async () => {
      if (exited === undefined) {
        child.kill('SIGKILL');
        await exitPromise;
      }
    },
    logs: () => tail,
    stop,
  };
}
