// The in-memory index over keys: key -> KeyIndex in an ordered map, so range scans are
// O(log n + k). Range end convention: undefined = the single key `key`; an empty end = every key
// >= key; otherwise [key, end).

import { KeyIndex, type AvailableSet, type KeyIndexGet } from './key-index';
import { OrderedMap, compareBytes } from './ordered-map';
import { compareRev, type Revision } from './revision';

export interface RevisionsResult {
  /** Revisions of live keys at atRev, in key order, at most `limit` (0 = all). */
  revs: Revision[];
  /** How many keys are live in the range at atRev (ignores limit). */
  total: number;
}

export class TreeIndex {
  private readonly tree = new OrderedMap<KeyIndex>();

  /** Number of keys with a KeyIndex (live or with history not yet compacted). */
  get size(): number {
    return this.tree.size;
  }

  keyIndex(key: Uint8Array): KeyIndex | undefined {
    return this.tree.get(key);
  }

  get(key: Uint8Array, atRev: bigint): KeyIndexGet | undefined {
    return this.tree.get(key)?.get(atRev);
  }

  put(key: Buffer, rev: Revision): void {
    let ki = this.tree.get(key);
    if (ki === undefined) {
      ki = new KeyIndex(key);
      this.tree.set(key, ki);
    }
    ki.put(rev.main, rev.sub);
  }

  /** Marks `key` deleted at rev; false if it is not live. */
  tombstone(key: Uint8Array, rev: Revision): boolean {
    const ki = this.tree.get(key);
    if (ki === undefined) return false;
    return ki.tombstone(rev.main, rev.sub);
  }

  /** Restore: the first revision seen for a key (after compaction it may not be its creation). */
  restore(key: Buffer, created: Revision, modified: Revision, ver: bigint): void {
    const ki = new KeyIndex(key);
    ki.restore(created, modified, ver);
    this.tree.set(key, ki);
  }

  *visit(key: Uint8Array, end: Uint8Array | undefined): Generator<KeyIndex> {
    if (end === undefined) {
      const ki = this.tree.get(key);
      if (ki !== undefined) yield ki;
      return;
    }
    if (end.length > 0 && compareBytes(key, end) >= 0) return;
    for (const [, ki] of this.tree.range(key, end.length === 0 ? undefined : end)) yield ki;
  }

  /** Calls fn for every KeyIndex in the range, in key order. */
  forEach(key: Uint8Array, end: Uint8Array | undefined, fn: (ki: KeyIndex) => void): void {
    if (end === undefined) {
      const ki = this.tree.get(key);
      if (ki !== undefined) fn(ki);
      return;
    }
    if (end.length > 0 && compareBytes(key, end) >= 0) return;
    this.tree.forEachInRange(key, end.length === 0 ? undefined : end, (_k, ki) => fn(ki));
  }

  revisions(key: Uint8Array, end: Uint8Array | undefined, atRev: bigint, limit = 0): RevisionsResult {
    const revs: Revision[] = [];
    let total = 0;
    this.forEach(key, end, (ki) => {
      const modified = ki.liveAt(atRev);
      if (modified === undefined) return;
      total++;
      if (limit <= 0 || revs.length < limit) revs.push(modified);
    });
    return { revs, total };
  }

  /** Live keys in the range at atRev with their current revisions. */
  range(key: Uint8Array, end: Uint8Array | undefined, atRev: bigint): { keys: Buffer[]; revs: Revision[] } {
    const keys: Buffer[] = [];
    const revs: Revision[] = [];
    this.forEach(key, end, (ki) => {
      const modified = ki.liveAt(atRev);
      if (modified === undefined) return;
      keys.push(ki.key);
      revs.push(modified);
    });
    return { keys, revs };
  }

  /** Every revision >= rev of keys in the range, sorted (watch catch-up). */
  rangeSince(key: Uint8Array, end: Uint8Array | undefined, rev: bigint): Revision[] {
    const out: Revision[] = [];
    for (const ki of this.visit(key, end)) out.push(...ki.since(rev));
    return out.sort(compareRev);
  }

  /** Compacts every key at rev; returns the revisions at or below rev that must stay on disk. */
  compact(rev: bigint): AvailableSet {
    const available: AvailableSet = new Map();
    const emptied: Uint8Array[] = [];
    for (const [key, ki] of this.tree.entries()) {
      ki.compact(rev, available);
      if (ki.isEmpty()) emptied.push(key);
    }
    for (const key of emptied) this.tree.delete(key);
    return available;
  }

  /** What compact(rev) would keep, without changing anything. */
  keep(rev: bigint): AvailableSet {
    const available: AvailableSet = new Map();
    for (const [, ki] of this.tree.entries()) ki.keep(rev, available);
    return available;
  }
}
