// RWMutex, Semaphore and STM against etcd 3.4 and tsetcd.
import { Isolation, RWMutex, Semaphore, Session, runStm } from '@tsetcd/recipes';
import { TARGETS, settledWithin, useTarget } from './targets';

jest.setTimeout(30_000);

describe.each(TARGETS)('recipes on %s', (kind) => {
  const t = useTarget(kind);

  test('rwmutex: readers share, a writer excludes readers and waits for older readers (contrib layout)', async () => {
    const ss = await Promise.all([0, 1, 2, 3].map(() => Session.create(t.client, { ttlSeconds: 10 })));
    const [r1, r2, w, r3] = ss.map((s) => new RWMutex(s, 'rw'));
    await r1!.rLock();
    await r2!.rLock();
    expect(r1!.key).toMatch(/^rw\/read\/\d+$/);
    const writing = w!.lock();
    expect(await settledWithin(writing, 300)).toBe('pending');
    const reading = r3!.rLock(); // queued behind the writer
    expect(await settledWithin(reading, 300)).toBe('pending');
    await r1!.rUnlock();
    expect(await settledWithin(writing, 300)).toBe('pending');
    await r2!.rUnlock();
    await writing;
    expect(w!.key).toMatch(/^rw\/write\/\d+$/);
    expect(await settledWithin(reading, 300)).toBe('pending');
    await w!.unlock();
    await reading;
    await r3!.rUnlock();
    for (const s of ss) await s.close();
  });

  test('semaphore: at most N holders, strict FIFO admission', async () => {
    const ss = await Promise.all([0, 1, 2, 3].map(() => Session.create(t.client, { ttlSeconds: 10 })));
    const sems = ss.map((s) => new Semaphore(s, 'sem', 2));
    const p0 = await sems[0]!.acquire();
    const p1 = await sems[1]!.acquire();
    const admitted: number[] = [];
    const w2 = sems[2]!.acquire().then((p) => (admitted.push(2), p));
    await new Promise((r) => setTimeout(r, 100));
    const w3 = sems[3]!.acquire().then((p) => (admitted.push(3), p));
    expect(await settledWithin(w3, 300)).toBe('pending');
    expect(admitted).toEqual([]);
    await p1.release();
    const p2 = await w2;
    expect(await settledWithin(w3, 300)).toBe('pending');
    await p0.release();
    const p3 = await w3;
    expect(admitted).toEqual([2, 3]);
    expect(p3.token).toBeGreaterThan(p2.token);
    await p2.release();
    await p3.release();
    for (const s of ss) await s.close();
  });

  test.each([Isolation.SerializableSnapshot, Isolation.Serializable, Isolation.RepeatableReads])(
    'stm (isolation %s): concurrent transfers keep the total',
    async (isolation) => {
      const a = `acct-${isolation}-a`;
      const b = `acct-${isolation}-b`;
      await t.client.put(a, '100');
      await t.client.put(b, '100');
      await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          runStm(
            t.client,
            async (stm) => {
              const [from, to] = i % 2 === 0 ? [a, b] : [b, a];
              const x = Number(await stm.get(from));
              const y = Number(await stm.get(to));
              stm.put(from, String(x - 10));
              stm.put(to, String(y + 10));
            },
            { isolation },
          ),
        ),
      );
      const total = Number((await t.client.get(a))?.valueString()) + Number((await t.client.get(b))?.valueString());
      expect(total).toBe(200);
    },
  );

  test('stm: read-your-writes, del reads as empty, rev is the mod revision', async () => {
    const put = await t.client.put('stm-k', 'v1');
    await runStm(t.client, async (stm) => {
      expect(await stm.rev('stm-k')).toBe(put.header.revision);
      stm.put('stm-k', 'v2');
      expect(await stm.get('stm-k')).toBe('v2');
      stm.del('stm-k');
      expect(await stm.get('stm-k')).toBe('');
    });
    expect(await t.client.get('stm-k')).toBeUndefined();
  });
});
