// A set of watchers indexed for event matching: single-key watchers in a map by key, range
// watchers in an array sorted by start key (a key only scans ranges that start at or before it).

import type { Watcher } from './watcher';

export class WatcherGroup {
  private readonly keyWatchers = new Map<string, Set<Watcher>>();
  /** Range watchers sorted by start key. */
  private ranges: Watcher[] = [];
  readonly watchers = new Set<Watcher>();

  get size(): number {
    return this.watchers.size;
  }

  has(w: Watcher): boolean {
    return this.watchers.has(w);
  }

  add(w: Watcher): void {
    if (this.watchers.has(w)) return;
    this.watchers.add(w);
    if (w.isRange) {
      const at = upperBound(this.ranges, w.key);
      this.ranges.splice(at, 0, w);
      return;
    }
    const k = w.key.toString('latin1');
    let set = this.keyWatchers.get(k);
    if (set === undefined) {
      set = new Set();
      this.keyWatchers.set(k, set);
    }
    set.add(w);
  }

  delete(w: Watcher): boolean {
    if (!this.watchers.delete(w)) return false;
    if (w.isRange) {
      const i = this.ranges.indexOf(w);
      if (i >= 0) this.ranges.splice(i, 1);
      return true;
    }
    const k = w.key.toString('latin1');
    const set = this.keyWatchers.get(k);
    set?.delete(w);
    if (set?.size === 0) this.keyWatchers.delete(k);
    return true;
  }

  /** Every watcher whose key or range contains `key`. */
  *watchersFor(key: Buffer): Iterable<Watcher> {
    const single = this.keyWatchers.get(key.toString('latin1'));
    if (single !== undefined) yield* single;
    const n = upperBound(this.ranges, key);
    for (let i = 0; i < n; i++) {
      const w = this.ranges[i] as Watcher;
      if (w.contains(key)) yield w;
    }
  }

  /**
   * Up to `max` watchers into a new group (etcd's choose); watchers behind `compactRev` are handed
   * to `onCompacted` instead (removed from this group when it returns true). Returns the group and
   * the smallest minRev in it.
   */
  choose(max: number, compactRev: bigint, onCompacted: (w: Watcher) => boolean): { group: WatcherGroup; minRev: bigint } {
    const group = new WatcherGroup();
    let minRev: bigint | undefined;
    for (const w of [...this.watchers]) {
      if (group.size >= max) break;
      if (w.minRev < compactRev) {
        if (onCompacted(w)) this.delete(w);
        continue;
      }
      group.add(w);
      if (minRev === undefined || w.minRev < minRev) minRev = w.minRev;
    }
    return { group, minRev: minRev ?? 0n };
  }
}

/** Index of the first range watcher whose start key is > key. */
function upperBound(ranges: readonly Watcher[], key: Buffer): number {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Buffer.compare((ranges[mid] as Watcher).key, key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
