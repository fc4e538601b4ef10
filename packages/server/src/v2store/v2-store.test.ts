import { V2Store } from './v2-store';
import { V2Error } from './v2-error';
import { v2EventJson } from './v2-event';

function code(fn: () => unknown): { code: number; cause: string; index: number } {
  try {
    fn();
  } catch (err) {
    if (err instanceof V2Error) return { code: err.errorCode, cause: err.cause, index: err.index };
    throw err;
  }
  throw new Error('expected a V2Error');
}

describe('V2Store writes and reads', () => {
  it('set creates then replaces (new createdIndex), prevNode shows the old node', () => {
    const s = new V2Store();
    const a = s.set('/foo', false, 'bar');
    expect(v2EventJson(a)).toBe('{"action":"set","node":{"key":"/foo","value":"bar","modifiedIndex":1,"createdIndex":1}}');
    const b = s.set('/foo', false, 'baz');
    expect(v2EventJson(b)).toBe(
      '{"action":"set","node":{"key":"/foo","value":"baz","modifiedIndex":2,"createdIndex":2},"prevNode":{"key":"/foo","value":"bar","modifiedIndex":1,"createdIndex":1}}',
    );
    expect(s.get('/foo', false, false).node.value).toBe('baz');
    expect(s.currentIndex).toBe(2);
  });

  it('noValueOnSuccess shortens set/create/update/compareAndSwap answers, never deletes', () => {
    const s = new V2Store();
    expect(v2EventJson(s.set('/k', false, 'a'), true)).toBe('{"action":"set"}');
    expect(v2EventJson(s.update('/k', 'b'), true)).toBe('{"action":"update"}');
    expect(v2EventJson(s.compareAndSwap('/k', 'b', 0, 'c'), true)).toBe('{"action":"compareAndSwap"}');
    expect(v2EventJson(s.create('/q', false, 'x', true), true)).toBe('{"action":"create"}');
    expect(v2EventJson(s.compareAndDelete('/k', 'c', 0), true)).toBe(
      '{"action":"compareAndDelete","node":{"key":"/k","modifiedIndex":5,"createdIndex":1},"prevNode":{"key":"/k","value":"c","modifiedIndex":3,"createdIndex":1}}',
    );
    expect(JSON.parse(v2EventJson(s.delete('/q', true, true), true))).toMatchObject({ action: 'delete', node: { key: '/q', dir: true } });
  });

  it('creates missing parent dirs with the new index; writing under a file is 104', () => {
    const s = new V2Store();
    s.set('/a/b/c', false, 'x');
    const g = s.get('/a', true, false);
    expect(g.node).toMatchObject({ key: '/a', dir: true, createdIndex: 1, nodes: [{ key: '/a/b', dir: true, nodes: [{ key: '/a/b/c', value: 'x' }] }] });
    expect(code(() => s.set('/a/b/c/d', false, 'y'))).toEqual({ code: 104, cause: '/a/b/c', index: 1 });
    expect(code(() => s.get('/a/b/c/d', false, false))).toMatchObject({ code: 104, cause: '/a/b/c' });
  });

  it('get: missing key 100 with the first missing component, hidden keys left out, sorted', () => {
    const s = new V2Store();
    expect(code(() => s.get('/x/y', false, false))).toEqual({ code: 100, cause: '/x', index: 0 });
    s.set('/d/z', false, '1');
    s.set('/d/_hidden', false, '2');
    s.set('/d/a', false, '3');
    s.set('/d/m/deep', false, '4');
    const flat = s.get('/d', false, true).node;
    expect(flat.nodes?.map((n) => n.key)).toEqual(['/d/a', '/d/m', '/d/z']);
    expect(flat.nodes?.[1]?.nodes).toBeUndefined();
    expect(s.get('/d', true, true).node.nodes?.[1]?.nodes?.[0]?.key).toBe('/d/m/deep');
    expect(s.get('/d/_hidden', false, false).node.value).toBe('2');
  });

  it('create fails with 105 on an existing key; POST makes 20-digit in-order keys', () => {
    const s = new V2Store();
    s.create('/k', false, 'v', false);
    expect(code(() => s.create('/k', false, 'w', false))).toEqual({ code: 105, cause: '/k', index: 1 });
    const q1 = s.create('/q', false, 'job1', true);
    const q2 = s.create('/q', false, 'job2', true);
    expect(q1.node.key).toBe('/q/00000000000000000002');
    expect(q2.node.key).toBe('/q/00000000000000000003');
    expect(s.get('/q', false, true).node.nodes?.map((n) => n.value)).toEqual(['job1', 'job2']);
  });

  it('root is read-only; set over a dir is 102; update keeps createdIndex', () => {
    const s = new V2Store();
    expect(code(() => s.set('/', false, 'x'))).toMatchObject({ code: 107, cause: '/' });
    expect(code(() => s.delete('/', true, true))).toMatchObject({ code: 107 });
    s.create('/dir', true, '', false);
    expect(code(() => s.set('/dir', false, 'x'))).toMatchObject({ code: 102, cause: '/dir' });
    expect(code(() => s.update('/dir', 'x'))).toMatchObject({ code: 102 });
    s.set('/k', false, 'a');
    const u = s.update('/k', 'b');
    expect(u.node).toMatchObject({ value: 'b', modifiedIndex: 3, createdIndex: 2 });
    expect(u.prevNode).toMatchObject({ value: 'a', modifiedIndex: 2 });
    expect(code(() => s.update('/nope', 'b'))).toMatchObject({ code: 100, cause: '/nope' });
  });

  it('compareAndSwap / compareAndDelete: causes for value, index and both', () => {
    const s = new V2Store();
    s.set('/k', false, 'one');
    expect(code(() => s.compareAndSwap('/k', 'two', 0, 'x'))).toEqual({ code: 101, cause: '[two != one]', index: 1 });
    expect(code(() => s.compareAndSwap('/k', '', 7, 'x'))).toEqual({ code: 101, cause: '[7 != 1]', index: 1 });
    expect(code(() => s.compareAndSwap('/k', 'two', 7, 'x'))).toEqual({ code: 101, cause: '[two != one] [7 != 1]', index: 1 });
    const ok = s.compareAndSwap('/k', 'one', 1, 'two');
    expect(ok.action).toBe('compareAndSwap');
    expect(ok.node).toMatchObject({ value: 'two', modifiedIndex: 2, createdIndex: 1 });
    expect(code(() => s.compareAndDelete('/k', 'one', 0))).toMatchObject({ code: 101, cause: '[one != two]' });
    const d = s.compareAndDelete('/k', 'two', 2);
    expect(v2EventJson(d)).toBe(
      '{"action":"compareAndDelete","node":{"key":"/k","modifiedIndex":3,"createdIndex":1},"prevNode":{"key":"/k","value":"two","modifiedIndex":2,"createdIndex":1}}',
    );
    s.create('/d', true, '', false);
    expect(code(() => s.compareAndSwap('/d', 'a', 0, 'b'))).toMatchObject({ code: 102 });
    expect(code(() => s.compareAndDelete('/d', 'a', 0))).toMatchObject({ code: 102 });
  });

  it('delete: dir needs dir/recursive, non-empty dir 108, recursive removes the subtree', () => {
    const s = new V2Store();
    s.set('/d/a', false, '1');
    s.create('/e', true, '', false);
    expect(code(() => s.delete('/d', false, false))).toMatchObject({ code: 102, cause: '/d' });
    expect(code(() => s.delete('/d', true, false))).toMatchObject({ code: 108, cause: '/d' });
    expect(s.delete('/e', true, false).node).toMatchObject({ key: '/e', dir: true, modifiedIndex: 3 });
    const r = s.delete('/d', false, true);
    expect(r.prevNode).toMatchObject({ key: '/d', dir: true });
    expect(code(() => s.get('/d/a', false, false))).toMatchObject({ code: 100, cause: '/d' });
    s.set('/f', false, 'x');
    expect(s.delete('/f', true, false).action).toBe('delete');
  });
});

