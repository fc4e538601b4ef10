// ServiceRegistry, Queue, PriorityQueue, Barrier and DoubleBarrier against etcd 3.4 and tsetcd.
import { Barrier, DoubleBarrier, PriorityQueue, Queue, ServiceRegistry, Session, type ServiceEvent } from '@tsetcd/recipes';
import { TARGETS, settledWithin, useTarget } from './targets';

jest.setTimeout(30_000);

describe.each(TARGETS)('recipes on %s', (kind) => {
  const t = useTarget(kind);

  test('registry: naming/endpoints layout, discover, watch up/down, round-robin picker, re-registers after a lost lease', async () => {
    const registry = new ServiceRegistry(t.client);
    const a = await registry.register('svc/api', 'a', { addr: '10.0.0.1:80', metadata: { zone: 'z1' }, ttlSeconds: 5 });
    const raw = await t.client.get('svc/api/a');
    expect(JSON.parse(raw!.valueString())).toEqual({ Op: 0, Addr: '10.0.0.1:80', Metadata: { zone: 'z1' } });
    expect(raw!.lease).toBe(a.leaseId);

    const events: ServiceEvent[] = [];
    const ac = new AbortController();
    const watching = (async () => {
      for await (const ev of registry.watch('svc/api', { signal: ac.signal })) events.push(ev);
    })().catch(() => undefined);
    const picker = await registry.picker('svc/api');
    const b = await registry.register('svc/api', 'b', { addr: '10.0.0.2:80', ttlSeconds: 5 });
    expect((await registry.discover('svc/api')).map((i) => i.addr).sort()).toEqual(['10.0.0.1:80', '10.0.0.2:80']);
    for (let i = 0; i < 50 && picker.instances.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    const picks = [picker.pick()?.instance, picker.pick()?.instance, picker.pick()?.instance, picker.pick()?.instance];
    expect(picks).toEqual(['a', 'b', 'a', 'b']);

    // a lost lease: the registration registers again on a new lease
    const firstLease = b.leaseId!;
    await t.client.lease.revoke(firstLease);
    // (our get may see the new key before the registration's own put call has returned)
    let again = false;
    for (let i = 0; i < 100 && !again; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const kv = await t.client.get('svc/api/b');
      again = kv !== undefined && kv.lease !== firstLease && b.registrations === 2;
    }
    expect(again).toBe(true);
    expect(b.registrations).toBe(2);
    expect((await t.client.get('svc/api/b'))!.lease).toBe(b.leaseId);

    await b.close();
    await a.close();
    expect(await registry.discover('svc/api')).toEqual([]);
    for (let i = 0; i < 50 && picker.instances.length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(picker.pick()).toBeUndefined();
    await picker.close();
    ac.abort();
    await watching;
    const summary = events.map((e) => `${e.kind}:${e.kind === 'up' ? e.instance.instance : e.instance}`);
    expect(summary[0]).toBe('up:a');
    expect(summary).toContain('up:b');
    expect(summary).toContain('down:b');
    expect(summary[summary.length - 1]).toMatch(/^down:/);
  });

  test('queue: FIFO across producers, dequeue waits for an item, each item taken once', async () => {
    const q = new Queue(t.client, 'jobs');
    for (const v of ['1', '2', '3']) await q.enqueue(v);
    expect((await t.client.range({ key: 'jobs/', prefix: true })).kvs.every((kv) => /^jobs\/\d+$/.test(kv.keyString()))).toBe(true);
    expect((await q.dequeue()).toString()).toBe('1');
    const consumers = [q.dequeue(), q.dequeue(), q.dequeue()];
    const later = new Queue(t.client, 'jobs');
    await later.enqueue('4');
    const taken = (await Promise.all(consumers)).map((b) => b.toString()).sort();
    expect(taken).toEqual(['2', '3', '4']);
    expect(await q.peekAll()).toEqual([]);
    const ac = new AbortController();
    const waiting = q.dequeue({ signal: ac.signal });
    ac.abort();
    await expect(waiting).rejects.toBeDefined();
  });

  test('priority queue: lowest number first, FIFO within a priority, Go key layout', async () => {
    const pq = new PriorityQueue(t.client, 'pq');
    const k = await pq.enqueue('low', 10);
    expect(k).toBe('pq/00010/0000000000000000');
    await pq.enqueue('high', 1);
    await pq.enqueue('low2', 10);
    await pq.enqueue('mid', 5);
    const out: string[] = [];
    for (let i = 0; i < 4; i++) out.push((await pq.dequeue()).toString());
    expect(out).toEqual(['high', 'mid', 'low', 'low2']);
  });

  test('barrier: wait blocks while held, resolves on release', async () => {
    const b = new Barrier(t.client, 'gate');
    await b.wait();
    await b.hold();
    await expect(b.hold()).rejects.toThrow(/exists/);
    const waiting = b.wait();
    expect(await settledWithin(waiting, 300)).toBe('pending');
    await new Barrier(t.client, 'gate').release();
    expect(await settledWithin(waiting, 5_000)).toBeUndefined();
  });

  test('double barrier: nobody enters before `count` arrive, nobody leaves before all leave', async () => {
    const COUNT = 3;
    const sessions = await Promise.all(Array.from({ length: COUNT }, () => Session.create(t.client, { ttlSeconds: 10 })));
    const barriers = sessions.map((s) => new DoubleBarrier(s, 'dbar', COUNT));
    const entered: number[] = [];
    const first = barriers.slice(0, 2).map((b, i) => b.enter().then(() => entered.push(i)));
    expect(await settledWithin(Promise.all(first), 300)).toBe('pending');
    expect(entered).toEqual([]);
    await barriers[2]!.enter();
    await Promise.all(first);
    expect(entered.length).toBe(2);
    const left: number[] = [];
    const leaving = barriers.slice(0, 2).map((b, i) => b.leave().then(() => left.push(i)));
    expect(await settledWithin(Promise.all(leaving), 300)).toBe('pending');
    expect(left).toEqual([]);
    await barriers[2]!.leave();
    await Promise.all(leaving);
    expect(left.length).toBe(2);
    expect((await t.client.range({ key: 'dbar/', prefix: true })).kvs).toEqual([]);
    for (const s of sessions) await s.close();
  });
});
