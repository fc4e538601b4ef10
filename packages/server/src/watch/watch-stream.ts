// One client watch stream (etcd's mvcc watchStream): its watchers by id (client- or server-chosen),
// a bounded buffer of store results (WATCH_STREAM_BUF_LEN) the store fills without blocking, and
// control messages (created / canceled / progress) queued in the same order, outside the bound.

import { WATCH_STREAM_BUF_LEN } from './limits';
import type { WatchableStore } from './watchable-store';
import type { Watcher, WatchFilter, WatchResult, WatchSink } from './watcher';

export const ERR_EMPTY_WATCHER_RANGE = 'mvcc: watcher range is empty';
export const ERR_WATCHER_DUPLICATE_ID = 'mvcc: duplicate watch ID provided on the WatchStream';

export class WatchStreamError extends Error {}

export type StreamItem<C> = { kind: 'result'; result: WatchResult } | { kind: 'control'; control: C };

export interface StreamWatchRequest {
  /** 0 = the stream picks the lowest free id from its counter. */
  readonly id: bigint;
  readonly key: Buffer;
  /** undefined = single key; empty = every key >= key. */
  readonly end: Buffer | undefined;
  readonly startRev: bigint;
  readonly filters?: readonly WatchFilter[];
}

export class WatchStream<C = unknown> implements WatchSink {
  readonly watchers = new Map<bigint, Watcher>();
  private nextId = 0n;
  private readonly items: StreamItem<C>[] = [];
  private head = 0;
  private results = 0;
  private waiter: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly store: WatchableStore,
    private readonly bufLen: number = WATCH_STREAM_BUF_LEN,
  ) {}

  /** Creates a watcher; throws WatchStreamError with etcd's mvcc text on an empty range or a used id. */
  watch(req: StreamWatchRequest): Watcher {
    if (req.end !== undefined && req.end.length > 0 && Buffer.compare(req.key, req.end) >= 0) {
      throw new WatchStreamError(ERR_EMPTY_WATCHER_RANGE);
    }
    let id = req.id;
    if (id !== 0n) {
      if (this.watchers.has(id)) throw new WatchStreamError(ERR_WATCHER_DUPLICATE_ID);
    } else {
      while (this.watchers.has(this.nextId)) this.nextId++;
      id = this.nextId++;
    }
    const w = this.store.watch({ id, key: req.key, end: req.end, startRev: req.startRev, sink: this, filters: req.filters ?? [] });
    this.watchers.set(id, w);
    return w;
  }

  /** false if no watcher has this id. */
  cancel(id: bigint): boolean {
    const w = this.watchers.get(id);
    if (w === undefined) return false;
    this.watchers.delete(id);
    this.store.cancel(w);
    return true;
  }

  /** Asks the store for a progress mark on one watcher (sent only if it is synced). */
  requestProgress(id: bigint): boolean {
    const w = this.watchers.get(id);
    return w !== undefined && this.store.progress(w);
  }

  rev(): bigint {
    return this.store.kv.rev();
  }

  trySend(result: WatchResult): boolean {
    if (this.closed) return true;
    if (this.results >= this.bufLen) return false;
    this.results++;
    this.push({ kind: 'result', result });
    return true;
  }

  /** Queues a control message behind everything already queued (not bounded). */
  sendControl(control: C): void {
    if (this.closed) return;
    this.push({ kind: 'control', control });
  }

  get bufferedResults(): number {
    return this.results;
  }

  /** The next item in order; undefined once the stream is closed. */
  async next(): Promise<StreamItem<C> | undefined> {
    while (this.head >= this.items.length) {
      if (this.closed) return undefined;
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
    const item = this.items[this.head] as StreamItem<C>;
    this.items[this.head++] = undefined as unknown as StreamItem<C>;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    if (item.kind === 'result') {
      this.results--;
      this.store.onSinkDrained();
    }
    return item;
  }

  /** Cancels every watcher and wakes the reader (which then gets undefined). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.watchers.values()) this.store.cancel(w);
    this.watchers.clear();
    this.wake();
  }

  private push(item: StreamItem<C>): void {
    this.items.push(item);
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