describe('V2Store TTL', () => {
  it('reports expiration and ttl rounded up, expires at the cutoff with one index per node', () => {
    let now = Date.UTC(2026, 0, 1);
    const s = new V2Store({ now: () => now });
    const e = s.set('/t', false, 'v', { expireTimeMs: now + 5000 });
    expect(e.node.ttl).toBe(5);
    expect(e.node.expiration).toBe(new Date(now + 5000).toISOString());
    now += 1500;
    expect(s.get('/t', false, false).node.ttl).toBe(4);
    s.set('/dir/x', false, 'y');
    s.update('/dir', '', { expireTimeMs: now + 1000 });
    expect(s.deleteExpiredKeys(now)).toEqual([]);
    expect(s.hasTtlKeys()).toBe(true);
    const expired = s.deleteExpiredKeys(now + 4000);
    expect(expired.map((x) => [x.action, x.node.key, x.node.modifiedIndex])).toEqual([
      ['expire', '/dir', 4],
      ['expire', '/t', 5],
    ]);
    expect(expired[1]?.prevNode?.ttl).toBeUndefined();
    expect(expired[1]?.prevNode?.expiration).toBeDefined();
    expect(code(() => s.get('/dir/x', false, false))).toMatchObject({ code: 100 });
    expect(s.hasTtlKeys()).toBe(false);
    expect(s.statsJson().expireCount).toBe(2);
  });

  it('update without TTL makes a key permanent; refresh keeps the value and wakes nobody', () => {
    const now = Date.UTC(2026, 0, 1);
    const s = new V2Store({ now: () => now });
    s.set('/t', false, 'v', { expireTimeMs: now + 5000 });
    const w = s.watch('/t', false, false, 0);
    const r = s.set('/t', false, 'ignored', { expireTimeMs: now + 9000, refresh: true });
    expect(r.node).toMatchObject({ value: 'v', ttl: 9 });
    s.update('/t', 'w');
    expect(s.hasTtlKeys()).toBe(false);
    expect(s.deleteExpiredKeys(now + 100_000)).toEqual([]);
    return w.next().then((e) => expect(e?.action).toBe('update'));
  });
});

