// The MVCC store over the backend's `key` bucket: every write of a txn shares one main revision
// (sub counts up), the tree index maps keys to their revision history, compaction drops superseded
// revisions, and hash/hashByRev give etcd's consistency checksums. Reads are synchronous and see
// every applied write. Writes run inside the backend's batch (joining the apply loop's batch).

import { ErrCompacted, ErrFutureRev } from '@tsetcd/api';
import type { Backend, BatchTx } from '../backend/backend';
import { META_CONSISTENT_INDEX, META_FINISHED_COMPACT_REV, META_SCHEDULED_COMPACT_REV } from '../backend/buckets';
import { crc32c } from '../pkg/crc32c';
import { decodeKeyValue } from './kv-codec';
import { recordToEvent } from './kv-events';
import { bytesToRev, isTombstoneKey, revId, revKeyForLookup, revToBytes, ZERO_REVISION, type Revision } from './revision';
import type { AvailableSet } from './key-index';
import { TreeIndex } from './tree-index';
import { asBuffer, EMPTY_BYTES, NO_LEASE, type Event, type KeyValue, type LeaseChecker } from './types';
import { WriteTxn } from './write-txn';

export interface RangeOptions {
  /** At most this many kvs (0 = all); `count` still counts every key. */
  readonly limit?: number;
  /** Read at this revision (<= 0 = current). */
  readonly rev?: bigint;
  /** Only count: return no kvs. */
  readonly count?: boolean;
}

export interface RangeResult {
  kvs: KeyValue[];
  /** Keys in the range at the read revision, ignoring limit. */
  count: number;
  /** The store revision of the view (not the read revision). */
  rev: bigint;
}

/** A read view: the current store (or a write txn, which also sees its own writes). */
export interface KvReader {
  /** The revision reads see now. */
  rev(): bigint;
  /** The compaction revision: reads below it fail. */
  firstRev(): bigint;
  /** Keys in [key, end) (end undefined = just `key`; empty end = every key >= key). */
  range(key: Buffer, end: Buffer | undefined, ro?: RangeOptions): RangeResult;
}

export interface WriteResult<T> {
  value: T;
  /** The events the txn produced, in order (empty if it wrote nothing). */
  events: Event[];
  /** Store revision after the txn. */
  rev: bigint;
}

/** etcd's --experimental-compaction-batch-limit default: revisions deleted per backend batch. */
export const DEFAULT_COMPACTION_BATCH_LIMIT = 1000;
/** Pause between compaction batches so applies interleave (etcd waits 10 ms). */
export const DEFAULT_COMPACTION_SLEEP_INTERVAL_MS = 10;

export interface KvStoreOptions {
  readonly leases?: LeaseChecker;
  readonly compactionBatchLimit?: number;
  readonly compactionSleepIntervalMs?: number;
  /** Called after every write txn that changed something (the watchable store plugs in here). */
  readonly onEvents?: (events: Event[], rev: bigint) => void;
}

export interface HashResult {
  hash: number;
  revision: bigint;
}

export interface HashKVResult {
  hash: number;
  currentRev: bigint;
  compactRevision: bigint;
}

const NO_LEASES: LeaseChecker = { has: () => false };

export interface CompactResult {
  compactRev: bigint;
  /** Resolves when the superseded revisions are physically gone from the backend. */
  done: Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class KvStore implements KvReader {
  /** @internal */ index = new TreeIndex();
  private generation = 0;
  private currentRev = 1n;
  private compactMainRev = -1n;
  private leases: LeaseChecker;
  private onEvents: ((events: Event[], rev: bigint) => void) | undefined;
  private readonly compactionBatchLimit: number;
  private readonly compactionSleepIntervalMs: number;
  private compactQueue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    readonly backend: Backend,
    opts: KvStoreOptions = {},
  ) {
    this.leases = opts.leases ?? NO_LEASES;
    this.onEvents = opts.onEvents;
    this.compactionBatchLimit = opts.compactionBatchLimit ?? DEFAULT_COMPACTION_BATCH_LIMIT;
    this.compactionSleepIntervalMs = opts.compactionSleepIntervalMs ?? DEFAULT_COMPACTION_SLEEP_INTERVAL_MS;
    this.restore();
  }

