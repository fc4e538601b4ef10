import { TestKv } from './test-kv';
import { WatchableStore } from './watchable-store';
import { WatchFilter, type WatchResult, type WatchSink } from './watcher';
import { WatcherGroup } from './watcher-group';
import { Watcher } from './watcher';
import { WatchStream, ERR_EMPTY_WATCHER_RANGE, ERR_WATCHER_DUPLICATE_ID } from './watch-stream';

/** A sink with a capacity that the test drains by hand. */
class Sink implements WatchSink {
  readonly got: WatchResult[] = [];
  constructor(public capacity = Infinity) {}
  trySend(r: WatchResult): boolean {
    if (this.got.length >= this.capacity) return false;
    this.got.push(r);
    return true;
  }
  revs(): bigint[] {
    return this.got.flatMap((r) => r.events.map((e) => e.kv?.modRevision ?? 0n));
  }
}

const b = (s: string): Buffer => Buffer.from(s);
const noTimers = { syncIntervalMs: 1e9, victimRetryIntervalMs: 1e9 };

describe('WatcherGroup', () => {
  test('matches single keys by map and ranges by sorted start, including open-ended ranges', () => {
    const g = new WatcherGroup();
    const sink = new Sink();
    const single = new Watcher(1n, b('a'), undefined, 0n, sink);
    const range = new Watcher(2n, b('a'), b('c'), 0n, sink);
    const later = new Watcher(3n, b('b'), b('d'), 0n, sink);
    const open = new Watcher(4n, b('c'), Buffer.alloc(0), 0n, sink);
    for (const w of [open, later, range, single]) g.add(w);
    const ids = (k: string): bigint[] => [...g.watchersFor(b(k))].map((w) => w.id).sort();
    expect(ids('a')).toEqual([1n, 2n]);
    expect(ids('ab')).toEqual([2n]);
    expect(ids('b')).toEqual([2n, 3n]);
    expect(ids('c')).toEqual([3n, 4n]);
    expect(ids('zzz')).toEqual([4n]);
    expect(ids('0')).toEqual([]);
    g.delete(range);
    expect(ids('b')).toEqual([3n]);
    expect(g.size).toBe(3);
  });
});

