// Crash test through the real server process: concurrent puts over gRPC, SIGKILL mid-load,
// restart on the same data dir. Every acknowledged put must be there with its value and
// revision, and revisions must continue upwards after the restart.
//
// Needs the built bin (`npm run build`); TSETCD_E2E_BIN=/usr/bin/etcd runs the same test
// against real etcd, which checks the test itself.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TestEtcdClient } from './helpers/grpc-kv-client';
import { freePort, ServerProcess } from './helpers/server-process';

jest.setTimeout(90_000);

interface Acked {
  readonly key: string;
  readonly value: string;
  readonly revision: bigint;
}

const WORKERS = 32;
const ACKED_BEFORE_KILL = 400;
const START_TIMEOUT_MS = 30_000;

describe.each([
  ['default flags', [] as string[]],
  ['raft snapshots every 100 entries', ['--snapshot-count', '100']],
])('e2e: SIGKILL during concurrent puts (%s)', (_label, extraArgs) => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  const clients: TestEtcdClient[] = [];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsetcd-e2e-crash-'));
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await server?.kill();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged put across a crash and continues revisions', async () => {
    const clientPort = await freePort();
    const peerPort = await freePort();
    server = new ServerProcess({ dataDir: path.join(dataDir, 'd'), clientPort, peerPort, extraArgs });
    server.start();
    const c1 = new TestEtcdClient(server.endpoint);
    clients.push(c1);
    try {
      await c1.waitReady(START_TIMEOUT_MS);
    } catch (err) {
      throw new Error(`${String(err)}\nserver output:\n${server.logs}`);
    }

    const acked: Acked[] = [];
    let stop = false;
    let failedAfterKill = 0;
    let killed: Promise<void> | undefined;
    const worker = async (w: number): Promise<void> => {
      for (let seq = 0; !stop; seq++) {
        const key = `crash/${w}/${seq}`;
        const value = `value-${w}-${seq}-${'x'.repeat(seq % 50)}`;
        try {
          const res = await c1.put(key, value);
          acked.push({ key, value, revision: res.header!.revision });
          if (acked.length >= ACKED_BEFORE_KILL && killed === undefined) killed = server!.kill('SIGKILL');
        } catch {
          if (killed === undefined) throw new Error(`put failed before the crash:\n${server!.logs}`);
          failedAfterKill++;
          stop = true;
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    await killed;
    expect(acked.length).toBeGreaterThanOrEqual(ACKED_BEFORE_KILL);
    expect(failedAfterKill).toBeGreaterThan(0);
    // Each put bumps the revision by one: acknowledged revisions are distinct.
    expect(new Set(acked.map((a) => a.revision)).size).toBe(acked.length);

    server = new ServerProcess({ dataDir: path.join(dataDir, 'd'), clientPort, peerPort, extraArgs });
    server.start();
    const c2 = new TestEtcdClient(server.endpoint);
    clients.push(c2);
    await c2.waitReady(START_TIMEOUT_MS);

    const all = await c2.get('crash/', { rangeEnd: 'crash0' });
    const byKey = new Map(all.kvs.map((kv) => [kv.key.toString(), kv]));
    const missing: string[] = [];
    for (const a of acked) {
      const kv = byKey.get(a.key);
      if (kv === undefined) {
        missing.push(a.key);
        continue;
      }
      expect(kv.value.toString()).toBe(a.value);
      expect(kv.modRevision).toBe(a.revision);
      expect(kv.createRevision).toBe(a.revision);
    }
    expect(missing).toEqual([]);

    const maxAcked = acked.reduce((m, a) => (a.revision > m ? a.revision : m), 0n);
    const storeRevision = all.header!.revision;
    expect(storeRevision).toBeGreaterThanOrEqual(maxAcked);
    const after = await c2.put('crash-after', 'x');
    expect(after.header!.revision).toBe(storeRevision + 1n);
  });
});
