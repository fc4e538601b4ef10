// The part of the log not yet persisted: an optional incoming snapshot, then entries.
// Invariant: entries[i] has raft log position i + offset; offset <= lastIndex + 1.
import { assert } from './assert';
import type { Entry, Snapshot } from './types';

export class Unstable {
  snapshot: Snapshot | undefined = undefined;
  entries: Entry[] = [];

  constructor(public offset: number) {}

  /** The first index if a snapshot is pending (the entry after it). */
  maybeFirstIndex(): number | undefined {
    return this.snapshot ? this.snapshot.metadata.index + 1 : undefined;
  }

  maybeLastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot ? this.snapshot.metadata.index : undefined;
  }

  maybeTerm(i: number): number | undefined {
    if (i < this.offset) {
      if (this.snapshot && this.snapshot.metadata.index === i) return this.snapshot.metadata.term;
      return undefined;
    }
    const last = this.maybeLastIndex();
    if (last === undefined || i > last) return undefined;
    return this.entries[i - this.offset]!.term;
  }

  /** Entries up to (i, t) are now in stable storage. */
  stableTo(i: number, t: number): void {
    const gt = this.maybeTerm(i);
    if (gt === undefined) return;
    // Only shrink if the entry is still the one that was persisted and is in the unstable entries.
    if (gt === t && i >= this.offset) {
      this.entries = this.entries.slice(i + 1 - this.offset);
      this.offset = i + 1;
    }
  }

  stableSnapTo(i: number): void {
    if (this.snapshot && this.snapshot.metadata.index === i) this.snapshot = undefined;
  }

  restore(s: Snapshot): void {
    this.offset = s.metadata.index + 1;
    this.entries = [];
    this.snapshot = s;
  }

  truncateAndAppend(ents: readonly Entry[]): void {
    const after = ents[0]!.index;
    if (after === this.offset + this.entries.length) {
      // In place: every reader gets a copy (slice / unstableEntries), so appending one proposal
      // costs O(1), not a copy of the whole unstable tail.
      for (const e of ents) this.entries.push(e);
    } else if (after <= this.offset) {
      // The log is replaced from `after` on: it starts again in the unstable part.
      this.offset = after;
      this.entries = ents.slice();
    } else {
      this.entries = this.slice(this.offset, after).concat(ents);
    }
  }

  slice(lo: number, hi: number): Entry[] {
    assert(lo <= hi, () => `invalid unstable.slice ${lo} > ${hi}`);
    const upper = this.offset + this.entries.length;
    assert(lo >= this.offset && hi <= upper, () => `unstable.slice[${lo},${hi}) out of bound [${this.offset},${upper}]`);
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }
}