  setLeaseChecker(leases: LeaseChecker): void {
    this.leases = leases;
  }

  leaseChecker(): LeaseChecker {
    return this.leases;
  }

  setEventSink(onEvents: ((events: Event[], rev: bigint) => void) | undefined): void {
    this.onEvents = onEvents;
  }

  rev(): bigint {
    return this.currentRev;
  }

  firstRev(): bigint {
    return this.compactMainRev;
  }

  /** The last compaction revision (-1 if never compacted, as etcd reports it). */
  compactRevision(): bigint {
    return this.compactMainRev;
  }

  range(key: Buffer, end: Buffer | undefined, ro: RangeOptions = {}): RangeResult {
    return this.rangeKeys(key, end, this.currentRev, ro);
  }

  /** @internal shared by the store and write txns. */
  rangeKeys(key: Buffer, end: Buffer | undefined, curRev: bigint, ro: RangeOptions): RangeResult {
    let rev = ro.rev ?? 0n;
    if (rev > curRev) throw new ErrFutureRev();
    if (rev <= 0n) rev = curRev;
    if (rev < this.compactMainRev) throw new ErrCompacted();
    const { revs, total } = this.index.revisions(key, end, rev, ro.count ? 1 : (ro.limit ?? 0));
    if (ro.count) return { kvs: [], count: total, rev: curRev };
    const kvs = revs.map((r) => this.readKeyValue(r));
    return { kvs, count: total, rev: curRev };
  }

  /** @internal The stored kv at a (live) revision. */
  readKeyValue(rev: Revision): KeyValue {
    const raw = this.backend.get('key', revKeyForLookup(rev));
    if (raw === undefined) throw new Error(`mvcc: revision ${revId(rev)} is in the index but not in the backend`);
    return decodeKeyValue(raw);
  }

  /**
   * Runs `fn` as one write txn: every write shares main revision currentRev+1; the revision is
   * bumped once at the end if anything was written. `fn` must raise request errors before it
   * writes anything (the kv-ops check first, like etcd's applier).
   */
  write<T>(fn: (txn: WriteTxn) => T): WriteResult<T> {
    const result = this.backend.batchTx((tx) => {
      const txn = new WriteTxn(this, tx, this.currentRev, this.leases);
      let value: T;
      try {
        value = fn(txn);
      } catch (err) {
        // request errors are raised before any write; one after writes means the index and the
        // backend batch disagree now: make it fatal, never an answer to the client
        if (txn.changeCount() === 0) throw err;
        throw new Error(`mvcc: write txn failed after ${txn.changeCount()} writes: ${String(err)}`, { cause: err });
      }
      const events = txn.end();
      if (events.length > 0) this.currentRev = txn.beginRev + 1n;
      return { value, events, rev: this.currentRev };
    });
    if (result.events.length > 0 && this.onEvents) this.onEvents(result.events, result.rev);
    return result;
  }

  /** Convenience: one put in its own txn; returns the new revision. */
  put(key: Buffer, value: Buffer, lease: bigint = NO_LEASE): bigint {
    return this.write((txn) => txn.put(key, value, lease)).rev;
  }

  /** Convenience: one deleteRange in its own txn; returns how many keys were deleted. */
  deleteRange(key: Buffer, end: Buffer | undefined): { deleted: number; rev: bigint } {
    const r = this.write((txn) => txn.deleteRange(key, end));
    return { deleted: r.value, rev: r.rev };
  }

