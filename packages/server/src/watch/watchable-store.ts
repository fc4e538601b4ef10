// The watchable store (etcd's mvcc/watchable_store.go) over the KV store. Three groups:
//   synced   - seen everything up to the current revision; notify() feeds them each write;
//   unsynced - behind; a sync round reads their events from the backend in batches;
//   victims  - their stream was full; the response is kept and retried, then they rejoin
//              unsynced (or synced) and catch up from the backend.
// Writes never wait for a watcher, and a watcher never skips or repeats a revision.

import type { Event } from '@tsetcd/api';
import { newWatcherBatch, type EventBatch } from './event-batch';
import { MAX_WATCHERS_PER_SYNC, SYNC_EVENTS_READ_MAX, SYNC_INTERVAL_MS, VICTIM_RETRY_INTERVAL_MS, WATCH_BATCH_MAX_REVS } from './limits';
import { eventRev, Watcher, type WatchFilter, type WatchSink } from './watcher';
import { WatcherGroup } from './watcher-group';

/** What the watchable store reads from the KV store. */
export interface WatchableKv {
  rev(): bigint;
  /** The compaction revision (<= 0 when never compacted). */
  compactRevision(): bigint;
  /** Events of revisions [from, to] in order, at most `limit` (0 = all). */
  eventsBetween(fromRev: bigint, toRev: bigint, limit?: number): Event[];
}

export interface WatchableStoreOptions {
  readonly syncIntervalMs?: number;
  readonly victimRetryIntervalMs?: number;
  readonly maxWatchersPerSync?: number;
  readonly watchBatchMaxRevs?: number;
  readonly syncEventsReadMax?: number;
}

export interface WatchOptions {
  readonly id: bigint;
  readonly key: Buffer;
  /** undefined = single key; empty = every key >= key. */
  readonly end: Buffer | undefined;
  /** 0 = the next revision. */
  readonly startRev: bigint;
  readonly sink: WatchSink;
  readonly filters?: readonly WatchFilter[];
}

export class WatchableStore {
  readonly synced = new WatcherGroup();
  readonly unsynced = new WatcherGroup();
  readonly victims = new Map<Watcher, EventBatch>();
  private syncTimer: NodeJS.Timeout | undefined;
  private victimTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private sentInLastSync = 0;
  private readonly syncIntervalMs: number;
  private readonly victimRetryIntervalMs: number;
  private readonly maxWatchersPerSync: number;
  private readonly watchBatchMaxRevs: number;
  private readonly syncEventsReadMax: number;

  constructor(
    readonly kv: WatchableKv,
    opts: WatchableStoreOptions = {},
  ) {
    this.syncIntervalMs = opts.syncIntervalMs ?? SYNC_INTERVAL_MS;
    this.victimRetryIntervalMs = opts.victimRetryIntervalMs ?? VICTIM_RETRY_INTERVAL_MS;
    this.maxWatchersPerSync = opts.maxWatchersPerSync ?? MAX_WATCHERS_PER_SYNC;
    this.watchBatchMaxRevs = opts.watchBatchMaxRevs ?? WATCH_BATCH_MAX_REVS;
    this.syncEventsReadMax = opts.syncEventsReadMax ?? SYNC_EVENTS_READ_MAX;
  }

  /** Registers a watcher: synced if it starts now or in the future, else unsynced (catch-up). */
  watch(o: WatchOptions): Watcher {
    const cur = this.kv.rev();
    const startRev = o.startRev === 0n ? cur + 1n : o.startRev;
    const w = new Watcher(o.id, o.key, o.end, startRev, o.sink, o.filters ?? []);
    if (startRev > cur) this.synced.add(w);
    else {
      this.unsynced.add(w);
      this.scheduleSync(0);
    }
    return w;
  }

  cancel(w: Watcher): void {
    w.canceled = true;
    this.synced.delete(w);
    this.unsynced.delete(w);
    this.victims.delete(w);
  }

  /** The KV store's event sink: one write txn's events, all of revision `rev`. */
  notify(events: Event[], rev: bigint): void {
    if (this.synced.size === 0) return;
    for (const [w, eb] of newWatcherBatch(this.synced, events, this.watchBatchMaxRevs)) {
      w.minRev = rev + 1n;
      if (w.send({ watchId: w.id, events: eb.events, revision: rev, compactRevision: 0n })) continue;
      w.victim = true;
      this.synced.delete(w);
      this.victims.set(w, eb);
      this.scheduleVictims();
    }
  }

  /** A progress mark (empty response at the current revision) if the watcher is synced. */
  progress(w: Watcher): boolean {
    if (!this.synced.has(w)) return false;
    return w.send({ watchId: w.id, events: [], revision: this.kv.rev(), compactRevision: 0n });
  }

  isSynced(w: Watcher): boolean {
    return this.synced.has(w);
  }

