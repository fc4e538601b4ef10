// A 3-member tsetcd cluster started with etcd's own flags serves Debian's etcdctl: member list,
// endpoint status (exactly one leader), and puts/gets through every member.

import { runEtcdctl } from '../support/etcdctl';
import { Cluster, bytes } from './cluster-harness';

jest.setTimeout(60_000);

describe('3-member cluster', () => {
  const cluster = new Cluster({ size: 3 });

  beforeAll(async () => {
    await cluster.start();
    await cluster.waitLeader();
  });

  afterAll(async () => {
    await cluster.close();
  });

  const endpoints = (): string => cluster.members.map((m) => m.endpoint).join(',');

  it('etcdctl member list -w table shows the three started members with their URLs', async () => {
    let out = '';
    // Names and client URLs arrive through raft (publish) right after start-up.
    for (let i = 0; i < 50; i++) {
      out = (await runEtcdctl(endpoints(), ['member', 'list', '-w', 'table'])).stdout;
      if (cluster.members.every((m) => out.includes(`http://127.0.0.1:${m.clientPort}`))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const m of cluster.members) {
      expect(out).toMatch(new RegExp(`\\|\\s+started\\s+\\|\\s+${m.name}\\s+\\|\\s+http://127\\.0\\.0\\.1:${m.peerPort}\\s+\\|\\s+http://127\\.0\\.0\\.1:${m.clientPort}\\s+\\|\\s+false\\s+\\|`));
    }
  });

  it('etcdctl endpoint status -w table shows exactly one leader and equal terms', async () => {
    const res = await runEtcdctl(endpoints(), ['endpoint', 'status', '-w', 'table']);
    expect(res.exitCode).toBe(0);
    const rows = res.stdout.split('\n').filter((l) => l.includes('127.0.0.1:'));
    expect(rows).toHaveLength(3);
    const cells = rows.map((r) => r.split('|').map((c) => c.trim()));
    expect(cells.filter((c) => c[5] === 'true')).toHaveLength(1);
    expect(new Set(cells.map((c) => c[7])).size).toBe(1); // raft term
    expect(new Set(cells.map((c) => c[2])).size).toBe(3); // distinct member ids
  });

  it('a put through any member is readable (linearizably) through every member', async () => {
    for (const [i, writer] of cluster.members.entries()) {
      const put = await runEtcdctl(writer.endpoint, ['put', `k${i}`, `v${i}`]);
      expect(put.stdout.trim()).toBe('OK');
      for (const reader of cluster.members) {
        const got = await runEtcdctl(reader.endpoint, ['get', `k${i}`, '--print-value-only']);
        expect(got.stdout.trim()).toBe(`v${i}`);
      }
    }
  });

  it('every member reports the same HashKV at the same revision', async () => {
    const hashes = await Promise.all(cluster.members.map((m) => cluster.client(m).maintenance.hashKV({ revision: 0n })));
    const revs = new Set(hashes.map((h) => h.header!.revision));
    expect(revs.size).toBe(1);
    expect(new Set(hashes.map((h) => h.hash)).size).toBe(1);
    const r = await cluster.client(cluster.members[2]!).kv.range({ key: bytes('k0') });
    expect(Buffer.from(r.kvs[0]!.value).toString()).toBe('v0');
  });

  it('MoveLeader hands leadership to another voter', async () => {
    const leader = await cluster.waitLeader();
    const target = cluster.members.find((m) => m !== leader)!;
    const st = await cluster.client(target).maintenance.status({});
    await cluster.client(leader).maintenance.moveLeader({ targetID: st.header!.memberId });
    const now = await cluster.waitLeader();
    expect(now.name).toBe(target.name);
  });

  it('a member started with another cluster token is refused by the peers (cluster ID mismatch)', async () => {
    const stranger = new Cluster({ size: 0, token: 'another-cluster' });
    try {
      const m = await stranger.addMemberSlot('m1');
      // Claims to be m1 of a cluster whose other members are ours, with a different token.
      const others = cluster.members.slice(1).map((x) => `${x.name}=http://127.0.0.1:${x.peerPort}`);
      stranger.spawn(m, [`m1=http://127.0.0.1:${m.peerPort}`, ...others].join(','), 'new');
      const deadline = Date.now() + 10_000;
      while (!m.tail.includes('cluster ID mismatch') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(m.tail).toContain('cluster ID mismatch');
      // Our cluster still has its leader and its data.
      await cluster.waitLeader();
    } finally {
      await stranger.close();
    }
  });
});