  /**
   * Compacts at rev: reads below rev fail from now on and the index forgets superseded revisions
   * at once; the backend drops them in batches of compactionBatchLimit in the background (the
   * apply loop keeps running between batches). `done` resolves when the last batch is committed.
   * A compaction interrupted by a crash or close() is finished when the store is reopened.
   */
  compact(rev: bigint): CompactResult {
    if (rev <= this.compactMainRev) throw new ErrCompacted();
    if (rev > this.currentRev) throw new ErrFutureRev();
    this.backend.batchTx((tx) => tx.put('meta', META_SCHEDULED_COMPACT_REV, revToBytes({ main: rev, sub: 0 })));
    this.compactMainRev = rev;
    const keep = this.index.compact(rev);
    const done = this.compactQueue.then(() => this.physicalCompactInBatches(rev, keep));
    this.compactQueue = done.catch(() => undefined);
    return { compactRev: rev, done };
  }

  private async physicalCompactInBatches(rev: bigint, keep: AvailableSet): Promise<void> {
    const generation = this.generation;
    const image = this.backend.dataGeneration;
    let start: Uint8Array = revToBytes(ZERO_REVISION);
    for (;;) {
      if (this.closed || generation !== this.generation || image !== this.backend.dataGeneration) return;
      if (this.backend.isDefragmenting) {
        await sleep(this.compactionSleepIntervalMs);
        continue;
      }
      const next = this.backend.batchTx((tx) => this.physicalCompactBatch(tx, rev, keep, start, this.compactionBatchLimit));
      if (next === undefined) return;
      start = next;
      await sleep(this.compactionSleepIntervalMs);
    }
  }

  /**
   * Deletes up to `limit` revisions at or below rev that are not in keep, from `start` on. Returns
   * where to continue, or undefined once finished (then finishedCompactRev is stored).
   */
  private physicalCompactBatch(tx: BatchTx, rev: bigint, keep: AvailableSet, start: Uint8Array, limit: number): Uint8Array | undefined {
    const end = revToBytes({ main: rev + 1n, sub: 0 });
    const seen: Uint8Array[] = [];
    for (const { key } of tx.range('key', start, { end, limit: limit > 0 ? limit : undefined })) seen.push(key);
    for (const key of seen) if (!keep.has(revId(bytesToRev(key)))) tx.delete('key', key);
    if (limit > 0 && seen.length >= limit) return Buffer.concat([seen[seen.length - 1]!, Buffer.from([0])]);
    tx.put('meta', META_FINISHED_COMPACT_REV, revToBytes({ main: rev, sub: 0 }));
    return undefined;
  }

  /**
   * Rebuilds everything from the backend, e.g. after backend.replaceWith() installed a snapshot
   * image. A background compaction of the old data stops; the lessor is re-attached via the
   * lease checker's attach hook.
   */
  reload(): void {
    this.generation++;
    this.index = new TreeIndex();
    this.currentRev = 1n;
    this.compactMainRev = -1n;
    this.restore();
  }

  /** Stops background compaction (it resumes on reopen) and waits for the current batch. */
  async close(): Promise<void> {
    this.closed = true;
    await this.compactQueue;
  }

  /** crc32c of the whole backend except meta/consistent_index (Maintenance.Hash). */
  hash(): HashResult {
    return { hash: this.backend.hash([{ bucket: 'meta', key: META_CONSISTENT_INDEX }]), revision: this.currentRev };
  }

  /**
   * crc32c over the key bucket's revisions up to rev (0 = current), skipping revisions a
   * compaction at the current compact revision would drop (Maintenance.HashKV). As in etcd 3.4,
   * nothing is skipped when that keep set is empty, so the hash is only stable across members
   * once their physical compaction has finished.
   */
  hashByRev(rev: bigint): HashKVResult {
    const compactRev = this.compactMainRev;
    const currentRev = this.currentRev;
    if (rev > 0n && rev <= compactRev) throw new ErrCompacted();
    if (rev > 0n && rev > currentRev) throw new ErrFutureRev();
    if (rev === 0n) rev = currentRev;
    const keep = this.index.keep(rev);
    const upperMain = rev + 1n;
    const lowerMain = compactRev + 1n;
    let h = crc32c(0, Buffer.from('key'));
    for (const { key, value } of this.backend.range('key', revToBytes(ZERO_REVISION))) {
      const kr = bytesToRev(key);
      if (kr.main >= upperMain) break;
      if (kr.main < lowerMain && keep.size > 0 && !keep.has(revId(kr))) continue;
      h = crc32c(h, key);
      h = crc32c(h, value);
    }
    return { hash: h, currentRev, compactRevision: compactRev };
  }

