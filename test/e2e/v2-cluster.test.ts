// The v2 keys API on a 3-member tsetcd cluster: a follower's write is read through raft on the
// leader, a TTL key expires once cluster-wide (also when its leader dies before the expiry), a
// long-poll watcher survives the SIGKILL of its member by resuming elsewhere with waitIndex, and
// the v2 store survives restarts of one and of all members and reaches a member that catches up
// by snapshot.

import { v2Http, v2Watch, type V2HttpRequest, type V2HttpResponse } from '../compat/v2/v2-http';
import { settledBaseIndex } from '../compat/v2/v2-runner';
import { Cluster, bytes, catchUpFloodPuts, sleep, type MemberProc } from './cluster-harness';

jest.setTimeout(60_000);

/** Snapshots every 1000 entries (the leader keeps SNAPSHOT_CATCH_UP_ENTRIES more for followers). */
const SNAPSHOT_COUNT = 1000;
/** The leader proposes SYNC every 500 ms; a TTL of 1 s expires within ~1.5 s. */
const EXPIRY_WAIT_MS = 4_000;
const WATCH_POLL_TIMEOUT_MS = 3_000;

interface V2Event {
  action: string;
  node: { key?: string; value?: string; dir?: boolean; modifiedIndex: number; createdIndex: number; ttl?: number; nodes?: unknown[] };
  prevNode?: { key?: string; value?: string; modifiedIndex: number };
}

const urlOf = (m: MemberProc): string => `http://127.0.0.1:${m.clientPort}`;

async function call(m: MemberProc, r: V2HttpRequest): Promise<{ res: V2HttpResponse; json: V2Event & { errorCode?: number } }> {
  const res = await v2Http(urlOf(m), r, 10_000);
  return { res, json: JSON.parse(res.body) as V2Event & { errorCode?: number } };
}

const put = (m: MemberProc, key: string, form: Record<string, string>, query = ''): ReturnType<typeof call> =>
  call(m, { method: 'PUT', path: `/v2/keys${key}${query}`, form });
/** RAFT_INTERNAL (errorCode 300, status 500): etcd's answer to a proposal lost to a leader change or a timeout. */
const RAFT_INTERNAL = 300;
const WRITE_ATTEMPTS = 5;

/**
 * An idempotent `set` as a v2 client sends it after an election: a 500 with errorCode 300 (the
 * proposal was dropped or timed out while the new leader settled) is retried, anything else is the answer.
 */
async function putRetryingElection(m: MemberProc, key: string, form: Record<string, string>): ReturnType<typeof call> {
  for (let attempt = 1; ; attempt++) {
    const r = await put(m, key, form);
    if (r.res.status !== 500 || r.json.errorCode !== RAFT_INTERNAL || attempt === WRITE_ATTEMPTS) return r;
    await sleep(200 * attempt);
  }
}
const get = (m: MemberProc, pathAndQuery: string): ReturnType<typeof call> => call(m, { method: 'GET', path: `/v2/keys${pathAndQuery}` });
const etcdIndex = (res: V2HttpResponse): number => Number(res.headers['x-etcd-index']);

/** The tree under `key` as a member serves it locally (no quorum), indexes included. */
async function tree(m: MemberProc, key: string): Promise<unknown> {
  const { res, json } = await get(m, `${key}?recursive=true&sorted=true`);
  return { status: res.status, node: json.node };
}

/** A tree with its clock-dependent fields masked (TTLs count down between two reads). */
const withoutClock = (t: unknown): string =>
  JSON.stringify(t).replace(/"ttl":\d+,/g, '"ttl":"<n>",').replace(/"expiration":"[^"]+",/g, '"expiration":"<t>",');

/** Waits until a member's local v2 index reaches `index` (it applied everything up to there). */
async function waitIndexOn(m: MemberProc, index: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await v2Http(urlOf(m), { method: 'GET', path: '/v2/keys/' }).catch(() => undefined);
    if (r !== undefined && etcdIndex(r) >= index) return;
    if (Date.now() > deadline) throw new Error(`${m.name}: v2 index did not reach ${index} within ${timeoutMs} ms (at ${r === undefined ? '?' : etcdIndex(r)})\n${m.tail.slice(-2000)}`);
    await sleep(50);
  }
}