  /** One round of catch-up for unsynced watchers; returns how many remain unsynced. */
  syncWatchers(): number {
    if (this.unsynced.size === 0) return 0;
    const curRev = this.kv.rev();
    const compactRev = this.kv.compactRevision();
    const { group, minRev } = this.unsynced.choose(this.maxWatchersPerSync, compactRev, (w) => {
      if (!w.sink.trySend({ watchId: w.id, events: [], revision: 0n, compactRevision: compactRev })) return false;
      w.compacted = true;
      return true;
    });
    if (group.size === 0) return this.unsynced.size;
    const { events, readRev } = this.readEvents(minRev, curRev);
    const batches = newWatcherBatch(group, events, this.watchBatchMaxRevs);
    for (const w of group.watchers) {
      if (w.minRev > curRev) {
        // A future-start watcher moved here by restore(): nothing to read yet.
        this.unsynced.delete(w);
        this.synced.add(w);
        continue;
      }
      w.minRev = readRev + 1n;
      const eb = batches.get(w);
      if (eb === undefined) {
        if (readRev === curRev) {
          this.unsynced.delete(w);
          this.synced.add(w);
        } else this.sentInLastSync++;
        continue;
      }
      if (eb.moreRev !== 0n) w.minRev = eb.moreRev;
      if (!w.send({ watchId: w.id, events: eb.events, revision: curRev, compactRevision: 0n })) {
        w.victim = true;
        this.unsynced.delete(w);
        this.victims.set(w, eb);
        this.scheduleVictims();
        continue;
      }
      this.sentInLastSync++;
      if (eb.moreRev === 0n && readRev === curRev) {
        this.unsynced.delete(w);
        this.synced.add(w);
      }
    }
    return this.unsynced.size;
  }

  /** Retries victims' kept responses; delivered ones rejoin unsynced or synced. */
  moveVictims(): number {
    let moved = 0;
    const curRev = this.kv.rev();
    for (const [w, eb] of [...this.victims]) {
      if (!w.send({ watchId: w.id, events: eb.events, revision: w.minRev - 1n, compactRevision: 0n })) continue;
      moved++;
      this.victims.delete(w);
      w.victim = false;
      if (eb.moreRev !== 0n) w.minRev = eb.moreRev;
      if (w.minRev <= curRev) {
        this.unsynced.add(w);
        this.scheduleSync(0);
      } else this.synced.add(w);
    }
    return moved;
  }

  /**
   * The KV store was replaced (a raft snapshot installed, kv.reload()): every synced watcher may
   * have missed revisions, so all of them catch up from the new backend (etcd's Restore).
   */
  restore(): void {
    for (const w of [...this.synced.watchers]) {
      this.synced.delete(w);
      this.unsynced.add(w);
    }
    this.scheduleSync(0);
  }

  /** A stream drained some of its buffer: retry victims soon. */
  onSinkDrained(): void {
    if (this.victims.size > 0) this.scheduleVictims(0);
  }

  close(): void {
    this.closed = true;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    if (this.victimTimer) clearTimeout(this.victimTimer);
    this.syncTimer = undefined;
    this.victimTimer = undefined;
  }

  /**
   * Events of [minRev, curRev], at most syncEventsReadMax of them in whole revisions; readRev is
   * the last revision fully read.
   */
  private readEvents(minRev: bigint, curRev: bigint): { events: Event[]; readRev: bigint } {
    const limit = this.syncEventsReadMax;
    const events = this.kv.eventsBetween(minRev, curRev, limit);
    if (limit <= 0 || events.length < limit) return { events, readRev: curRev };
    const lastRev = eventRev(events[events.length - 1] as Event);
    let cut = events.length;
    while (cut > 0 && eventRev(events[cut - 1] as Event) === lastRev) cut--;
    if (cut === 0) {
      // One revision larger than the read bound: read it whole.
      return { events: this.kv.eventsBetween(minRev, lastRev), readRev: lastRev };
    }
    events.length = cut;
    return { events, readRev: lastRev - 1n };
  }

  private scheduleSync(delayMs: number = this.syncIntervalMs): void {
    if (this.closed || this.syncTimer !== undefined) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      if (this.closed) return;
      this.sentInLastSync = 0;
      const left = this.syncWatchers();
      // More to do and something was sent: go again right away (etcd yields for as long as it worked).
      if (left > 0) this.scheduleSync(this.sentInLastSync > 0 ? 0 : this.syncIntervalMs);
    }, delayMs);
    this.syncTimer.unref?.();
  }

  private scheduleVictims(delayMs: number = this.victimRetryIntervalMs): void {
    if (this.closed) return;
    if (this.victimTimer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.victimTimer);
    }
    this.victimTimer = setTimeout(() => {
      this.victimTimer = undefined;
      if (this.closed) return;
      this.moveVictims();
      if (this.victims.size > 0) this.scheduleVictims();
    }, delayMs);
    this.victimTimer.unref?.();
  }
}
