// Session, Election and Mutex against etcd 3.4 and tsetcd, same assertions on both.
import { Compare, Op } from '@tsetcd/client';
import { Election, ErrElectionNoLeader, ErrElectionNotLeader, ErrLocked, Mutex, Session, leaseHex } from '@tsetcd/recipes';
import { TARGETS, settledWithin, useTarget } from './targets';

jest.setTimeout(30_000);

describe.each(TARGETS)('recipes on %s', (kind) => {
  const t = useTarget(kind);

  test('session: grants a lease with the asked TTL, keeps it alive past the TTL, close revokes it and its keys', async () => {
    const session = await Session.create(t.client, { ttlSeconds: 2 });
    await t.client.put('sess/k', 'v', { lease: session.leaseId });
    await new Promise((r) => setTimeout(r, 3_000));
    expect(session.alive).toBe(true);
    expect((await t.client.get('sess/k'))?.valueString()).toBe('v');
    await session.close();
    expect(session.signal.aborted).toBe(true);
    expect(await t.client.get('sess/k')).toBeUndefined();
    expect((await t.client.lease.timeToLive(session.leaseId)).ttlSeconds).toBe(-1n);
  });

  test('session: default TTL is 60 s; a revoked lease aborts the signal and resolves done', async () => {
    const byDefault = await Session.create(t.client);
    expect(byDefault.ttlSeconds).toBe(60);
    expect((await t.client.lease.timeToLive(byDefault.leaseId)).grantedTtlSeconds).toBe(60n);
    await byDefault.close();
    const session = await Session.create(t.client, { ttlSeconds: 3 });
    await t.client.lease.revoke(session.leaseId);
    const lost = await settledWithin(session.done, 25_000);
    expect(lost).not.toBe('pending');
    expect(session.signal.aborted).toBe(true);
  });

  test('election: Go key layout, one leader at a time, FIFO succession, proclaim, resign, observe', async () => {
    const s1 = await Session.create(t.client, { ttlSeconds: 10 });
    const s2 = await Session.create(t.client, { ttlSeconds: 10 });
    const e1 = new Election(s1, 'elect-a');
    const e2 = new Election(s2, 'elect-a');
    await expect(e1.leader()).rejects.toBeInstanceOf(ErrElectionNoLeader);
    await e1.campaign('one');
    expect(e1.key).toBe(`elect-a/${leaseHex(s1.leaseId)}`);
    const second = e2.campaign('two');
    expect(await settledWithin(second, 500)).toBe('pending');
    expect((await e2.leader()).valueString()).toBe('one');

    const seen: string[] = [];
    const ac = new AbortController();
    const observing = (async () => {
      for await (const kv of e1.observe({ signal: ac.signal })) {
        seen.push(kv.valueString());
        if (seen.length === 3) ac.abort();
      }
    })().catch(() => undefined);
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 20));
    await e1.proclaim('one-bis');
    await expect(new Election(s2, 'elect-a').proclaim('x')).rejects.toBeInstanceOf(ErrElectionNotLeader);
    await e1.resign();
    await second;
    expect((await e1.leader()).keyString()).toBe(`elect-a/${leaseHex(s2.leaseId)}`);
    expect(await settledWithin(observing, 5_000)).not.toBe('pending');
    expect(seen).toEqual(['one', 'one-bis', 'two']);
    await s1.close();
    await s2.close();
  });

  test('election: an aborted campaign withdraws its candidacy', async () => {
    const s1 = await Session.create(t.client, { ttlSeconds: 10 });
    const s2 = await Session.create(t.client, { ttlSeconds: 10 });
    await new Election(s1, 'elect-b').campaign('a');
    const ac = new AbortController();
    const p = new Election(s2, 'elect-b').campaign('b', { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 200));
    ac.abort();
    await expect(p).rejects.toBeDefined();
    expect((await t.client.range({ key: 'elect-b/', prefix: true })).kvs.map((kv) => kv.keyString())).toEqual([`elect-b/${leaseHex(s1.leaseId)}`]);
    await s1.close();
    await s2.close();
  });

  test('mutex: Go key layout with empty value, FIFO by create revision, increasing fencing tokens, tryLock', async () => {
    const sessions = await Promise.all([0, 1, 2].map(() => Session.create(t.client, { ttlSeconds: 10 })));
    const mutexes = sessions.map((s) => new Mutex(s, 'lock-a'));
    const h0 = await mutexes[0]!.lock();
    const kv = await t.client.get(h0.key);
    expect(h0.key).toBe(`lock-a/${leaseHex(sessions[0]!.leaseId)}`);
    expect(kv?.valueString()).toBe('');
    expect(kv?.createRevision).toBe(h0.token);
    await expect(mutexes[2]!.tryLock()).rejects.toBeInstanceOf(ErrLocked);
    const order: number[] = [];
    const p1 = mutexes[1]!.lock().then((h) => (order.push(1), h));
    await new Promise((r) => setTimeout(r, 100));
    const p2 = mutexes[2]!.lock().then((h) => (order.push(2), h));
    await new Promise((r) => setTimeout(r, 100));
    expect(order).toEqual([]);
    await h0.release();
    expect(h0.signal.aborted).toBe(true);
    const h1 = await p1;
    expect(await settledWithin(p2, 300)).toBe('pending');
    expect(h1.token).toBeGreaterThan(h0.token);
    // the guard: a write fenced with an old token is rejected, with the current one accepted
    const stale = await h0.txn(t.client).then(Op.put('fenced', 'old')).commit();
    expect(stale.succeeded).toBe(false);
    const fresh = await h1.txn(t.client).then(Op.put('fenced', 'new')).commit();
    expect(fresh.succeeded).toBe(true);
    await h1.release();
    const h2 = await p2;
    expect(order).toEqual([1, 2]);
    expect(h2.token).toBeGreaterThan(h1.token);
    await h2.release();
    for (const s of sessions) await s.close();
  });

  test('mutex: `await using` releases; a lost session aborts the hold signal and fails the guard', async () => {
    const s1 = await Session.create(t.client, { ttlSeconds: 10 });
    const m = new Mutex(s1, 'lock-b');
    let key = '';
    {
      await using hold = await m.lock();
      key = hold.key;
      expect(await t.client.get(key)).toBeDefined();
    }
    expect(await t.client.get(key)).toBeUndefined();
    const hold = await m.lock();
    await t.client.lease.revoke(s1.leaseId);
    expect(await settledWithin(new Promise((r) => hold.signal.addEventListener('abort', r)), 25_000)).not.toBe('pending');
    const res = await t.client.txn().if(hold.guard(), Compare.version('nothing', '=', 0n)).then(Op.put('x', 'y')).commit();
    expect(res.succeeded).toBe(false);
  });

  test('mutex: N lockers incrementing a counter lose no update', async () => {
    const N = 4;
    const ROUNDS = 5;
    await t.client.put('counter', '0');
    await Promise.all(
      Array.from({ length: N }, async () => {
        const s = await Session.create(t.client, { ttlSeconds: 10 });
        const m = new Mutex(s, 'lock-c');
        for (let i = 0; i < ROUNDS; i++) {
          await using hold = await m.lock();
          const cur = Number((await t.client.get('counter'))?.valueString());
          const res = await hold.txn(t.client).then(Op.put('counter', String(cur + 1))).commit();
          expect(res.succeeded).toBe(true);
        }
        await s.close();
      }),
    );
    expect((await t.client.get('counter'))?.valueString()).toBe(String(N * ROUNDS));
  });
});
