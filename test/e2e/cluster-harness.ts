// Real tsetcd processes forming one cluster on 127.0.0.1 (free ports, temp data dirs), optionally
// with every peer URL behind a TcpProxy so tests can partition members. Used by the cluster,
// failover, partition and membership e2e tests.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port';
import { probeRange } from '../support/grpc-probe';
import { rawClient, type RawClient } from '../support/raw-client';
import { TcpProxy } from '../support/tcp-proxy';
import { TSETCD_BIN } from '../support/server-process';

/** The leader keeps this many entries for followers after a snapshot (the server's SNAPSHOT_CATCH_UP_ENTRIES). */
export const SNAPSHOT_CATCH_UP_ENTRIES = 5000;
const FLOOD_CONCURRENCY = 64;

/**
 * How many puts put a member that is down behind the leader's compacted log: past the entries
 * kept for followers and the up to `snapshotCount` the last snapshot may lag, with a margin.
 */
export const catchUpFloodPuts = (snapshotCount: number): number => SNAPSHOT_CATCH_UP_ENTRIES + 2 * snapshotCount + 300;

export const HEARTBEAT_MS = 100; // etcd's defaults: tighter timings step leaders down on a loaded 2-core CI machine
export const ELECTION_MS = 1000;
const LOG_TAIL_CHARS = 20_000;

export interface MemberProc {
  readonly name: string;
  readonly clientPort: number;
  /** The port the member listens on for peers. */
  readonly peerListenPort: number;
  /** The advertised peer port (the proxy's when proxied). */
  readonly peerPort: number;
  readonly dataDir: string;
  readonly endpoint: string;
  readonly proxy: TcpProxy | undefined;
  child: ChildProcess | undefined;
  /** Set once the member answered a Range (clients are only pointed at serving members). */
  serving: boolean;
  exited: Promise<number | null>;
  tail: string;
}

export interface ClusterOptions {
  readonly size: number;
  readonly proxied?: boolean;
  readonly token?: string;
  readonly extraArgs?: readonly string[];
  /** The peer URLs' scheme (https needs the --peer-* TLS flags in extraArgs); default http. */
  readonly peerScheme?: 'http' | 'https';
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export class Cluster {
  readonly members: MemberProc[] = [];
  private readonly root = mkdtempSync(join(tmpdir(), 'tsetcd-cluster-'));
  private readonly clients = new Map<string, RawClient>();

  constructor(private readonly opts: ClusterOptions) {
    if (!existsSync(TSETCD_BIN)) throw new Error(`tsetcd build not found at ${TSETCD_BIN}: run npm run build first`);
  }

  get token(): string {
    return this.opts.token ?? 'e2e-cluster';
  }

  async addMemberSlot(name: string): Promise<MemberProc> {
    const clientPort = await freePort();
    const peerListenPort = await freePort();
    let proxy: TcpProxy | undefined;
    let peerPort = peerListenPort;
    if (this.opts.proxied === true) {
      peerPort = await freePort();
      proxy = new TcpProxy(peerPort, peerListenPort);
      await proxy.start();
    }
    const m: MemberProc = {
      name,
      clientPort,
      peerListenPort,
      peerPort,
      dataDir: join(this.root, name),
      endpoint: `127.0.0.1:${clientPort}`,
      proxy,
      child: undefined,
      serving: false,
      exited: Promise.resolve(null),
      tail: '',
    };
    this.members.push(m);
    return m;
  }

  initialCluster(members: readonly MemberProc[] = this.members): string {
    return members.map((m) => `${m.name}=${this.peerUrl(m)}`).join(',');
  }

  /** The member's advertised peer URL. */
  peerUrl(m: MemberProc): string {
    return `${this.opts.peerScheme ?? 'http'}://127.0.0.1:${m.peerPort}`;
  }

  async start(): Promise<void> {
    for (let i = 1; i <= this.opts.size; i++) await this.addMemberSlot(`m${i}`);
    const ic = this.initialCluster();
    for (const m of this.members) this.spawn(m, ic, 'new');
    await Promise.all(this.members.map((m) => this.waitServing(m)));
  }

  /** The same flags Debian's etcd takes. */
  args(m: MemberProc, initialCluster: string, state: 'new' | 'existing'): string[] {
    return [
      '--name', m.name,
      '--data-dir', m.dataDir,
      '--listen-client-urls', `http://127.0.0.1:${m.clientPort}`,
      '--advertise-client-urls', `http://127.0.0.1:${m.clientPort}`,
      '--listen-peer-urls', `${this.opts.peerScheme ?? 'http'}://127.0.0.1:${m.peerListenPort}`,
      '--initial-advertise-peer-urls', this.peerUrl(m),
      '--initial-cluster', initialCluster,
      '--initial-cluster-token', this.token,
      '--initial-cluster-state', state,
      '--heartbeat-interval', String(HEARTBEAT_MS),
      '--election-timeout', String(ELECTION_MS),
      ...(this.opts.extraArgs ?? []),
    ];
  }

  spawn(m: MemberProc, initialCluster: string, state: 'new' | 'existing'): void {
    const child = spawn(process.execPath, [TSETCD_BIN, ...this.args(m, initialCluster, state)], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    m.child = child;
    m.serving = false;
    this.dropClient(m);
    const collect = (c: Buffer): void => {
      m.tail = (m.tail + c.toString()).slice(-LOG_TAIL_CHARS);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    m.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        running.delete(child);
        if (m.child === child) m.child = undefined;
        resolve(code);
      }),
    );
  }

