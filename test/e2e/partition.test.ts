// Partition through TCP proxies between the peers: the isolated minority cannot commit (its
// writes fail or time out, never succeed), the majority goes on, and after healing the
// minority converges (same data, same HashKV).

import { Cluster, bytes, sleep, withTimeout, type MemberProc } from './cluster-harness';

jest.setTimeout(90_000);

describe('partition', () => {
  const cluster = new Cluster({ size: 3, proxied: true });
  const ids = new Map<string, string>();

  beforeAll(async () => {
    await cluster.start();
    await cluster.waitLeader();
    for (const m of cluster.members) {
      const st = await cluster.client(m).maintenance.status({});
      ids.set(m.name, st.header!.memberId.toString(16));
    }
  });

  afterAll(async () => {
    await cluster.close();
  });

  /** Cuts `m` off: nobody reaches its proxy, and the others' proxies refuse streams it opens. */
  function isolate(m: MemberProc): void {
    const id = ids.get(m.name)!;
    m.proxy!.cut(() => true);
    for (const o of cluster.members) if (o !== m) o.proxy!.cut((head) => head.includes(`x-server-from: ${id}`));
  }

  function heal(): void {
    for (const m of cluster.members) m.proxy!.heal();
  }

  it('the minority cannot commit, the majority goes on, the minority converges after healing', async () => {
    const leader = await cluster.waitLeader();
    // Isolate the leader: the hardest case (it must stop acknowledging, the others re-elect).
    const minority = leader;
    const majority = cluster.members.filter((m) => m !== minority);
    isolate(minority);

    const minorityWrite = withTimeout(cluster.client(minority).kv.put({ key: bytes('minority'), value: bytes('x') }), 12_000).then(
      () => 'acknowledged',
      (err: unknown) => `failed: ${String(err)}`,
    );

    // Its linearizable reads cannot be served either.
    const minorityRead = withTimeout(cluster.client(minority).kv.range({ key: bytes('major/0') }), 12_000).then(
      () => 'served',
      () => 'failed',
    );

    const newLeader = await cluster.waitLeader(10_000, majority);
    expect(newLeader.name).not.toBe(minority.name);
    for (let i = 0; i < 20; i++) await cluster.client(majority[i % 2]!).kv.put({ key: bytes(`major/${i}`), value: bytes(String(i)) });

    const outcome = await minorityWrite;
    expect(outcome).toMatch(/^failed: /);
    expect(await minorityRead).toBe('failed');

    heal();
    const rev = (await cluster.client(newLeader).kv.put({ key: bytes('healed'), value: bytes('1') })).header!.revision;
    const deadline = Date.now() + 15_000;
    for (;;) {
      const r = await withTimeout(cluster.client(minority).kv.range({ key: bytes('major/'), rangeEnd: bytes('major0'), serializable: true }), 5000).catch(() => undefined);
      if (r !== undefined && r.header!.revision >= rev && r.count === 20n) break;
      if (Date.now() > deadline) throw new Error(`the healed minority did not converge:\n${minority.tail.slice(-3000)}`);
      await sleep(100);
    }
    const gone = await cluster.client(minority).kv.range({ key: bytes('minority'), serializable: true });
    expect(gone.count).toBe(0n);
    const hashes = await Promise.all(cluster.members.map((m) => cluster.client(m).maintenance.hashKV({ revision: rev })));
    expect(new Set(hashes.map((h) => h.hash)).size).toBe(1);
    await cluster.waitLeader();
  });
});
