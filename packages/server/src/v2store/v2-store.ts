// The v2 store: a tree of directories and keys with one global index (+1 per mutation, expiries
// included), TTLs, compare-and-swap/delete, in-order keys, a 1000-event history and watchers.
// Deterministic: time comes from the injected clock, and expiry happens only in deleteExpiredKeys
// (driven by the leader's SYNC request through raft).

import { EventHistory } from './event-history';
import { newV2Event, type V2Action, type V2Event } from './v2-event';
import { V2Error, V2_ERROR_CODES } from './v2-error';
import { MIN_EXPIRE_TIME_MS, PERMANENT, V2Node } from './v2-node';
import { V2StoreStats, type V2StoreStatsJson } from './v2-store-stats';
import { cleanV2Path, splitV2Path } from './v2-path';
import { TtlKeyHeap } from './ttl-key-heap';
import { V2Watcher, WatcherHub } from './watcher-hub';

/** Where etcd's v2 auth keeps its on/off switch (StorePermsPrefix + "/enabled"). */
export const V2_AUTH_ENABLED_PATH = '/2/enabled';

export interface TtlOptions {
  /** Absolute expiration (ms since the epoch); 0 / undefined = permanent. */
  readonly expireTimeMs?: number;
  readonly refresh?: boolean;
}

export interface V2StoreOptions {
  /** Wall clock in ms (injected in tests). */
  readonly now?: () => number;
  /** Top-level directories created read-only at start (etcd's member uses "/0" and "/1"). */
  readonly namespaces?: readonly string[];
}

const enum Compare {
  Match,
  IndexNotMatch,
  ValueNotMatch,
  NotMatch,
}

export class V2Store {
  root!: V2Node;
  currentIndex = 0;
  readonly stats = new V2StoreStats();
  hub = new WatcherHub(new EventHistory());
  private ttlHeap = new TtlKeyHeap<V2Node>();
  private readonly readonly: Set<string>;
  private readonly namespaces: readonly string[];
  readonly now: () => number;

  constructor(opts: V2StoreOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.namespaces = opts.namespaces ?? [];
    this.readonly = new Set(['/', ...this.namespaces]);
    this.reset();
  }

  private reset(): void {
    this.root = new V2Node('/', '', 0, 0, undefined, PERMANENT, true);
    for (const ns of this.namespaces) {
      this.root.children?.set(splitV2Path(ns)[1], new V2Node(ns, '', 0, 0, this.root, PERMANENT, true));
    }
    this.currentIndex = 0;
    this.ttlHeap = new TtlKeyHeap<V2Node>();
  }

  /**
   * etcd's v2 auth check (`/2/enabled`), which etcd's HTTP layer runs for every /v2/keys request
   * that parsed and every /v2/members request. It is a counted get: while v2 auth is off (always,
   * in tsetcd) each such request adds one getsFail to /v2/stats/store, as in etcd.
   */
  v2AuthEnabled(): boolean {
    try {
      return this.get(V2_AUTH_ENABLED_PATH, false, false).node.value === 'true';
    } catch (err) {
      if (err instanceof V2Error) return false;
      throw err;
    }
  }

  /** Whether a node exists (no stats counted: the member's own /0 bookkeeping asks this). */
  exists(nodePath: string): boolean {
    try {
      this.internalGet(cleanV2Path(nodePath));
      return true;
    } catch (err) {
      if (err instanceof V2Error) return false;
      throw err;
    }
  }

  get(nodePath: string, recursive: boolean, sorted: boolean): V2Event {
    try {
      const path = cleanV2Path(nodePath);
      const n = this.internalGet(path);
      const e = newV2Event('get', path, n.modifiedIndex, n.createdIndex);
      e.etcdIndex = this.currentIndex;
      e.node = n.load(recursive, sorted, this.now());
      this.stats.inc('getsSuccess');
      return e;
    } catch (err) {
      this.stats.inc('getsFail');
      throw err;
    }
  }

