// Failover: under continuous puts from several clients the leader is SIGKILLed. A new leader
// is elected within two election timeouts, the clients carry on through the other members,
// every acknowledged put is readable afterwards, the restarted member catches up and every
// member's HashKV is equal.

import { Cluster, ELECTION_MS, bytes, putAnywhere, sleep, withTimeout } from './cluster-harness';

jest.setTimeout(90_000);

/** Polling the members' Status adds up to this much on top of the election itself. */
const LEADER_POLL_SLACK_MS = 400;

describe('failover', () => {
  const cluster = new Cluster({ size: 3, extraArgs: ['--snapshot-count', '200'] });

  beforeAll(async () => {
    await cluster.start();
    await cluster.waitLeader();
  });

  afterAll(async () => {
    await cluster.close();
  });

  let stop = false;
  afterAll(() => {
    stop = true;
  });

  it('survives a SIGKILLed leader without losing an acknowledged put', async () => {
    const acked = new Set<string>();
    const writers = [0, 1, 2].map(async (w) => {
      for (let i = 0; !stop; i++) {
        const key = `w${w}/${String(i).padStart(6, '0')}`;
        try {
          await putAnywhere(cluster, key, `v${i}`, 10_000);
          acked.add(key);
        } catch {
          // not acknowledged: may or may not be there, never checked
        }
      }
    });

    await sleep(800);
    const leader = await cluster.waitLeader();
    const before = acked.size;
    const killedAt = Date.now();
    await cluster.kill(leader);
    const survivors = cluster.alive();
    const next = await cluster.waitLeader(10_000, survivors);
    const electedAfterMs = Date.now() - killedAt;
    expect(next.name).not.toBe(leader.name);
    // A randomized timeout in [1, 2) election timeouts, plus one split-vote retry on a loaded machine.
    expect(electedAfterMs).toBeLessThan(3 * ELECTION_MS + LEADER_POLL_SLACK_MS);

    // Clients carry on through the other endpoints.
    // (puts forwarded to the dead leader are lost, as in etcd: those clients time out and retry)
    const afterFailover = acked.size;
    const progressDeadline = Date.now() + 8000;
    while (acked.size <= afterFailover + 20 && Date.now() < progressDeadline) await sleep(50);
    expect(acked.size).toBeGreaterThan(afterFailover + 20);
    expect(before).toBeGreaterThan(0);

    // The old leader comes back on its data dir and catches up while writes continue.
    cluster.spawn(leader, cluster.initialCluster(), 'new');
    await cluster.waitServing(leader);
    await sleep(500);
    stop = true;
    await Promise.all(writers);

    // Everything acknowledged is there, on every member (serializable: each member's own copy).
    const lastRev = (await cluster.client(next).kv.put({ key: bytes('fence'), value: bytes('x') })).header!.revision;
    for (const m of cluster.members) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const r = await withTimeout(cluster.client(m).kv.range({ key: bytes('fence'), serializable: true }), 5000);
        if (r.header!.revision >= lastRev) break;
        if (Date.now() > deadline) throw new Error(`${m.name} did not catch up to revision ${lastRev}`);
        await sleep(100);
      }
      const all = await cluster.client(m).kv.range({ key: bytes('w'), rangeEnd: bytes('x'), serializable: true, keysOnly: true });
      const keys = new Set(all.kvs.map((kv) => Buffer.from(kv.key).toString()));
      const missing = [...acked].filter((k) => !keys.has(k));
      expect({ member: m.name, missing }).toEqual({ member: m.name, missing: [] });
    }
    const hashes = await Promise.all(cluster.members.map((m) => cluster.client(m).maintenance.hashKV({ revision: lastRev })));
    expect(new Set(hashes.map((h) => h.hash)).size).toBe(1);
  });
});