describe('V2Store watch and history', () => {
  it('one-shot watcher gets the next event on the key; recursive gets children; hidden skipped', async () => {
    const s = new V2Store();
    const direct = s.watch('/a', false, false, 0);
    const rec = s.watch('/', true, false, 0);
    s.set('/_h', false, 'x');
    s.set('/a/b', false, 'y');
    expect((await rec.next())?.node.key).toBe('/a/b');
    expect(code(() => s.set('/a', false, 'z'))).toMatchObject({ code: 102 });
    s.delete('/a', true, true);
    const e = await direct.next();
    expect([e?.action, e?.node.key, e?.node.modifiedIndex]).toEqual(['delete', '/a', 3]);
  });

  it('history: waitIndex in the past answers at once; beyond 1000 events 401', async () => {
    const s = new V2Store();
    for (let i = 0; i < 1005; i++) s.set(`/k${i % 3}`, false, String(i));
    const w = s.watch('/k1', false, false, 1000);
    const e = await w.next();
    expect(e?.node.modifiedIndex).toBe(1001);
    expect(e?.etcdIndex).toBe(1005);
    expect(code(() => s.watch('/k1', false, false, 5))).toEqual({
      code: 401,
      cause: 'the requested history has been cleared [6/5]',
      index: 1005,
    });
  });

  it('a stream answered from history gets that one event, then stays open and quiet (etcd 3.4)', async () => {
    const s = new V2Store();
    s.set('/k', false, '1');
    const w = s.watch('/k', false, true, 1);
    expect((await w.next())?.node.value).toBe('1');
    expect(s.statsJson().watchers).toBe(0); // never registered
    s.set('/k', false, '2');
    let settled = false;
    const next = w.next().then((e) => {
      settled = true;
      return e;
    });
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false); // the new write is not delivered, the stream is not ended
    w.remove(); // the client leaves
    expect(await next).toBeUndefined();
    const oneShot = s.watch('/k', false, false, 1);
    expect((await oneShot.next())?.node.value).toBe('1');
    expect(await oneShot.next()).toBeUndefined(); // a one-shot ends after it
  });

  it('a delete of a parent dir reaches watchers on keys inside; stream watcher keeps going', async () => {
    const s = new V2Store();
    s.set('/d/k', false, '1');
    const inside = s.watch('/d/k', false, false, 0);
    const stream = s.watch('/d', true, true, 0);
    s.set('/d/k', false, '2');
    s.delete('/d', true, true);
    expect((await inside.next())?.action).toBe('set');
    const got = [await stream.next(), await stream.next(), await stream.next()].map((e) => e?.action);
    expect(got).toEqual(['set', 'delete', 'delete']);
    const again = s.watch('/d/k', false, false, 3);
    expect((await again.next())?.action).toBe('delete');
    stream.remove();
    expect(await stream.next()).toBeUndefined();
    expect(s.statsJson().watchers).toBe(0);
  });
});

