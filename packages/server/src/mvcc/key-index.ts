// KeyIndex: the revision history of one key as generations. A generation runs from the put that
// (re)creates the key to its tombstone; the last generation is open (empty after a delete).

import { compareRev, revGreater, revId, ZERO_REVISION, type Revision } from './revision';

export interface Generation {
  ver: bigint;
  created: Revision;
  revs: Revision[];
}

export interface KeyIndexGet {
  modified: Revision;
  created: Revision;
  ver: bigint;
}

/** Revisions that compaction keeps (by revId). */
export type AvailableSet = Map<string, Revision>;

function generationEmpty(g: Generation | undefined): boolean {
  return g === undefined || g.revs.length === 0;
}

/** Index (from the end) walking back while f is true: the first rev where f is false, or -1. */
function walkBack(g: Generation, f: (rev: Revision) => boolean): number {
  for (let i = g.revs.length - 1; i >= 0; i--) if (!f(g.revs[i]!)) return i;
  return -1;
}

export class KeyIndex {
  modified: Revision = ZERO_REVISION;
  generations: Generation[] = [];

  constructor(readonly key: Buffer) {}

  put(main: bigint, sub: number): void {
    const rev = { main, sub };
    if (!revGreater(rev, this.modified)) {
      throw new Error(`mvcc: put with unexpected smaller revision ${revId(rev)} <= ${revId(this.modified)}`);
    }
    if (this.generations.length === 0) this.generations.push({ ver: 0n, created: ZERO_REVISION, revs: [] });
    const g = this.generations[this.generations.length - 1]!;
    if (g.revs.length === 0) g.created = rev;
    g.revs.push(rev);
    g.ver++;
    this.modified = rev;
  }

  /** Starts an index from the oldest surviving revision of a key (restore after compaction). */
  restore(created: Revision, modified: Revision, ver: bigint): void {
    if (this.generations.length !== 0) throw new Error('mvcc: cannot restore a non-empty keyIndex');
    this.modified = modified;
    this.generations.push({ created, ver, revs: [modified] });
  }

  /** Records a deletion; false if the key is not live (nothing to delete). */
  tombstone(main: bigint, sub: number): boolean {
    if (this.isEmpty()) throw new Error('mvcc: tombstone on an empty keyIndex');
    if (generationEmpty(this.generations[this.generations.length - 1])) return false;
    this.put(main, sub);
    this.generations.push({ ver: 0n, created: ZERO_REVISION, revs: [] });
    return true;
  }

  /** The key's modified/created revisions and version as of atRev; undefined if absent then. */
  get(atRev: bigint): KeyIndexGet | undefined {
    if (this.isEmpty()) throw new Error('mvcc: get on an empty keyIndex');
    const g = this.findGeneration(atRev);
    if (g === undefined || g.revs.length === 0) return undefined;
    const n = walkBack(g, (rev) => rev.main > atRev);
    if (n === -1) return undefined;
    return { modified: g.revs[n]!, created: g.created, ver: g.ver - BigInt(g.revs.length - n - 1) };
  }

  /** The key's modified revision at atRev if it was live then, else undefined (fast path of get). */
  liveAt(atRev: bigint): Revision | undefined {
    const last = this.generations[this.generations.length - 1];
    if (last !== undefined && last.revs.length > 0 && this.modified.main <= atRev) return this.modified;
    return this.get(atRev)?.modified;
  }

  /** Revisions with main >= rev, keeping only the last sub of each main (for watch catch-up). */
  since(rev: bigint): Revision[] {
    if (this.isEmpty()) throw new Error('mvcc: since on an empty keyIndex');
    const since: Revision = { main: rev, sub: 0 };
    let gi = this.generations.length - 1;
    for (; gi > 0; gi--) {
      const g = this.generations[gi]!;
      if (g.revs.length === 0) continue;
      if (revGreater(since, g.created)) break;
    }
    const out: Revision[] = [];
    let last = -1n;
    for (; gi < this.generations.length; gi++) {
      for (const r of this.generations[gi]!.revs) {
        if (revGreater(since, r)) continue;
        if (r.main === last) {
          out[out.length - 1] = r;
          continue;
        }
        out.push(r);
        last = r.main;
      }
    }
    return out;
  }

  /**
   * Drops revisions older than the newest one at or below atRev (and whole generations that ended
   * at or below atRev), adding the revisions still needed to `available`.
   */
  compact(atRev: bigint, available: AvailableSet): void {
    if (this.isEmpty()) throw new Error('mvcc: compact on an empty keyIndex');
    let [genIdx, revIndex] = this.doCompact(atRev, available);
    const g = this.generations[genIdx]!;
    if (g.revs.length > 0) {
      if (revIndex !== -1) g.revs = g.revs.slice(revIndex);
      // a lone remaining revision in a closed generation is its tombstone: drop it
      if (g.revs.length === 1 && genIdx !== this.generations.length - 1) {
        available.delete(revId(g.revs[0]!));
        genIdx++;
      }
    }
    this.generations = this.generations.slice(genIdx);
  }

  /** What compact(atRev) would keep, without changing the index. */
  keep(atRev: bigint, available: AvailableSet): void {
    if (this.isEmpty()) return;
    const [genIdx, revIndex] = this.doCompact(atRev, available);
    const g = this.generations[genIdx]!;
    if (g.revs.length > 0 && revIndex === g.revs.length - 1 && genIdx !== this.generations.length - 1) {
      available.delete(revId(g.revs[revIndex]!));
    }
  }

  private doCompact(atRev: bigint, available: AvailableSet): [number, number] {
    let genIdx = 0;
    let g = this.generations[0]!;
    while (genIdx < this.generations.length - 1) {
      const tomb = g.revs[g.revs.length - 1]!.main;
      if (tomb > atRev) break;
      genIdx++;
      g = this.generations[genIdx]!;
    }
    const revIndex = walkBack(g, (rev) => {
      if (rev.main <= atRev) {
        available.set(revId(rev), rev);
        return false;
      }
      return true;
    });
    return [genIdx, revIndex];
  }

  isEmpty(): boolean {
    return this.generations.length === 1 && this.generations[0]!.revs.length === 0;
  }

  /** The generation holding atRev, or undefined if the key did not exist then. */
  findGeneration(rev: bigint): Generation | undefined {
    const lastg = this.generations.length - 1;
    for (let cg = lastg; cg >= 0; cg--) {
      const g = this.generations[cg]!;
      if (g.revs.length === 0) continue;
      if (cg !== lastg) {
        const tomb = g.revs[g.revs.length - 1]!.main;
        if (tomb <= rev) return undefined;
      }
      if (g.revs[0]!.main <= rev) return g;
    }
    return undefined;
  }

  /** Every revision held, oldest first (tests and debugging). */
  allRevisions(): Revision[] {
    return this.generations.flatMap((g) => g.revs).sort(compareRev);
  }
}