  create(nodePath: string, dir: boolean, value: string, unique: boolean, ttl: TtlOptions = {}): V2Event {
    return this.counted('create', () => {
      const e = this.internalCreate(nodePath, dir, value, unique, false, ttl.expireTimeMs ?? PERMANENT, 'create');
      e.etcdIndex = this.currentIndex;
      this.hub.notify(e);
      return e;
    });
  }

  set(nodePath: string, dir: boolean, value: string, ttl: TtlOptions = {}): V2Event {
    return this.counted('set', () => {
      let prev: V2Node | undefined;
      try {
        prev = this.internalGet(cleanV2Path(nodePath));
      } catch (err) {
        if (!(err instanceof V2Error) || err.errorCode !== V2_ERROR_CODES.KeyNotFound) throw err;
      }
      if (ttl.refresh === true) {
        if (prev === undefined) throw new V2Error(V2_ERROR_CODES.KeyNotFound, cleanV2Path(nodePath), this.currentIndex);
        value = prev.value;
      }
      const prevExtern = prev?.repr(false, false, this.now());
      const e = this.internalCreate(nodePath, dir, value, false, true, ttl.expireTimeMs ?? PERMANENT, 'set');
      e.etcdIndex = this.currentIndex;
      if (prevExtern !== undefined) e.prevNode = prevExtern;
      this.publish(e, ttl.refresh === true);
      return e;
    });
  }

  update(nodePath: string, newValue: string, ttl: TtlOptions = {}): V2Event {
    return this.counted('update', () => {
      const path = cleanV2Path(nodePath);
      this.checkWritable(path, true);
      const next = this.currentIndex + 1;
      const n = this.internalGet(path);
      if (n.isDir && newValue.length !== 0) throw this.asSuccessInStats(new V2Error(V2_ERROR_CODES.NotFile, path, this.currentIndex));
      if (ttl.refresh === true) newValue = n.value;
      const e = newV2Event('update', path, next, n.createdIndex);
      e.etcdIndex = next;
      e.prevNode = n.repr(false, false, this.now());
      if (n.isDir) {
        e.node.dir = true;
      } else {
        n.value = newValue;
        n.modifiedIndex = next;
        e.node.value = newValue;
      }
      this.updateTtl(n, ttl.expireTimeMs ?? PERMANENT);
      n.fillTtl(e.node, this.now());
      this.currentIndex = next;
      this.publish(e, ttl.refresh === true);
      return e;
    });
  }

  compareAndSwap(nodePath: string, prevValue: string, prevIndex: number, value: string, ttl: TtlOptions = {}): V2Event {
    return this.counted('compareAndSwap', () => {
      const path = cleanV2Path(nodePath);
      this.checkWritable(path, true);
      const n = this.internalGet(path);
      if (n.isDir) throw new V2Error(V2_ERROR_CODES.NotFile, path, this.currentIndex);
      if (ttl.refresh === true) value = n.value;
      this.compareOrThrow(n, prevValue, prevIndex);
      this.currentIndex++;
      const e = newV2Event('compareAndSwap', path, this.currentIndex, n.createdIndex);
      e.etcdIndex = this.currentIndex;
      e.prevNode = n.repr(false, false, this.now());
      n.value = value;
      n.modifiedIndex = this.currentIndex;
      this.updateTtl(n, ttl.expireTimeMs ?? PERMANENT);
      e.node.value = value;
      n.fillTtl(e.node, this.now());
      this.publish(e, ttl.refresh === true);
      return e;
    });
  }