  /**
   * Events of every revision in [fromRev, toRev] from the backend, in revision order, at most
   * `limit` (0 = all) — how a lagging watcher catches up. fromRev must be >= the compact revision.
   */
  eventsBetween(fromRev: bigint, toRev: bigint, limit = 0): Event[] {
    if (fromRev < this.compactMainRev) throw new ErrCompacted();
    const out: Event[] = [];
    const end = revToBytes({ main: toRev + 1n, sub: 0 });
    const start = revToBytes({ main: fromRev < 0n ? 0n : fromRev, sub: 0 });
    for (const { key, value } of this.backend.range('key', start, { end })) {
      out.push(recordToEvent(key, value));
      if (limit > 0 && out.length >= limit) break;
    }
    return out;
  }

  /** The kv of `key` as of revision rev (undefined if absent then or compacted away). */
  getAt(key: Buffer, rev: bigint): KeyValue | undefined {
    const got = this.index.get(key, rev);
    if (got === undefined) return undefined;
    const raw = this.backend.get('key', revKeyForLookup(got.modified));
    return raw === undefined ? undefined : decodeKeyValue(raw);
  }

  private restore(): void {
    const finished = this.backend.get('meta', META_FINISHED_COMPACT_REV);
    if (finished !== undefined) this.compactMainRev = bytesToRev(finished).main;
    const scheduledRaw = this.backend.get('meta', META_SCHEDULED_COMPACT_REV);
    let scheduled = scheduledRaw === undefined ? 0n : bytesToRev(scheduledRaw).main;

    let currentRev = 1n;
    const keyToLease = new Map<string, { key: Buffer; lease: bigint }>();
    for (const { key, value } of this.backend.range('key', revToBytes(ZERO_REVISION))) {
      const rev = bytesToRev(key);
      currentRev = rev.main;
      const kv = decodeKeyValue(value);
      const tomb = isTombstoneKey(key);
      const ki = this.index.keyIndex(kv.key);
      if (ki !== undefined) {
        if (tomb) ki.tombstone(rev.main, rev.sub);
        else ki.put(rev.main, rev.sub);
      } else if (!tomb) {
        this.index.restore(kv.key, { main: kv.createRevision, sub: 0 }, rev, kv.version);
      }
      const id = kv.key.toString('latin1');
      if (tomb || kv.lease === NO_LEASE) keyToLease.delete(id);
      else keyToLease.set(id, { key: kv.key, lease: kv.lease });
    }
    this.currentRev = currentRev < this.compactMainRev ? this.compactMainRev : currentRev;
    if (scheduled <= this.compactMainRev) scheduled = 0n;
    if (scheduled !== 0n) {
      // a compaction was scheduled but did not finish: redo it
      this.compactMainRev = scheduled;
      const keep = this.index.compact(scheduled);
      this.backend.batchTx((tx) => this.physicalCompactBatch(tx, scheduled, keep, revToBytes(ZERO_REVISION), 0));
    }
    if (this.leases.attach) for (const { key, lease } of keyToLease.values()) this.leases.attach(lease, key);
  }

  /** Calls fn(key, lease) for every live key attached to a lease (to rebuild a lessor's key sets). */
  forEachLeasedKey(fn: (key: Buffer, lease: bigint) => void): void {
    this.index.forEach(Buffer.from([0]), EMPTY_BYTES, (ki) => {
      const modified = ki.liveAt(this.currentRev);
      if (modified === undefined) return;
      const kv = this.readKeyValue(modified);
      if (kv.lease !== NO_LEASE) fn(kv.key, kv.lease);
    });
  }

  /** Number of keys the index holds (live or with uncompacted history). */
  indexSize(): number {
    return this.index.size;
  }
}

export { asBuffer, EMPTY_BYTES };
