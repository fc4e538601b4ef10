// raftLog: stable Storage plus the unstable tail, with the commit and apply cursors.
// Invariant: applied <= committed <= lastIndex (applied may trail behind firstIndex-1 only after a snapshot restore resets both).
import { assert } from './assert';
import { limitSize } from './entry-size';
import { Unstable } from './log-unstable';
import { RaftStorageError, type Entry, type Snapshot, type Storage } from './types';

export const NO_LIMIT = Number.MAX_SAFE_INTEGER;

export class RaftLog {
  readonly unstable: Unstable;
  committed: number;
  applied: number;

  constructor(
    readonly storage: Storage,
    readonly maxNextEntsSizeBytes: number,
    private readonly allowApplyBeyondCommit = false,
  ) {
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    this.unstable = new Unstable(last + 1);
    this.committed = first - 1;
    this.applied = first - 1;
  }

  toString(): string {
    return `committed=${this.committed}, applied=${this.applied}, unstable.offset=${this.unstable.offset}, len(unstable.Entries)=${this.unstable.entries.length}`;
  }

  /** Appends ents after (index, logTerm) if it matches; returns the last new index, or undefined on mismatch. */
  maybeAppend(index: number, logTerm: number, committed: number, ents: readonly Entry[], checkCommit = true): number | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNew = index + ents.length;
    const ci = this.findConflict(ents);
    if (ci !== 0) {
      assert(ci > this.committed, () => `entry ${ci} conflict with committed entry [committed(${this.committed})]`);
      this.append(ents.slice(ci - (index + 1)));
    }
    if (checkCommit) this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  append(ents: readonly Entry[]): number {
    if (ents.length === 0) return this.lastIndex();
    const after = ents[0]!.index - 1;
    assert(after >= this.committed, () => `after(${after}) is out of range [committed(${this.committed})]`);
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  /** Index of the first entry that conflicts (different term) or is new; 0 if all are present. */
  findConflict(ents: readonly Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * The largest index <= `index` whose entry has a term <= `term` (0 if none is known, e.g. it
   * was compacted). Used on both sides of a rejected MsgApp to skip conflicting terms at once.
   */
  findConflictByTerm(index: number, term: number): number {
    if (index > this.lastIndex()) return index;
    let i = index;
    for (; i > 0; i--) {
      let t: number;
      try {
        t = this.term(i);
      } catch (e) {
        if (e instanceof RaftStorageError) break;
        throw e;
      }
      if (t <= term) break;
    }
    return i;
  }

  unstableEntries(): Entry[] {
    return this.unstable.entries.slice();
  }

  /** Committed entries ready to be handed out for applying, bounded by maxNextEntsSizeBytes. */
  nextEnts(): Entry[] {
    const off = Math.max(this.applied + 1, this.firstIndex());
    const hiIdx = this.allowApplyBeyondCommit ? this.lastIndex() : this.committed;
    if (hiIdx + 1 > off) return this.slice(off, hiIdx + 1, this.maxNextEntsSizeBytes);
    return [];
  }

  hasNextEnts(): boolean {
    const off = Math.max(this.applied + 1, this.firstIndex());
    const hiIdx = this.allowApplyBeyondCommit ? this.lastIndex() : this.committed;
    return hiIdx + 1 > off;
  }

  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  hasPendingSnapshot(): boolean {
    return this.unstable.snapshot !== undefined && this.unstable.snapshot.metadata.index !== 0;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  /** The last index known to be in stable storage and still part of this log (-1 while a snapshot is pending). */
  stableLastIndex(): number {
    if (this.unstable.snapshot) return -1;
    return this.unstable.offset - 1;
  }

  commitTo(toCommit: number): void {
    if (this.committed < toCommit) {
      assert(this.lastIndex() >= toCommit, () => `tocommit(${toCommit}) is out of range [lastIndex(${this.lastIndex()})]. Was the raft log corrupted, truncated, or lost?`);
      this.committed = toCommit;
    }
  }

  appliedTo(i: number): void {
    if (i === 0) return;
    assert(
      this.allowApplyBeyondCommit || (this.committed >= i && i >= this.applied),
      () => `applied(${i}) is out of range [prevApplied(${this.applied}), committed(${this.committed})]`,
    );
    this.applied = i;
  }

  stableTo(i: number, t: number): void {
    this.unstable.stableTo(i, t);
  }

  stableSnapTo(i: number): void {
    this.unstable.stableSnapTo(i);
  }

  lastTerm(): number {
    return this.zeroTermOnErrCompacted(() => this.term(this.lastIndex()));
  }

  /** Term of entry i; throws RaftStorageError('compacted'|'unavailable'). Out of [dummy, last] gives 0 like etcd. */
  term(i: number): number {
    const dummy = this.firstIndex() - 1;
    if (i < dummy || i > this.lastIndex()) return 0;
    const t = this.unstable.maybeTerm(i);
    if (t !== undefined) return t;
    return this.storage.term(i);
  }

  zeroTermOnErrCompacted(f: () => number): number {
    try {
      return f();
    } catch (e) {
      if (e instanceof RaftStorageError && e.code === 'compacted') return 0;
      throw e;
    }
  }

  entries(i: number, maxSizeBytes: number): Entry[] {
    if (i > this.lastIndex()) return [];
    return this.slice(i, this.lastIndex() + 1, maxSizeBytes);
  }

  allEntries(): Entry[] {
    try {
      return this.entries(this.firstIndex(), NO_LIMIT);
    } catch (e) {
      if (e instanceof RaftStorageError && e.code === 'compacted') return this.allEntries();
      throw e;
    }
  }

  /** Is a candidate's log (lasti, term) at least as up to date as ours? */
  isUpToDate(lasti: number, term: number): boolean {
    const lt = this.lastTerm();
    return term > lt || (term === lt && lasti >= this.lastIndex());
  }

  matchTerm(i: number, term: number): boolean {
    try {
      return this.term(i) === term;
    } catch (e) {
      if (e instanceof RaftStorageError) return false;
      throw e;
    }
  }

  maybeCommit(maxIndex: number, term: number, ignoreTerm = false): boolean {
    if (maxIndex > this.committed && (ignoreTerm || this.zeroTermOnErrCompacted(() => this.term(maxIndex)) === term)) {
      this.commitTo(maxIndex);
      return true;
    }
    return false;
  }

  restore(s: Snapshot): void {
    this.committed = s.metadata.index;
    this.unstable.restore(s);
  }

  /** Entries in [lo, hi), at most maxSizeBytes (at least one). Throws RaftStorageError('compacted'). */
  slice(lo: number, hi: number, maxSizeBytes: number): Entry[] {
    this.mustCheckOutOfBounds(lo, hi);
    if (lo === hi) return [];
    let ents: Entry[] = [];
    if (lo < this.unstable.offset) {
      const stored = this.storage.entries(lo, Math.min(hi, this.unstable.offset), maxSizeBytes);
      // Stopped short: the size limit was hit inside storage.
      if (stored.length < Math.min(hi, this.unstable.offset) - lo) return stored;
      ents = stored;
    }
    if (hi > this.unstable.offset) {
      const u = this.unstable.slice(Math.max(lo, this.unstable.offset), hi);
      ents = ents.length > 0 ? ents.concat(u) : u;
    }
    return limitSize(ents, maxSizeBytes);
  }

  private mustCheckOutOfBounds(lo: number, hi: number): void {
    assert(lo <= hi, () => `invalid slice ${lo} > ${hi}`);
    const fi = this.firstIndex();
    if (lo < fi) throw new RaftStorageError('compacted');
    const length = this.lastIndex() + 1 - fi;
    assert(hi <= fi + length, () => `slice[${lo},${hi}) out of bound [${fi},${this.lastIndex()}]`);
  }
}