  delete(nodePath: string, dir: boolean, recursive: boolean): V2Event {
    return this.counted('delete', () => {
      const path = cleanV2Path(nodePath);
      this.checkWritable(path, true);
      if (recursive) dir = true;
      const n = this.internalGet(path);
      const next = this.currentIndex + 1;
      const e = newV2Event('delete', path, next, n.createdIndex);
      e.etcdIndex = next;
      e.prevNode = n.repr(false, false, this.now());
      if (n.isDir) e.node.dir = true;
      this.removeNode(n, dir, recursive, (p) => this.hub.notifyWatchers(e, p, true));
      this.currentIndex = next;
      this.hub.notify(e);
      return e;
    });
  }

  compareAndDelete(nodePath: string, prevValue: string, prevIndex: number): V2Event {
    return this.counted('compareAndDelete', () => {
      // etcd has no read-only check here: the root is a dir, so 102 (counted as a success, see
      // countedAsSuccess, like the compare failure)
      const path = cleanV2Path(nodePath);
      const n = this.internalGet(path);
      if (n.isDir) throw this.asSuccessInStats(new V2Error(V2_ERROR_CODES.NotFile, path, this.currentIndex));
      try {
        this.compareOrThrow(n, prevValue, prevIndex);
      } catch (err) {
        if (err instanceof V2Error) this.asSuccessInStats(err);
        throw err;
      }
      this.currentIndex++;
      const e = newV2Event('compareAndDelete', path, this.currentIndex, n.createdIndex);
      e.etcdIndex = this.currentIndex;
      e.prevNode = n.repr(false, false, this.now());
      this.removeNode(n, false, false, (p) => this.hub.notifyWatchers(e, p, true));
      this.hub.notify(e);
      return e;
    });
  }

  /** Watch from sinceIndex (0 = the next index); throws 401 when that index left the history. */
  watch(key: string, recursive: boolean, stream: boolean, sinceIndex: number): V2Watcher {
    const path = cleanV2Path(key);
    const since = sinceIndex === 0 ? this.currentIndex + 1 : sinceIndex;
    return this.hub.watch(path, recursive, stream, since, this.currentIndex);
  }

  /** Removes every node whose expiration is at or before cutoffMs: one index and one expire event each. */
  deleteExpiredKeys(cutoffMs: number): V2Event[] {
    const out: V2Event[] = [];
    for (;;) {
      const n = this.ttlHeap.top();
      if (n === undefined || n.expireTimeMs > cutoffMs) break;
      this.currentIndex++;
      const e = newV2Event('expire', n.path, this.currentIndex, n.createdIndex);
      e.etcdIndex = this.currentIndex;
      e.prevNode = n.repr(false, false, this.now());
      delete e.prevNode.ttl;
      if (n.isDir) e.node.dir = true;
      this.ttlHeap.pop();
      this.removeNode(n, true, true, (p) => this.hub.notifyWatchers(e, p, true));
      this.stats.inc('expireCount');
      this.hub.notify(e);
      out.push(e);
    }
    return out;
  }

  /** True when some node carries a TTL (the leader only proposes SYNC then). */
  hasTtlKeys(): boolean {
    return this.ttlHeap.size > 0;
  }

  statsJson(): V2StoreStatsJson {
    return this.stats.toJson(this.hub.count);
  }

  /** A JSON snapshot of the tree, index, history and stats counters (watchers are not saved). */
  save(): string {
    const walk = (n: V2Node): SavedNode => ({
      p: n.path,
      v: n.isDir ? undefined : n.value,
      c: n.createdIndex,
      m: n.modifiedIndex,
      e: n.expireTimeMs === PERMANENT ? undefined : n.expireTimeMs,
      d: n.isDir ? [...(n.children?.values() ?? [])].map(walk) : undefined,
    });
    const saved: SavedStore = {
      version: 1,
      index: this.currentIndex,
      root: walk(this.root),
      history: this.hub.history.events(),
      stats: this.stats.saveCounts(),
    };
    return JSON.stringify(saved);
  }

