import { ErrCompacted, ErrFutureRev } from '@tsetcd/api';
import { META_SCHEDULED_COMPACT_REV } from '../backend/buckets';
import { KvStore } from './kv-store';
import { revToBytes } from './revision';
import { openTestStore, type TestStore } from './test-store';
import { EventType, type Event } from './types';

const b = (s: string): Buffer => Buffer.from(s);
const EVERYTHING = b('\x00');
const ALL_END = Buffer.alloc(0); // empty store-level end = every key >= key

let t: TestStore;
afterEach(() => t.cleanup());

/** A history with overwrites, deletes, re-creations, a multi-write txn and leases. */
function buildHistory(store: KvStore): void {
  store.put(b('a'), b('1')); // 2
  store.put(b('b'), b('1'), 5n); // 3
  store.put(b('a'), b('2')); // 4
  store.deleteRange(b('a'), undefined); // 5
  store.write((txn) => {
    txn.put(b('c'), b('1'));
    txn.put(b('d'), b('1'), 5n);
    txn.deleteRange(b('b'), undefined);
  }); // 6
  store.put(b('a'), b('3')); // 7
  store.put(b('c'), b('2')); // 8
}

function snapshotAt(store: KvStore, rev: bigint): string[] {
  return store.range(EVERYTHING, ALL_END, { rev }).kvs.map((kv) => `${kv.key}=${kv.value}@${kv.createRevision}/${kv.modRevision}/v${kv.version}/l${kv.lease}`);
}

function keyBucketRevisions(tt: TestStore): number {
  return [...tt.backend.range('key', Buffer.alloc(0))].length;
}

