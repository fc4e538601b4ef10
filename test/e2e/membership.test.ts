// Membership while writes continue: a 4th member joins as a learner (catching up from a
// snapshot: the leader's log was compacted), is promoted, an old member is removed; the
// removed member stops and cannot come back under its old id.

import { writeFileSync } from 'node:fs';
import { runEtcdctl } from '../support/etcdctl';
import { Cluster, bytes, putAnywhere, sleep, withTimeout } from './cluster-harness';

jest.setTimeout(120_000);

/** More entries than the leader keeps after a snapshot (SNAPSHOT_CATCH_UP_ENTRIES = 5000). */
const PRELOAD_PUTS = Number(process.env.TSETCD_E2E_PRELOAD ?? 5300);
const PRELOAD_CONCURRENCY = 64;

describe('membership changes under load', () => {
  const cluster = new Cluster({ size: 3, extraArgs: ['--snapshot-count', '1000'] });
  let stop = false;

  beforeAll(async () => {
    await cluster.start();
    await cluster.waitLeader();
  });

  afterAll(async () => {
    stop = true;
    if (process.env.TSETCD_E2E_DUMP !== undefined) {
      writeFileSync(process.env.TSETCD_E2E_DUMP, cluster.members.map((m) => `--- ${m.name}\n${m.tail}`).join('\n'));
    }
    await cluster.close();
  });

  const endpoints = (): string => cluster.alive().map((m) => m.endpoint).join(',');

  it('adds a learner, promotes it, removes an old member; the removed member cannot return', async () => {
    const leader = await cluster.waitLeader();
    let next = 0;
    await Promise.all(
      Array.from({ length: PRELOAD_CONCURRENCY }, async () => {
        while (next < PRELOAD_PUTS) {
          const i = next++;
          await cluster.client(leader).kv.put({ key: bytes(`pre/${i}`), value: bytes('v') }).catch((err: unknown) => {
            throw new Error(`preload put ${i} failed: ${String(err)}\n${cluster.members.map((m) => `--- ${m.name}\n${m.tail.split('\n').filter((l) => !l.includes('MsgVote')).slice(-15).join('\n')}`).join('\n')}`);
          });
        }
      }),
    );

    const acked = new Set<string>();
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const key = `live/${String(i).padStart(6, '0')}`;
        await putAnywhere(cluster, key, 'v', 10_000).then(
          () => acked.add(key),
          () => undefined,
        );
      }
    })();

    // 1. add m4 as a learner and start it against the running cluster
    const m4 = await cluster.addMemberSlot('m4');
    const add = await runEtcdctl(endpoints(), ['member', 'add', 'm4', '--learner', `--peer-urls=http://127.0.0.1:${m4.peerPort}`]);
    expect(add.exitCode).toBe(0);
    expect(add.stdout).toContain('ETCD_INITIAL_CLUSTER_STATE="existing"');
    const initialCluster = /ETCD_INITIAL_CLUSTER="([^"]+)"/.exec(add.stdout)![1]!;
    cluster.spawn(m4, initialCluster, 'existing');
    await cluster.waitServing(m4);
    const m4Id = (await cluster.client(m4).maintenance.status({})).header!.memberId;
    const learnerDeadline = Date.now() + 15_000;
    while (!(await cluster.client(m4).maintenance.status({})).isLearner) {
      if (Date.now() > learnerDeadline) throw new Error(`m4 never reported itself a learner:\n${m4.tail.slice(-3000)}`);
      await sleep(100);
    }

    // 2. promote once it caught up (etcd refuses while the learner lags)
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await runEtcdctl(endpoints(), ['member', 'promote', m4Id.toString(16)]);
      if (res.exitCode === 0) break;
      expect(res.stderr).toMatch(/can only promote a learner member which is in sync with leader|not leader|timed out/);
      if (Date.now() > deadline) throw new Error(`promote kept failing: ${res.stderr}\n${m4.tail.slice(-3000)}`);
      await sleep(200);
    }
    const votingDeadline = Date.now() + 10_000;
    while ((await cluster.client(m4).maintenance.status({})).isLearner) {
      if (Date.now() > votingDeadline) throw new Error('m4 still a learner after promote');
      await sleep(50);
    }

    // 3. remove an old member that is not the leader
    const now = await cluster.waitLeader();
    const victim = cluster.members.find((m) => m !== now && m !== m4)!;
    const victimId = (await cluster.client(victim).maintenance.status({})).header!.memberId;
    const rm = await runEtcdctl(cluster.members.filter((m) => m !== victim && m.child !== undefined).map((m) => m.endpoint).join(','), [
      'member',
      'remove',
      victimId.toString(16),
    ]);
    expect(rm.exitCode).toBe(0);
    expect(await withTimeout(victim.exited, 10_000)).toBe(0);
    cluster.dropClient(victim);

    await sleep(500);
    stop = true;
    await writer;

    // The removed member cannot come back under its old id: it stops again.
    cluster.spawn(victim, cluster.initialCluster(cluster.members.filter((m) => m !== m4)), 'new');
    // (it stops at start-up when its data dir recorded the removal, else when a peer answers 410)
    await withTimeout(victim.exited, 15_000);
    expect(victim.tail).toContain('the member has been permanently removed from the cluster');

    const list = await runEtcdctl(endpoints(), ['member', 'list']);
    expect(list.stdout).not.toContain(victimId.toString(16));
    expect(list.stdout.trim().split('\n')).toHaveLength(3);

    // m4 holds everything (the preload came in the snapshot, the rest by the log).
    const fence = (await cluster.client(m4).kv.put({ key: bytes('fence'), value: bytes('1') })).header!.revision;
    const pre = await cluster.client(m4).kv.range({ key: bytes('pre/'), rangeEnd: bytes('pre0'), countOnly: true });
    expect(pre.count).toBe(BigInt(PRELOAD_PUTS));
    const live = await cluster.client(m4).kv.range({ key: bytes('live/'), rangeEnd: bytes('live0'), keysOnly: true });
    const keys = new Set(live.kvs.map((kv) => Buffer.from(kv.key).toString()));
    expect([...acked].filter((k) => !keys.has(k))).toEqual([]);
    if (PRELOAD_PUTS > 5000) expect(m4.tail).toContain('installed snapshot image');
    const hashes = await Promise.all(cluster.alive().map((m) => cluster.client(m).maintenance.hashKV({ revision: fence })));
    expect(new Set(hashes.map((h) => h.hash)).size).toBe(1);
  });
});