  /** Replaces the whole state with a save(); current watchers are dropped (their streams end). */
  recovery(json: string): void {
    const saved = JSON.parse(json) as SavedStore;
    if (saved.version !== 1) throw new Error(`v2store: unknown snapshot version ${String(saved.version)}`);
    this.hub.clear();
    this.ttlHeap = new TtlKeyHeap<V2Node>();
    const build = (s: SavedNode, parent: V2Node | undefined): V2Node => {
      const n = new V2Node(s.p, s.v ?? '', s.c, s.m, parent, s.e ?? PERMANENT, s.d !== undefined);
      for (const child of s.d ?? []) n.children?.set(splitV2Path(child.p)[1], build(child, n));
      if (!n.isPermanent) this.ttlHeap.push(n);
      return n;
    };
    this.root = build(saved.root, undefined);
    this.currentIndex = saved.index;
    // like etcd, the counters come back as they were at the snapshot (older saves have none)
    if (saved.stats !== undefined) this.stats.loadCounts(saved.stats);
    this.hub = new WatcherHub(new EventHistory());
    for (const e of saved.history) this.hub.history.add(e);
  }

  // ---- internals ----

  private counted(op: V2Action, fn: () => V2Event): V2Event {
    try {
      const e = fn();
      this.stats.inc(`${op}Success` as const);
      return e;
    } catch (err) {
      this.stats.inc(this.countedAsSuccess.has(err as object) ? (`${op}Success` as const) : (`${op}Fail` as const));
      throw err;
    }
  }

  /**
   * etcd 3.4 returns some errors without assigning its deferred stats check's variable, so they
   * count as successes in /v2/stats/store (root writes in update/CAS/delete, a value on a dir in
   * update, dir and compare failures in compareAndDelete). Kept for identical stats.
   */
  private readonly countedAsSuccess = new WeakSet<object>();

  private asSuccessInStats(err: V2Error): V2Error {
    this.countedAsSuccess.add(err);
    return err;
  }

  private publish(e: V2Event, refresh: boolean): void {
    if (refresh) this.hub.addRefresh(e);
    else this.hub.notify(e);
  }

  private checkWritable(path: string, countedAsSuccess = false): void {
    if (!this.readonly.has(path)) return;
    const err = new V2Error(V2_ERROR_CODES.RootReadOnly, '/', this.currentIndex);
    throw countedAsSuccess ? this.asSuccessInStats(err) : err;
  }

  private compareOrThrow(n: V2Node, prevValue: string, prevIndex: number): void {
    const indexOk = prevIndex === 0 || n.modifiedIndex === prevIndex;
    const valueOk = prevValue === '' || n.value === prevValue;
    const which = indexOk && valueOk ? Compare.Match : indexOk ? Compare.ValueNotMatch : valueOk ? Compare.IndexNotMatch : Compare.NotMatch;
    if (which === Compare.Match) return;
    const cause =
      which === Compare.IndexNotMatch
        ? `[${prevIndex} != ${n.modifiedIndex}]`
        : which === Compare.ValueNotMatch
          ? `[${prevValue} != ${n.value}]`
          : `[${prevValue} != ${n.value}] [${prevIndex} != ${n.modifiedIndex}]`;
    throw new V2Error(V2_ERROR_CODES.TestFailed, cause, this.currentIndex);
  }

  private internalGet(path: string): V2Node {
    let n = this.root;
    for (const seg of path.split('/')) {
      if (seg === '') continue;
      if (n.children === undefined) throw new V2Error(V2_ERROR_CODES.NotDir, n.path, this.currentIndex);
      const child = n.children.get(seg);
      if (child === undefined) throw new V2Error(V2_ERROR_CODES.KeyNotFound, cleanV2Path(n.path + '/' + seg), this.currentIndex);
      n = child;
    }
    return n;
  }

