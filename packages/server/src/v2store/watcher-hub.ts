// Watchers per key path; events are delivered to watchers of the key and of every ancestor.

import { V2_WATCHER_BUFFER_EVENTS } from '../config/limits';
import { EventHistory } from './event-history';
import { cloneV2Event, eventIndex, type V2Event } from './v2-event';
import { V2Error } from './v2-error';
import { isHiddenBelow } from './v2-path';

export class V2Watcher {
  private readonly buffer: V2Event[] = [];
  private waiters: ((e: V2Event | undefined) => void)[] = [];
  removed = false;

  constructor(
    private readonly hub: WatcherHub,
    readonly key: string,
    readonly recursive: boolean,
    readonly stream: boolean,
    readonly sinceIndex: number,
    /** Store index when the watch began (the X-Etcd-Index of a watch response). */
    readonly startIndex: number,
  ) {}

  /** The next event; undefined once the watcher is removed (buffer overflow, recovery, client gone). */
  next(): Promise<V2Event | undefined> {
    const e = this.buffer.shift();
    if (e !== undefined) return Promise.resolve(e);
    if (this.removed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** @internal */
  push(e: V2Event): boolean {
    const w = this.waiters.shift();
    if (w !== undefined) {
      w(e);
      return true;
    }
    if (this.buffer.length >= V2_WATCHER_BUFFER_EVENTS) return false;
    this.buffer.push(e);
    return true;
  }

  /** @internal called by notify: true when the event was for this watcher. */
  notify(e: V2Event, originalPath: boolean, deleted: boolean): boolean {
    if ((this.recursive || originalPath || deleted) && eventIndex(e) >= this.sinceIndex) {
      if (!this.push(e)) this.remove();
      return true;
    }
    return false;
  }

  remove(): void {
    if (this.removed) return;
    this.removed = true;
    this.hub.detach(this);
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w(undefined);
  }
}

export class WatcherHub {
  private readonly watchers = new Map<string, Set<V2Watcher>>();
  count = 0;

  constructor(readonly history: EventHistory = new EventHistory()) {}

  watch(key: string, recursive: boolean, stream: boolean, index: number, storeIndex: number): V2Watcher {
    let event: V2Event | undefined;
    try {
      event = this.history.scan(key, recursive, index);
    } catch (err) {
      if (err instanceof V2Error) err.index = storeIndex;
      throw err;
    }
    const w = new V2Watcher(this, key, recursive, stream, index, storeIndex);
    if (event !== undefined) {
      const e = cloneV2Event(event);
      e.etcdIndex = storeIndex;
      w.push(e);
      // One answer from history and the watcher is never registered. A one-shot ends after it; a
      // stream stays open and quiet until the client leaves (etcd 3.4 does exactly this).
      if (!stream) w.removed = true;
      return w;
    }
    let set = this.watchers.get(key);
    if (set === undefined) this.watchers.set(key, (set = new Set()));
    set.add(w);
    this.count++;
    return w;
  }

  /** Records the event in history and wakes the watchers of its key and of every ancestor. */
  notify(e: V2Event): void {
    this.history.add(e);
    const key = e.node.key ?? '/';
    this.notifyWatchers(e, '/', false);
    let curr = '';
    for (const seg of key.split('/')) {
      if (seg === '') continue;
      curr += '/' + seg;
      this.notifyWatchers(e, curr, false);
    }
  }

  /** Records a refresh event in history without waking anyone. */
  addRefresh(e: V2Event): void {
    e.refresh = true;
    this.history.add(e);
  }

  notifyWatchers(e: V2Event, nodePath: string, deleted: boolean): void {
    const set = this.watchers.get(nodePath);
    if (set === undefined) return;
    const key = e.node.key ?? '/';
    for (const w of [...set]) {
      const originalPath = key === nodePath;
      if ((originalPath || !isHiddenBelow(nodePath, key)) && w.notify(e, originalPath, deleted)) {
        if (!w.stream && !w.removed) {
          w.removed = true;
          this.detach(w);
        }
      }
    }
  }

  /** @internal */
  detach(w: V2Watcher): void {
    const set = this.watchers.get(w.key);
    if (set?.delete(w) === true) {
      this.count--;
      if (set.size === 0) this.watchers.delete(w.key);
    }
  }

  /** Drops every watcher (after a recovery from snapshot). */
  clear(): void {
    for (const set of [...this.watchers.values()]) for (const w of [...set]) w.remove();
  }
}