describe('V2Store save / recovery', () => {
  it('round-trips tree, index, TTLs and history', () => {
    const now = Date.UTC(2026, 0, 1);
    const a = new V2Store({ now: () => now, namespaces: ['/0', '/1'] });
    a.set('/1/x', false, 'v');
    a.create('/1/d', true, '', false, { expireTimeMs: now + 2000 });
    const b = new V2Store({ now: () => now, namespaces: ['/0', '/1'] });
    b.recovery(a.save());
    expect(b.currentIndex).toBe(2);
    expect(b.get('/1', true, true).node).toEqual(a.get('/1', true, true).node);
    expect(code(() => b.set('/1', false, 'x'))).toMatchObject({ code: 107 });
    expect(b.deleteExpiredKeys(now + 2000).map((e) => e.node.key)).toEqual(['/1/d']);
    expect(b.hub.history.scan('/1/x', false, 1)?.node.value).toBe('v');
  });

  it('carries the stats counters, as etcd snapshots do', () => {
    const a = new V2Store({ namespaces: ['/0', '/1'] });
    a.set('/1/x', false, 'v');
    expect(code(() => a.get('/1/missing', false, false)).code).toBe(100);
    const b = new V2Store({ namespaces: ['/0', '/1'] });
    b.set('/1/other', false, 'o');
    b.set('/1/other', false, 'o');
    b.recovery(a.save());
    expect(b.statsJson()).toEqual(a.statsJson());
    expect(b.statsJson()).toMatchObject({ setsSuccess: 1, getsFail: 1 });
  });
});

describe('V2Store sorted listings', () => {
  it('sort keys by UTF-8 bytes like Go (U+FF01 before an emoji, unlike UTF-16 order)', () => {
    const s = new V2Store();
    for (const k of ['\u{1F600}', '\uFF01', 'b', 'B', 'a']) s.set(`/u/${k}`, false, k);
    const keys = (s.get('/u', false, true).node.nodes ?? []).map((n) => n.key);
    expect(keys).toEqual(['/u/B', '/u/a', '/u/b', '/u/\uFF01', '/u/\u{1F600}']);
  });
});

describe('V2Store stats match etcd 3.4, quirks included', () => {
  const counters = (s: V2Store): Record<string, number> =>
    Object.fromEntries(Object.entries(s.statsJson()).filter(([k, v]) => v !== 0 && k !== 'watchers'));

  it('counts root writes, a value on a dir (update) and compareAndDelete dir/compare failures as successes', () => {
    const s = new V2Store({ namespaces: ['/0', '/1'] });
    s.set('/1/k', false, 'v');
    s.create('/1/d', true, '', false);
    const before = counters(s);
    expect(before).toEqual({ setsSuccess: 1, createSuccess: 1 });
    expect(code(() => s.delete('/1', true, true)).code).toBe(107);
    expect(code(() => s.update('/1', '', {})).code).toBe(107);
    expect(code(() => s.compareAndSwap('/1', 'x', 0, 'y')).code).toBe(107);
    expect(code(() => s.update('/1/d', 'value')).code).toBe(102);
    expect(code(() => s.compareAndDelete('/1/d', 'x', 0)).code).toBe(102);
    expect(code(() => s.compareAndDelete('/1/k', 'nope', 0)).code).toBe(101);
    // no read-only check in compareAndDelete: the root namespace is a dir (102)
    expect(code(() => s.compareAndDelete('/1', 'x', 0))).toMatchObject({ code: 102, cause: '/1' });
    expect(counters(s)).toEqual({ setsSuccess: 1, createSuccess: 1, deleteSuccess: 1, updateSuccess: 2, compareAndSwapSuccess: 1, compareAndDeleteSuccess: 3 });
  });

  it('counts real failures as failures; a walk through a file is also a failed set', () => {
    const s = new V2Store({ namespaces: ['/0', '/1'] });
    s.set('/1/f', false, 'v');
    expect(code(() => s.delete('/1/missing', false, false)).code).toBe(100);
    expect(code(() => s.compareAndSwap('/1/f', 'nope', 0, 'x')).code).toBe(101);
    expect(code(() => s.compareAndDelete('/1/missing', 'x', 0)).code).toBe(100);
    expect(code(() => s.update('/1/missing', 'x')).code).toBe(100);
    expect(code(() => s.create('/1/f/child', false, 'x', true)).code).toBe(104);
    expect(code(() => s.set('/1/f/child', false, 'x')).code).toBe(104);
    expect(counters(s)).toEqual({
      setsSuccess: 1,
      deleteFail: 1,
      compareAndSwapFail: 1,
      compareAndDeleteFail: 1,
      updateFail: 1,
      createFail: 1,
      setsFail: 2, // the create's walk, and the set (which fails in its own lookup, before any walk)
    });
  });

  it('v2AuthEnabled is a counted get of /2/enabled (one getsFail while auth is off)', () => {
    const s = new V2Store({ namespaces: ['/0', '/1'] });
    expect(s.v2AuthEnabled()).toBe(false);
    expect(s.v2AuthEnabled()).toBe(false);
    expect(counters(s)).toEqual({ getsFail: 2 });
    s.set('/2/enabled', false, 'true');
    expect(s.v2AuthEnabled()).toBe(true);
  });
});