describe('v2 keys on a 3-member cluster', () => {
  const cluster = new Cluster({ size: 3, extraArgs: ['--enable-v2', '--snapshot-count', String(SNAPSHOT_COUNT)] });

  beforeAll(async () => {
    await cluster.start();
    await cluster.waitLeader();
    // the members' own /0 bookkeeping (attributes, cluster version) is written first
    await Promise.all(cluster.members.map((m) => settledBaseIndex(urlOf(m))));
  }, 60_000);

  afterAll(async () => {
    await cluster.close();
  }, 30_000);

  const restart = async (m: MemberProc): Promise<void> => {
    cluster.spawn(m, cluster.initialCluster(), 'new');
    await cluster.waitServing(m);
  };

  it('a write on a follower is readable on the leader with ?quorum=true, at the same index', async () => {
    const leader = await cluster.waitLeader();
    const follower = cluster.members.find((m) => m !== leader)!;
    const w = await put(follower, '/e2e/follower-write', { value: 'from-follower' });
    expect(w.res.status).toBe(201);
    expect(w.json.node.value).toBe('from-follower');

    const q = await get(leader, '/e2e/follower-write?quorum=true');
    expect(q.res.status).toBe(200);
    expect(q.json.node).toEqual(w.json.node);
    expect(etcdIndex(q.res)).toBeGreaterThanOrEqual(w.json.node.modifiedIndex);
    expect(q.res.headers['x-etcd-cluster-id']).toBe(w.res.headers['x-etcd-cluster-id']);

    // every member applies it at the same index
    for (const m of cluster.members) {
      await waitIndexOn(m, w.json.node.modifiedIndex);
      expect((await get(m, '/e2e/follower-write')).json.node).toEqual(w.json.node);
    }
  });

  it('compare-and-swap from every member at once loses no increment; in-order keys from every member are all kept', async () => {
    const INCREMENTS_PER_MEMBER = 15;
    const POSTS_PER_MEMBER = 20;
    expect((await put(cluster.members[0]!, '/cas/counter', { value: '0 init' })).res.status).toBe(201);
    const countOf = (value: string | undefined): number => Number((value ?? '').split(' ')[0]);

    /** A quorum read, retried while the cluster answers 5xx (an election on a loaded machine). */
    const readCounter = async (m: MemberProc): Promise<V2Event['node']> => {
      for (let attempt = 0; ; attempt++) {
        const cur = await get(m, '/cas/counter?quorum=true');
        if (cur.res.status === 200) return cur.json.node;
        if (cur.res.status < 500 || attempt >= 20) throw new Error(`quorum GET on ${m.name}: ${cur.res.status} ${cur.res.body}`);
        await sleep(100);
      }
    };
    /** After an ambiguous CAS answer: did the write that followed `prevIndex` carry our tag? */
    const applied = async (m: MemberProc, prevIndex: number, tag: string): Promise<boolean> => {
      const r = await v2Http(urlOf(m), { method: 'GET', path: `/v2/keys/cas/counter?wait=true&waitIndex=${prevIndex + 1}` }, 3_000).catch(() => undefined);
      return r !== undefined && (JSON.parse(r.body) as V2Event).node.value === tag;
    };
    const increment = async (m: MemberProc): Promise<void> => {
      for (let done = 0, attempt = 0; done < INCREMENTS_PER_MEMBER; attempt++) {
        const cur = await readCounter(m);
        const tag = `${countOf(cur.value) + 1} ${m.name}#${attempt}`;
        const r = await put(m, '/cas/counter', { value: tag }, `?prevIndex=${cur.modifiedIndex}`);
        if (r.res.status === 200 || (r.res.status >= 500 && (await applied(m, cur.modifiedIndex, tag)))) done++;
        else if (r.res.status < 500 && r.json.errorCode !== 101) throw new Error(`CAS on ${m.name}: ${r.res.status} ${r.res.body}`);
      }
    };
    const enqueue = async (m: MemberProc): Promise<{ acked: number[]; ambiguous: number }> => {
      const acked: number[] = [];
      let ambiguous = 0;
      for (let i = 0; i < POSTS_PER_MEMBER; i++) {
        const r = await call(m, { method: 'POST', path: '/v2/keys/cas/queue', form: { value: `${m.name}-${i}` } });
        if (r.res.status === 201) acked.push(r.json.node.createdIndex);
        else if (r.res.status >= 500) ambiguous++;
        else throw new Error(`POST on ${m.name}: ${r.res.status} ${r.res.body}`);
      }
      return { acked, ambiguous };
    };
    const [, posts] = await Promise.all([
      Promise.all(cluster.members.map((m) => increment(m))),
      Promise.all(cluster.members.map((m) => enqueue(m))),
    ]);

    const final = await readCounter(cluster.members[2]!);
    expect(countOf(final.value)).toBe(INCREMENTS_PER_MEMBER * cluster.members.length);
    const queue = await get(cluster.members[1]!, '/cas/queue?quorum=true&sorted=true');
    const items = (queue.json.node.nodes ?? []) as { key: string; value: string; createdIndex: number }[];
    const acked = posts.flatMap((p) => p.acked).sort((a, b) => a - b);
    const ambiguous = posts.reduce((n, p) => n + p.ambiguous, 0);
    // each key is its 20-digit index (sorted by name = by index); every acknowledged POST is there, once
    expect(items.map((n) => n.key)).toEqual(items.map((n) => `/cas/queue/${String(n.createdIndex).padStart(20, '0')}`));
    expect(new Set(items.map((n) => n.value)).size).toBe(items.length);
    const present = new Set(items.map((n) => n.createdIndex));
    expect(acked.filter((i) => !present.has(i))).toEqual([]);
    expect(items.length).toBeGreaterThanOrEqual(acked.length);
    expect(items.length).toBeLessThanOrEqual(acked.length + ambiguous);
    // and every member holds the same tree
    const index = etcdIndex(queue.res);
    for (const m of cluster.members) await waitIndexOn(m, index);
    const trees = await Promise.all(cluster.members.map((m) => tree(m, '/cas')));
    expect(trees[1]).toEqual(trees[0]);
    expect(trees[2]).toEqual(trees[0]);
  });

  it('a TTL key expires exactly once cluster-wide: one expire event, same index, on every member', async () => {
    const start = await get(cluster.members[0]!, '/');
    const watches = cluster.members.map((m) => v2Watch(urlOf(m), { method: 'GET', path: `/v2/keys/ttl?wait=true&recursive=true&stream=true&waitIndex=${etcdIndex(start.res) + 1}` }));
    try {
      await Promise.all(watches.map((w) => w.head));
      const set = await put(cluster.members[1]!, '/ttl/k', { value: 'short', ttl: '1' });
      expect(set.res.status).toBe(201);
      expect(set.json.node.ttl).toBe(1);

      const perMember = await Promise.all(
        watches.map(async (w) => {
          const events: V2Event[] = [];
          events.push(JSON.parse(await w.nextLine(EXPIRY_WAIT_MS)) as V2Event);
          events.push(JSON.parse(await w.nextLine(EXPIRY_WAIT_MS)) as V2Event);
          // a second expiry would come within a SYNC interval or two
          const extra = await w.nextLine(1_500).then(
            (line) => line,
            () => undefined,
          );
          return { events, extra };
        }),
      );
      const expireIndex = perMember[0]!.events[1]!.node.modifiedIndex;
      expect(expireIndex).toBeGreaterThan(set.json.node.modifiedIndex);
      for (const { events, extra } of perMember) {
        expect(events.map((e) => [e.action, e.node.key, e.node.modifiedIndex])).toEqual([
          ['set', '/ttl/k', set.json.node.modifiedIndex],
          ['expire', '/ttl/k', expireIndex],
        ]);
        expect(events[1]?.prevNode?.value).toBe('short');
        expect(extra).toBeUndefined();
      }
      for (const m of cluster.members) {
        const gone = await get(m, '/ttl/k');
        expect(gone.json.errorCode).toBe(100);
        // the expire is in every member's history at the same index
        const h = await call(m, { method: 'GET', path: `/v2/keys/ttl/k?wait=true&waitIndex=${expireIndex}` });
        expect([h.json.action, h.json.node.modifiedIndex]).toEqual(['expire', expireIndex]);
      }
    } finally {
      for (const w of watches) w.close();
    }
  });

  it('a TTL key still expires once when its leader is SIGKILLed: the new leader proposes the expiry', async () => {
    const leader = await cluster.waitLeader();
    const survivors = cluster.members.filter((m) => m !== leader);
    const set = await put(survivors[0]!, '/ttl-failover/k', { value: 'v', ttl: '2' });
    expect(set.res.status).toBe(201);
    const from = set.json.node.modifiedIndex + 1;
    await cluster.kill(leader);
    await cluster.waitLeader(15_000, survivors);

    const expires = await Promise.all(
      survivors.map(async (m) => (await call(m, { method: 'GET', path: `/v2/keys/ttl-failover/k?wait=true&waitIndex=${from}` })).json),
    );
    expect(expires.map((e) => e.action)).toEqual(['expire', 'expire']);
    expect(expires[1]!.node.modifiedIndex).toBe(expires[0]!.node.modifiedIndex);

    // the old leader comes back with the same expiry in its history, and no second one anywhere
    await restart(leader);
    await waitIndexOn(leader, expires[0]!.node.modifiedIndex);
    for (const m of cluster.members) {
      const h = await call(m, { method: 'GET', path: `/v2/keys/ttl-failover?wait=true&recursive=true&waitIndex=${from}` });
      expect([h.json.action, h.json.node.modifiedIndex]).toEqual(['expire', expires[0]!.node.modifiedIndex]);
      const after = await v2Watch(urlOf(m), { method: 'GET', path: `/v2/keys/ttl-failover?wait=true&recursive=true&stream=true&waitIndex=${expires[0]!.node.modifiedIndex + 1}` });
      const extra = await after.nextLine(1_000).then(
        (line) => line,
        () => undefined,
      );
      after.close();
      expect(extra).toBeUndefined();
    }
  });

  it('a long-poll watcher on a SIGKILLed member resumes on another with waitIndex and misses nothing', async () => {
    const leader = await cluster.waitLeader();
    const victim = cluster.members.find((m) => m !== leader)!;
    const from = etcdIndex((await get(victim, '/')).res) + 1;
    const WRITES = 60;
    const KILL_AFTER_EVENTS = 20;

    const written: [string, string, number][] = [];
    const seen: [string, string, number][] = [];
    const servedBy: string[] = [];
    let writerDone = false;

    const writer = (async () => {
      for (let i = 0; i < WRITES; i++) {
        const key = `/seq/k${String(i).padStart(3, '0')}`;
        const r = await put(leader, key, { value: `v${i}` });
        if (r.res.status !== 201) throw new Error(`write ${key}: ${r.res.status} ${r.res.body}`);
        written.push([key, `v${i}`, r.json.node.modifiedIndex]);
        await sleep(15);
      }
      writerDone = true;
    })();

    // etcdctl watch --forever style: one long-poll per event, waitIndex = last + 1
    const watcher = (async () => {
      let next = from;
      let member = victim;
      let killed = false;
      while (!(writerDone && seen.length >= written.length)) {
        let r: V2HttpResponse;
        try {
          r = await v2Http(urlOf(member), { method: 'GET', path: `/v2/keys/seq?wait=true&recursive=true&waitIndex=${next}` }, WATCH_POLL_TIMEOUT_MS);
        } catch (err) {
          if (/no answer within/.test((err as Error).message) && member.child !== undefined) continue; // an idle poll
          member = cluster.serving().find((m) => m !== victim)!; // reconnect elsewhere
          continue;
        }
        if (r.status !== 200) throw new Error(`watch on ${member.name}: ${r.status} ${r.body}`);
        const e = JSON.parse(r.body) as V2Event;
        seen.push([e.node.key ?? '', e.node.value ?? '', e.node.modifiedIndex]);
        servedBy.push(member.name);
        next = e.node.modifiedIndex + 1;
        if (!killed && seen.length === KILL_AFTER_EVENTS) {
          killed = true;
          await cluster.kill(victim);
        }
      }
    })();

    await Promise.all([writer, watcher]);
    expect(seen).toEqual(written);
    expect(servedBy.slice(0, KILL_AFTER_EVENTS)).toEqual(Array(KILL_AFTER_EVENTS).fill(victim.name));
    expect(servedBy.slice(KILL_AFTER_EVENTS).every((n) => n !== victim.name)).toBe(true);

    // the killed member comes back with everything, including what it missed while down
    await restart(victim);
    await waitIndexOn(victim, written[written.length - 1]![2]);
    expect(await tree(victim, '/seq')).toEqual(await tree(leader, '/seq'));
  });

  it('the v2 store survives a restart of all members: tree, index, TTLs and watch history', async () => {
    const keeper = cluster.members[0]!;
    const ttlKey = await put(keeper, '/restart/ttl', { value: 'lasting', ttl: '300' });
    const dir = await put(keeper, '/restart/dir', {}, '?dir=true');
    const inOrder = await call(keeper, { method: 'POST', path: '/v2/keys/restart/queue', form: { value: 'job' } });
    expect([ttlKey.res.status, dir.res.status, inOrder.res.status]).toEqual([201, 201, 201]);
    const lastIndex = inOrder.json.node.modifiedIndex;
    for (const m of cluster.members) await waitIndexOn(m, lastIndex);
    const before = await tree(keeper, '/');

    await Promise.all(cluster.members.map((m) => cluster.kill(m)));
    for (const m of cluster.members) cluster.spawn(m, cluster.initialCluster(), 'new');
    await Promise.all(cluster.members.map((m) => cluster.waitServing(m)));
    await cluster.waitLeader();

    for (const m of cluster.members) {
      await waitIndexOn(m, lastIndex);
      const after = await tree(m, '/');
      expect(withoutClock(after)).toEqual(withoutClock(before));
      const ttl = await get(m, '/restart/ttl');
      expect(ttl.json.node.ttl).toBeGreaterThan(250);
      // the history is rebuilt: a watch from an early index answers from it
      const h = await call(m, { method: 'GET', path: `/v2/keys/restart/ttl?wait=true&waitIndex=${ttlKey.json.node.modifiedIndex}` });
      expect([h.json.action, h.json.node.modifiedIndex]).toEqual(['set', ttlKey.json.node.modifiedIndex]);
    }
    // indexes continue after the old ones (the members' own bookkeeping may take some first)
    const next = await putRetryingElection(keeper, '/restart/next', { value: 'x' });
    expect([next.res.status, next.res.body]).toEqual([201, expect.any(String)]);
    expect(next.json.node.modifiedIndex).toBeGreaterThan(lastIndex);
    for (const m of cluster.members) {
      await waitIndexOn(m, next.json.node.modifiedIndex);
      expect((await get(m, '/restart/next')).json.node).toEqual(next.json.node);
    }
  });

  it('a member that catches up by snapshot receives the v2 store', async () => {
    const leader = await cluster.waitLeader();
    const lagger = cluster.members.find((m) => m !== leader)!;
    await cluster.kill(lagger);

    const missed = await put(leader, '/snap/missed', { value: 'while-down' });
    const missedTtl = await put(leader, '/snap/ttl', { value: 'x', ttl: '300' });
    expect([missed.res.status, missedTtl.res.status]).toEqual([201, 201]);

    // enough v3 entries that the leader's log no longer holds what the lagger misses
    await cluster.floodPuts(leader, catchUpFloodPuts(SNAPSHOT_COUNT));
    const last = await put(leader, '/snap/last', { value: 'after-flood' });

    await restart(lagger);
    await waitIndexOn(lagger, last.json.node.modifiedIndex, 30_000);
    expect(lagger.tail).toContain('installed snapshot image');
    expect(withoutClock(await tree(lagger, '/snap'))).toEqual(withoutClock(await tree(leader, '/snap')));
    expect((await get(lagger, '/snap/missed')).json.node.value).toBe('while-down');
  });
});