describe('WatchableStore', () => {
  test('a watcher from now is synced and gets each write once, with the write revision', () => {
    const kv = new TestKv();
    const store = new WatchableStore(kv, noTimers);
    const sink = new Sink();
    const w = store.watch({ id: 0n, key: b('k'), end: undefined, startRev: 0n, sink });
    expect(store.isSynced(w)).toBe(true);
    const one = kv.write('k', 'other');
    store.notify(one.events, one.rev);
    expect(sink.got).toHaveLength(1);
    expect(sink.got[0]?.revision).toBe(one.rev);
    expect(sink.got[0]?.events.map((e) => e.kv?.key.toString())).toEqual(['k']);
    expect(w.minRev).toBe(one.rev + 1n);
    store.close();
  });

  test('a past start revision is unsynced, caught up from the backend, then synced', () => {
    const kv = new TestKv();
    for (let i = 0; i < 5; i++) kv.write('p/x');
    const store = new WatchableStore(kv, noTimers);
    const sink = new Sink();
    const w = store.watch({ id: 0n, key: b('p/'), end: b('p0'), startRev: 3n, sink });
    expect(store.unsynced.has(w)).toBe(true);
    expect(store.syncWatchers()).toBe(0);
    expect(sink.revs()).toEqual([3n, 4n, 5n, 6n]);
    expect(sink.got[0]?.revision).toBe(kv.rev());
    expect(store.isSynced(w)).toBe(true);
    store.close();
  });

  test('catch-up is cut into batches of watchBatchMaxRevs revisions; the watcher stays unsynced until done', () => {
    const kv = new TestKv();
    for (let i = 0; i < 10; i++) kv.write('k', 'k2');
    const store = new WatchableStore(kv, { ...noTimers, watchBatchMaxRevs: 3 });
    const sink = new Sink();
    const w = store.watch({ id: 0n, key: b('k'), end: b('l'), startRev: 2n, sink });
    const rounds: number[] = [];
    while (store.unsynced.size > 0) {
      store.syncWatchers();
      rounds.push(sink.got.length);
    }
    expect(sink.got.map((r) => new Set(r.events.map((e) => e.kv?.modRevision)).size)).toEqual([3, 3, 3, 1]);
    expect(sink.revs()).toEqual([2n, 2n, 3n, 3n, 4n, 4n, 5n, 5n, 6n, 6n, 7n, 7n, 8n, 8n, 9n, 9n, 10n, 10n, 11n, 11n]);
    expect(store.isSynced(w)).toBe(true);
    store.close();
  });

  test('the backend read bound keeps whole revisions and resumes after the last full one', () => {
    const kv = new TestKv();
    for (let i = 0; i < 6; i++) kv.write('a', 'b', 'c');
    const store = new WatchableStore(kv, { ...noTimers, syncEventsReadMax: 4 });
    const sink = new Sink();
    store.watch({ id: 0n, key: b('a'), end: b('z'), startRev: 2n, sink });
    while (store.unsynced.size > 0) store.syncWatchers();
    const revs = sink.revs();
    expect(revs).toEqual([2n, 2n, 2n, 3n, 3n, 3n, 4n, 4n, 4n, 5n, 5n, 5n, 6n, 6n, 6n, 7n, 7n, 7n]);
    store.close();
  });

  test('a full stream makes a synced watcher a victim; no event is lost or repeated when it drains', () => {
    const kv = new TestKv();
    const store = new WatchableStore(kv, noTimers);
    const sink = new Sink(2);
    const w = store.watch({ id: 0n, key: b('k'), end: undefined, startRev: 0n, sink });
    for (let i = 0; i < 6; i++) {
      const { events, rev } = kv.write('k');
      store.notify(events, rev);
    }
    expect(w.victim).toBe(true);
    expect(store.victims.has(w)).toBe(true);
    expect(sink.revs()).toEqual([2n, 3n]);
    // Still blocked: stays a victim.
    expect(store.moveVictims()).toBe(0);
    sink.capacity = Infinity;
    expect(store.moveVictims()).toBe(1);
    expect(w.victim).toBe(false);
    expect(store.unsynced.has(w)).toBe(true);
    store.syncWatchers();
    expect(sink.revs()).toEqual([2n, 3n, 4n, 5n, 6n, 7n]);
    expect(store.isSynced(w)).toBe(true);
    store.close();
  });

  test('a watcher behind the compaction revision is cancelled with compact_revision', () => {
    const kv = new TestKv();
    for (let i = 0; i < 5; i++) kv.write('k');
    kv.compact(4n);
    const store = new WatchableStore(kv, noTimers);
    const sink = new Sink();
    const behind = store.watch({ id: 1n, key: b('k'), end: undefined, startRev: 2n, sink });
    const atCompact = store.watch({ id: 2n, key: b('k'), end: undefined, startRev: 4n, sink });
    store.syncWatchers();
    const cancel = sink.got.find((r) => r.watchId === 1n);
    expect(cancel).toEqual({ watchId: 1n, events: [], revision: 0n, compactRevision: 4n });
    expect(behind.compacted).toBe(true);
    expect(store.unsynced.has(behind) || store.isSynced(behind)).toBe(false);
    expect(sink.got.filter((r) => r.watchId === 2n).flatMap((r) => r.events.map((e) => e.kv?.modRevision))).toEqual([4n, 5n, 6n]);
    expect(store.isSynced(atCompact)).toBe(true);
    store.close();
  });

  test('a future start revision waits: earlier writes are skipped, later ones delivered', () => {
    const kv = new TestKv();
    const store = new WatchableStore(kv, noTimers);
    const sink = new Sink();
    store.watch({ id: 0n, key: b('k'), end: undefined, startRev: 4n, sink });
    for (let i = 0; i < 4; i++) {
      const { events, rev } = kv.write('k');
      store.notify(events, rev);
    }
    expect(sink.revs()).toEqual([4n, 5n]);
    store.close();
  });

  test('filters drop puts or deletes but still advance the watcher', () => {
    const kv = new TestKv();
    const store = new WatchableStore(kv, noTimers);
    const noPut = new Sink();
    const noDelete = new Sink();
    store.watch({ id: 0n, key: b('k'), end: undefined, startRev: 0n, sink: noPut, filters: [WatchFilter.NoPut] });
    store.watch({ id: 1n, key: b('k'), end: undefined, startRev: 0n, sink: noDelete, filters: [WatchFilter.NoDelete] });
    for (const k of ['k', 'del:k', 'k']) {
      const { events, rev } = kv.write(k);
      store.notify(events, rev);
    }
    expect(noPut.revs()).toEqual([3n]);
    expect(noDelete.revs()).toEqual([2n, 4n]);
    store.close();
  });

  test('restore() sends synced watchers through catch-up; a future watcher keeps its start revision', () => {
    const kv = new TestKv();
    const store = new WatchableStore(kv, noTimers);
    const sink = new Sink();
    const now = store.watch({ id: 0n, key: b('k'), end: undefined, startRev: 0n, sink });
    const future = store.watch({ id: 1n, key: b('k'), end: undefined, startRev: 5n, sink });
    kv.write('k'); // rev 2, written while the store was being replaced: never notified
    store.restore();
    expect(store.unsynced.size).toBe(2);
    store.syncWatchers();
    expect(sink.got.map((r) => [r.watchId, r.events.map((e) => e.kv?.modRevision)])).toEqual([[0n, [2n]]]);
    expect(store.isSynced(now) && store.isSynced(future)).toBe(true);
    expect(future.minRev).toBe(5n);
    store.close();
  });

  test('progress marks go only to synced watchers', () => {
    const kv = new TestKv();
    kv.write('k');
    const store = new WatchableStore(kv, noTimers);
    const sink = new Sink();
    const synced = store.watch({ id: 0n, key: b('k'), end: undefined, startRev: 0n, sink });
    const behind = store.watch({ id: 1n, key: b('k'), end: undefined, startRev: 1n, sink });
    expect(store.progress(synced)).toBe(true);
    expect(store.progress(behind)).toBe(false);
    expect(sink.got).toEqual([{ watchId: 0n, events: [], revision: 2n, compactRevision: 0n }]);
    store.close();
  });
});

