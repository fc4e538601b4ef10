// Restart recovery of an in-process member: the backend keeps applied state, the WAL is replayed
// after the backend's consistent index, raft snapshots compact the log, and ids/term survive.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseInitialCluster } from '../../packages/server/src/config';
import { openStorage } from '../../packages/server/src/etcdserver/server-storage';
import { Wal } from '../../packages/server/src/wal';
import { ctx, memberConfig, prefixEnd, putReq, rangeReq, startMember, tempDir } from './member-helpers';

jest.setTimeout(60_000);

async function putMany(server: Awaited<ReturnType<typeof startMember>>, prefix: string, n: number): Promise<bigint[]> {
  const revs: bigint[] = [];
  for (let i = 0; i < n; i += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, n - i) }, (_, j) => server.put(putReq(`${prefix}${String(i + j).padStart(4, '0')}`, `v${i + j}`), ctx())),
    );
    revs.push(...batch.map((p) => p.header!.revision));
  }
  return revs;
}

describe('member: restart recovery', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('restarts with its data, ids, a higher term and continuing revisions', async () => {
    const dir = tempDir('restart');
    dirs.push(dir);
    const s1 = await startMember(dir);
    const revs = await putMany(s1, 'r/', 60);
    const id = s1.identity;
    const term1 = (await s1.status(ctx())).raftTerm;
    await s1.close();

    const s2 = await startMember(dir);
    try {
      expect(s2.identity).toEqual(id);
      const st = await s2.status(ctx());
      expect(st.raftTerm).toBe(term1 + 1n);
      const all = await s2.range(rangeReq('r/', { rangeEnd: prefixEnd('r/') }), ctx());
      expect(all.count).toBe(60n);
      expect(all.kvs.map((kv) => kv.modRevision).sort((a, b) => (a < b ? -1 : 1))).toEqual([...revs].sort((a, b) => (a < b ? -1 : 1)));
      const maxRev = revs.reduce((m, r) => (r > m ? r : m), 0n);
      const next = await s2.put(putReq('r-next', 'x'), ctx());
      expect(next.header!.revision).toBe(maxRev + 1n);
    } finally {
      await s2.close();
    }
  });

  it('replays WAL entries the backend lost (backend older than the WAL)', async () => {
    const dir = tempDir('replay');
    dirs.push(dir);
    const dbDir = path.join(dir, 'member', 'snap', 'db');
    const s1 = await startMember(dir);
    await putMany(s1, 'a/', 30);
    await s1.close();
    const oldDb = path.join(dir, 'db-old');
    fs.cpSync(dbDir, oldDb, { recursive: true });

    const s2 = await startMember(dir);
    const revsB = await putMany(s2, 'b/', 40);
    const full = await s2.range(rangeReq('a', { rangeEnd: Buffer.from('c') }), ctx());
    const hashFull = (await s2.hashKV({ revision: 0n }, ctx())).hash;
    await s2.close();

    // Lose every backend commit since the first run (as an unsynced backend would on power loss).
    fs.rmSync(dbDir, { recursive: true, force: true });
    fs.cpSync(oldDb, dbDir, { recursive: true });

    const s3 = await startMember(dir);
    try {
      const again = await s3.range(rangeReq('a', { rangeEnd: Buffer.from('c') }), ctx());
      expect(again.count).toBe(70n);
      expect(again.header!.revision).toBe(full.header!.revision);
      expect(again.kvs).toEqual(full.kvs);
      expect((await s3.hashKV({ revision: 0n }, ctx())).hash).toBe(hashFull);
      const maxB = revsB.reduce((m, r) => (r > m ? r : m), 0n);
      expect((await s3.put(putReq('c-next', 'x'), ctx())).header!.revision).toBe(maxB + 1n);
    } finally {
      await s3.close();
    }
  });

  it('takes raft snapshots every --snapshot-count entries and restarts from them', async () => {
    const dir = tempDir('snapshot');
    dirs.push(dir);
    const s1 = await startMember(dir, { snapshotCount: 50 });
    await putMany(s1, 's/', 180);
    const stats = s1.stats();
    expect(stats.snapshotIndex).toBeGreaterThan(100);
    expect(stats.appliedIndex - stats.snapshotIndex).toBeLessThanOrEqual(51);
    await s1.close();

    const snaps = fs.readdirSync(path.join(dir, 'member', 'snap')).filter((n) => n.endsWith('.snap'));
    expect(snaps.length).toBeGreaterThanOrEqual(1);
    expect(snaps.length).toBeLessThanOrEqual(5);
    const walSnaps = await Wal.validSnapshotEntries(path.join(dir, 'member', 'wal'));
    expect(walSnaps.map((s) => s.index)).toContain(stats.snapshotIndex);

    const s2 = await startMember(dir, { snapshotCount: 50 });
    try {
      // replaying the entries after the snapshot may itself trigger the next snapshot
      expect(s2.stats().snapshotIndex).toBeGreaterThanOrEqual(stats.snapshotIndex);
      const all = await s2.range(rangeReq('s/', { rangeEnd: prefixEnd('s/'), countOnly: true }), ctx());
      expect(all.count).toBe(180n);
      await s2.put(putReq('s-after', 'x'), ctx());
    } finally {
      await s2.close();
    }
  });

  it('recovers a member that crashed between creating its WAL and saving the bootstrap log', async () => {
    const dir = tempDir('early-crash');
    dirs.push(dir);
    const cfg = memberConfig(dir);
    const opened = await openStorage({
      dataDir: cfg.dataDir,
      walDir: cfg.walDir,
      name: cfg.name,
      initialCluster: parseInitialCluster(cfg.initialCluster),
      initialClusterToken: cfg.initialClusterToken,
      initialClusterState: cfg.initialClusterState,
      advertiseClientUrls: cfg.advertiseClientUrls,
      clusterVersion: '3.4.0',
      quotaBackendBytes: cfg.quotaBackendBytes,
    });
    expect(opened.isNew).toBe(true);
    await opened.wal.close();
    await opened.backend.close();

    const s = await startMember(dir);
    try {
      expect(s.identity.memberId).toBe(opened.memberId);
      expect((await s.put(putReq('k', 'v'), ctx())).header!.revision).toBe(2n);
    } finally {
      await s.close();
    }
  });
});