  async waitServing(m: MemberProc, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await probeRange(m.endpoint, 1000))) {
      if (m.child === undefined) throw new Error(`${m.name} exited during start-up:\n${m.tail}`);
      if (Date.now() > deadline) throw new Error(`${m.name} not serving after ${timeoutMs} ms:\n${m.tail}`);
      await sleep(100);
    }
    m.serving = true;
  }

  client(m: MemberProc): RawClient {
    let c = this.clients.get(m.endpoint);
    if (c === undefined) {
      c = rawClient(m.endpoint, { callTimeoutMs: 10_000 });
      this.clients.set(m.endpoint, c);
    }
    return c;
  }

  /** Puts `count` keys `flood/<n>` through `m`, FLOOD_CONCURRENCY at a time. */
  async floodPuts(m: MemberProc, count: number): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: FLOOD_CONCURRENCY }, async () => {
        while (next < count) {
          const k = next++;
          await this.client(m).kv.put({ key: bytes(`flood/${k}`), value: bytes('v') });
        }
      }),
    );
  }

  alive(): MemberProc[] {
    return this.members.filter((m) => m.child !== undefined);
  }

  serving(): MemberProc[] {
    return this.members.filter((m) => m.child !== undefined && m.serving);
  }

  async kill(m: MemberProc): Promise<void> {
    if (m.child === undefined) return;
    m.child.kill('SIGKILL');
    m.serving = false;
    await m.exited;
    this.dropClient(m);
  }

  dropClient(m: MemberProc): void {
    this.clients.get(m.endpoint)?.close();
    this.clients.delete(m.endpoint);
  }

  /** Status of every running member (undefined for one that does not answer). */
  async statuses(): Promise<Map<string, { leader: bigint; memberId: bigint; raftTerm: bigint; raftAppliedIndex: bigint; isLearner: boolean } | undefined>> {
    const out = new Map<string, { leader: bigint; memberId: bigint; raftTerm: bigint; raftAppliedIndex: bigint; isLearner: boolean } | undefined>();
    await Promise.all(
      this.alive().map(async (m) => {
        try {
          const s = await withTimeout(this.client(m).maintenance.status({}), 2000);
          out.set(m.name, { leader: s.leader, memberId: s.header!.memberId, raftTerm: s.raftTerm, raftAppliedIndex: s.raftAppliedIndex, isLearner: s.isLearner });
        } catch {
          out.set(m.name, undefined);
        }
      }),
    );
    return out;
  }

  /** Waits until all running members agree on one leader that is one of them; returns it. */
  async waitLeader(timeoutMs = 10_000, among: readonly MemberProc[] = this.alive()): Promise<MemberProc> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const st = await this.statuses();
      const leaders = new Set(among.map((m) => st.get(m.name)?.leader ?? 0n));
      if (leaders.size === 1 && !leaders.has(0n)) {
        const id = [...leaders][0]!;
        const m = among.find((x) => st.get(x.name)?.memberId === id);
        if (m !== undefined) return m;
      }
      if (Date.now() > deadline) throw new Error(`no agreed leader within ${timeoutMs} ms: ${JSON.stringify([...st].map(([k, v]) => [k, v?.leader.toString(16)]))}`);
      await sleep(50);
    }
  }

  async close(): Promise<void> {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
    await Promise.all(this.members.map((m) => this.kill(m)));
    await Promise.all(this.members.map((m) => m.proxy?.close()));
    rmSync(this.root, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e as Error);
      },
    );
  });
}

export const bytes = (s: string): Buffer => Buffer.from(s);

/** A client gives one member this long before trying another (a put may still commit later). */
export const PUT_ATTEMPT_TIMEOUT_MS = 1500;

/** Puts through whichever member answers, retrying the others: the failover client. */
export async function putAnywhere(cluster: Cluster, key: string, value: string, deadlineMs = 15_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let i = Math.floor(Math.random() * 10);
  for (;;) {
    const alive = cluster.serving();
    const m = alive[i++ % Math.max(1, alive.length)];
    if (m !== undefined) {
      try {
        await withTimeout(cluster.client(m).kv.put({ key: bytes(key), value: bytes(value) }), PUT_ATTEMPT_TIMEOUT_MS);
        return;
      } catch {
        // another endpoint
      }
    }
    if (Date.now() > deadline) throw new Error(`put ${key} failed on every endpoint for ${deadlineMs} ms`);
    await sleep(20);
  }
}