describe('WatchStream', () => {
  test('auto ids skip ids in use; duplicates and empty ranges are refused with etcd texts', () => {
    const store = new WatchableStore(new TestKv(), noTimers);
    const stream = new WatchStream(store);
    expect(stream.watch({ id: 1n, key: b('a'), end: undefined, startRev: 0n }).id).toBe(1n);
    expect(stream.watch({ id: 0n, key: b('a'), end: undefined, startRev: 0n }).id).toBe(0n);
    expect(stream.watch({ id: 0n, key: b('a'), end: undefined, startRev: 0n }).id).toBe(2n);
    expect(() => stream.watch({ id: 1n, key: b('a'), end: undefined, startRev: 0n })).toThrow(ERR_WATCHER_DUPLICATE_ID);
    expect(() => stream.watch({ id: 0n, key: b('b'), end: b('a'), startRev: 0n })).toThrow(ERR_EMPTY_WATCHER_RANGE);
    expect(stream.cancel(2n)).toBe(true);
    expect(stream.cancel(2n)).toBe(false);
    stream.close();
    store.close();
  });

  test('the buffer holds WATCH_STREAM_BUF_LEN-like results; control messages keep their place in order', async () => {
    const kv = new TestKv();
    const store = new WatchableStore(kv, noTimers);
    const stream = new WatchStream<string>(store, 2);
    const w = stream.watch({ id: 0n, key: b('k'), end: undefined, startRev: 0n });
    stream.sendControl('created');
    for (let i = 0; i < 3; i++) {
      const { events, rev } = kv.write('k');
      store.notify(events, rev);
    }
    expect(w.victim).toBe(true);
    stream.sendControl('after');
    const first = await stream.next();
    expect(first).toEqual({ kind: 'control', control: 'created' });
    const seen: bigint[] = [];
    for (let i = 0; i < 3; i++) {
      const item = await stream.next();
      if (item?.kind === 'result') seen.push(...item.result.events.map((e) => e.kv?.modRevision ?? 0n));
    }
    expect(seen).toEqual([2n, 3n]);
    stream.close();
    store.close();
  });
});