describe('KvStore', () => {
  it('writes in one txn share a main revision and bump it once; events are reported', () => {
    const seen: Array<[Event[], bigint]> = [];
    t = openTestStore({ onEvents: (evs, rev) => seen.push([evs, rev]) });
    buildHistory(t.store);
    expect(t.store.rev()).toBe(8n);
    expect(seen.map(([, rev]) => rev)).toEqual([2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    const txnEvents = seen[4]![0];
    expect(txnEvents.map((e) => [e.type, e.kv!.key.toString(), e.kv!.modRevision])).toEqual([
      [EventType.PUT, 'c', 6n],
      [EventType.PUT, 'd', 6n],
      [EventType.DELETE, 'b', 6n],
    ]);
    const empty = t.store.write(() => 'nothing');
    expect([empty.events, empty.rev, seen.length]).toEqual([[], 8n, 7]);
  });

  it('reads any revision at or above the compact revision', () => {
    t = openTestStore();
    buildHistory(t.store);
    expect(snapshotAt(t.store, 4n)).toEqual(['a=2@2/4/v2/l0', 'b=1@3/3/v1/l5']);
    expect(snapshotAt(t.store, 6n)).toEqual(['c=1@6/6/v1/l0', 'd=1@6/6/v1/l5']);
    expect(snapshotAt(t.store, 8n)).toEqual(['a=3@7/7/v1/l0', 'c=2@6/8/v2/l0', 'd=1@6/6/v1/l5']);
    expect(() => t.store.range(b('a'), undefined, { rev: 9n })).toThrow(ErrFutureRev);
  });

  it('compaction deletes superseded revisions and tombstones physically, keeping the latest at or below it', async () => {
    t = openTestStore();
    buildHistory(t.store);
    expect(keyBucketRevisions(t)).toBe(9);
    const before = snapshotAt(t.store, 6n);
    await t.store.compact(6n).done;
    // kept at or below 6: c@6, d@6 (a's and b's histories end in tombstones at or below 6); above: a@7, c@8
    expect(keyBucketRevisions(t)).toBe(4);
    expect(snapshotAt(t.store, 6n)).toEqual(before);
    expect(() => snapshotAt(t.store, 5n)).toThrow(ErrCompacted);
    expect(t.store.compactRevision()).toBe(6n);
    expect(() => t.store.compact(6n)).toThrow(ErrCompacted);
    expect(() => t.store.compact(9n)).toThrow(ErrFutureRev);
    await t.store.compact(8n).done;
    expect(keyBucketRevisions(t)).toBe(3);
    expect(snapshotAt(t.store, 8n)).toEqual(['a=3@7/7/v1/l0', 'c=2@6/8/v2/l0', 'd=1@6/6/v1/l5']);
  });

  it('reopening gives identical state, revisions, hashes and lease attachments', async () => {
    t = openTestStore();
    buildHistory(t.store);
    await t.store.compact(4n).done;
    const snaps = [4n, 5n, 6n, 7n, 8n].map((r) => snapshotAt(t.store, r));
    const hash = t.store.hash();
    const hashKV = t.store.hashByRev(0n);
    const hashKV6 = t.store.hashByRev(6n);
    t.backend.batchTx((tx) => tx.setConsistentIndex(77)); // ignored by hash()
    const attached: string[] = [];
    const store = await t.reopen({ leases: { has: () => true, attach: (id, key) => attached.push(`${key}:${id}`) } });
    expect(store.rev()).toBe(8n);
    expect(store.compactRevision()).toBe(4n);
    expect([4n, 5n, 6n, 7n, 8n].map((r) => snapshotAt(store, r))).toEqual(snaps);
    expect(store.hash()).toEqual(hash);
    expect(store.hashByRev(0n)).toEqual(hashKV);
    expect(store.hashByRev(6n)).toEqual(hashKV6);
    expect(attached).toEqual(['d:5']); // b's lease went with its deletion
    // new writes continue from the restored revision with correct versions
    store.put(b('c'), b('3'));
    expect(snapshotAt(store, 9n)).toContain('c=3@6/9/v3/l0');
  });

  it('restores the revision from the compaction when compaction removed the newest revisions', async () => {
    t = openTestStore();
    t.store.put(b('a'), b('1'));
    t.store.deleteRange(b('a'), undefined); // 3
    await t.store.compact(3n).done; // removes everything
    expect(keyBucketRevisions(t)).toBe(0);
    const store = await t.reopen();
    expect(store.rev()).toBe(3n);
    expect(store.put(b('a'), b('2'))).toBe(4n);
  });

  it('finishes a compaction that was scheduled but not done', async () => {
    t = openTestStore();
    buildHistory(t.store);
    t.backend.batchTx((tx) => tx.put('meta', META_SCHEDULED_COMPACT_REV, revToBytes({ main: 6n, sub: 0 })));
    const store = await t.reopen();
    expect(store.compactRevision()).toBe(6n);
    expect(keyBucketRevisions(t)).toBe(4);
    expect(() => store.range(b('a'), undefined, { rev: 5n })).toThrow(ErrCompacted);
  });

  it('hashByRev is the same on members with the same history and differs otherwise', async () => {
    t = openTestStore();
    const other = openTestStore();
    try {
      buildHistory(t.store);
      buildHistory(other.store);
      expect(t.store.hashByRev(0n)).toEqual(other.store.hashByRev(0n));
      expect(t.store.hashByRev(5n).hash).not.toBe(t.store.hashByRev(6n).hash);
      // compacting in steps or at once leaves the same hash
      t.store.compact(3n);
      await t.store.compact(6n).done;
      await other.store.compact(6n).done;
      expect(t.store.hashByRev(8n)).toEqual(other.store.hashByRev(8n));
      expect(t.store.hashByRev(0n).compactRevision).toBe(6n);
      expect(() => t.store.hashByRev(6n)).toThrow(ErrCompacted);
      expect(() => t.store.hashByRev(9n)).toThrow(ErrFutureRev);
      other.store.put(b('z'), b('1'));
      expect(other.store.hashByRev(8n)).toEqual({ ...t.store.hashByRev(8n), currentRev: 9n });
      expect(other.store.hashByRev(9n).hash).not.toBe(t.store.hashByRev(8n).hash);
    } finally {
      await other.cleanup();
    }
  });

  it('hashKV matches real etcd 3.4.23 byte for byte (values observed with etcdctl endpoint hashkv)', async () => {
    t = openTestStore();
    // fresh store: etcd answers hash 1084519789, compact_revision -1
    expect(t.store.hashByRev(0n)).toEqual({ hash: 1084519789, currentRev: 1n, compactRevision: -1n });
    // after `put a 1` and `compact 1`: hash 2587454935, compact_revision 1
    t.store.put(b('a'), b('1'));
    await t.store.compact(1n).done;
    expect(t.store.hashByRev(0n)).toEqual({ hash: 2587454935, currentRev: 2n, compactRevision: 1n });
  });

  it('eventsBetween replays PUT and DELETE events from the backend', async () => {
    t = openTestStore();
    buildHistory(t.store);
    const evs = t.store.eventsBetween(5n, 6n);
    expect(evs.map((e) => [e.type, e.kv!.key.toString(), e.kv!.modRevision, e.kv!.version])).toEqual([
      [EventType.DELETE, 'a', 5n, 0n],
      [EventType.PUT, 'c', 6n, 1n],
      [EventType.PUT, 'd', 6n, 1n],
      [EventType.DELETE, 'b', 6n, 0n],
    ]);
    expect(t.store.eventsBetween(2n, 8n, 2)).toHaveLength(2);
    await t.store.compact(6n).done;
    expect(() => t.store.eventsBetween(5n, 8n)).toThrow(ErrCompacted);
  });

  it('compacts physically in batches while reads, writes and hashKV carry on unchanged', async () => {
    t = openTestStore({ compactionBatchLimit: 2, compactionSleepIntervalMs: 0 });
    for (let i = 0; i < 20; i++) t.store.put(b(`k${i % 3}`), b(`v${i}`)); // revs 2..21
    const at15 = snapshotAt(t.store, 15n);
    const hashBefore = { ...t.store.hashByRev(18n) };
    const { done } = t.store.compact(15n);
    const hashes = new Set<number>();
    let batchesSeen = 0;
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      hashes.add(t.store.hashByRev(18n).hash);
      expect(snapshotAt(t.store, 15n)).toEqual(at15);
      batchesSeen++;
      await new Promise((r) => setImmediate(r));
    }
    expect(batchesSeen).toBeGreaterThan(2); // it really ran in several steps
    expect(hashes.size).toBe(1); // hashKV is the same whatever the physical progress
    expect([...hashes][0]).not.toBe(hashBefore.hash); // (before compaction it hashed the dropped revisions too)
    expect(keyBucketRevisions(t)).toBe(3 + 6); // latest of k0..k2 at or below 15, then revs 16..21
  });

  it('a compaction interrupted by close is finished on reopen', async () => {
    t = openTestStore({ compactionBatchLimit: 1, compactionSleepIntervalMs: 5 });
    for (let i = 0; i < 10; i++) t.store.put(b('k'), b(`v${i}`)); // revs 2..11
    void t.store.compact(9n).done;
    await new Promise((r) => setTimeout(r, 1));
    const store = await t.reopen({});
    expect(store.compactRevision()).toBe(9n);
    expect(keyBucketRevisions(t)).toBe(3); // k@9, k@10, k@11
    expect(snapshotAt(store, 9n)).toEqual(['k=v7@2/9/v8/l0']);
  });

  it('forEachLeasedKey lists live keys with their leases', () => {
    t = openTestStore();
    buildHistory(t.store);
    const seen: string[] = [];
    t.store.forEachLeasedKey((key, lease) => seen.push(`${key}:${lease}`));
    expect(seen).toEqual(['d:5']);
  });

  it('an error thrown after a txn wrote is fatal, not a request answer, and the batch is rolled back', () => {
    t = openTestStore();
    t.store.put(b('a'), b('1'));
    expect(() =>
      t.store.write((txn) => {
        txn.put(b('x'), b('1'));
        throw new ErrFutureRev();
      }),
    ).toThrow(/mvcc: write txn failed after 1 writes/);
    expect(() => t.store.write(() => { throw new ErrFutureRev(); })).toThrow(ErrFutureRev);
    expect(t.backend.get('key', revToBytes({ main: 3n, sub: 0 }))).toBeUndefined();
  });

  it('reload rebuilds the store from a backend image installed with replaceWith', async () => {
    t = openTestStore();
    const source = openTestStore();
    try {
      buildHistory(source.store);
      await source.store.compact(4n).done;
      t.store.put(b('local'), b('x'));
      t.store.put(b('local'), b('y'));
      void t.store.compact(2n).done;
      await t.backend.replaceWith(source.backend.snapshot());
      t.store.reload();
      expect(t.store.rev()).toBe(8n);
      expect(t.store.compactRevision()).toBe(4n);
      expect(snapshotAt(t.store, 8n)).toEqual(snapshotAt(source.store, 8n));
      expect(t.store.hashByRev(0n)).toEqual(source.store.hashByRev(0n));
      expect(t.store.put(b('next'), b('1'))).toBe(9n);
    } finally {
      await source.cleanup();
    }
  });
});