  private internalCreate(
    nodePath: string,
    dir: boolean,
    value: string,
    unique: boolean,
    replace: boolean,
    expireTimeMs: number,
    action: V2Action,
  ): V2Event {
    const curr = this.currentIndex;
    const next = curr + 1;
    if (unique) nodePath += '/' + String(next).padStart(20, '0');
    const path = cleanV2Path(nodePath);
    if (this.readonly.has(path)) throw new V2Error(V2_ERROR_CODES.RootReadOnly, '/', curr);
    if (expireTimeMs < MIN_EXPIRE_TIME_MS) expireTimeMs = PERMANENT;
    const [dirName, name] = splitV2Path(path);

    // walk to the parent, creating missing directories (they take the new index)
    let d = this.root;
    for (const seg of dirName.split('/')) {
      if (seg === '') continue;
      const children = d.children as Map<string, V2Node>;
      const child = children.get(seg);
      if (child === undefined) {
        const created = new V2Node(cleanV2Path(d.path + '/' + seg), '', next, next, d, PERMANENT, true);
        children.set(seg, created);
        d = created;
      } else if (child.isDir) {
        d = child;
      } else {
        this.stats.inc('setsFail'); // etcd counts a failed walk as a failed set too, whatever the op
        throw new V2Error(V2_ERROR_CODES.NotDir, child.path, curr);
      }
    }

    const e = newV2Event(action, path, next, next);
    const children = d.children as Map<string, V2Node>;
    const existing = children.get(name);
    if (existing !== undefined) {
      if (!replace) throw new V2Error(V2_ERROR_CODES.NodeExist, path, curr);
      if (existing.isDir) throw new V2Error(V2_ERROR_CODES.NotFile, path, curr);
      e.prevNode = existing.repr(false, false, this.now());
      this.removeNode(existing, false, false, undefined);
    }
    const n = new V2Node(path, dir ? '' : value, next, next, d, expireTimeMs, dir);
    if (dir) e.node.dir = true;
    else e.node.value = value;
    children.set(name, n);
    if (!n.isPermanent) {
      this.ttlHeap.push(n);
      n.fillTtl(e.node, this.now());
    }
    this.currentIndex = next;
    return e;
  }

  private removeNode(n: V2Node, dir: boolean, recursive: boolean, onRemoved: ((path: string) => void) | undefined): void {
    if (!n.isDir) {
      if (n.parent?.children?.get(n.name) === n) n.parent.children.delete(n.name);
      onRemoved?.(n.path);
      if (!n.isPermanent) this.ttlHeap.remove(n);
      return;
    }
    if (!dir) throw new V2Error(V2_ERROR_CODES.NotFile, n.path, this.currentIndex);
    if ((n.children?.size ?? 0) !== 0 && !recursive) throw new V2Error(V2_ERROR_CODES.DirNotEmpty, n.path, this.currentIndex);
    for (const child of [...(n.children?.values() ?? [])]) this.removeNode(child, true, true, onRemoved);
    if (n.parent?.children?.get(n.name) === n) {
      n.parent.children.delete(n.name);
      onRemoved?.(n.path);
      if (!n.isPermanent) this.ttlHeap.remove(n);
    }
  }

  private updateTtl(n: V2Node, expireTimeMs: number): void {
    if (expireTimeMs < MIN_EXPIRE_TIME_MS) expireTimeMs = PERMANENT;
    if (!n.isPermanent) {
      n.expireTimeMs = expireTimeMs;
      if (expireTimeMs === PERMANENT) this.ttlHeap.remove(n);
      else this.ttlHeap.update(n);
      return;
    }
    if (expireTimeMs === PERMANENT) return;
    n.expireTimeMs = expireTimeMs;
    this.ttlHeap.push(n);
  }
}

interface SavedNode {
  p: string;
  v: string | undefined;
  c: number;
  m: number;
  e: number | undefined;
  d: SavedNode[] | undefined;
}

interface SavedStore {
  version: number;
  index: number;
  root: SavedNode;
  history: V2Event[];
  stats?: Partial<Record<string, number>>;
}
