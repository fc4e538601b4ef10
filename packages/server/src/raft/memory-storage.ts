// MemoryStorage: the reference Storage, kept in memory. The driver mirrors its WAL into one;
// the interaction tests use it as the node's disk.
import { assert } from './assert';
import { limitSize } from './entry-size';
import {
  EMPTY_HARD_STATE,
  EntryType,
  RaftStorageError,
  type ConfState,
  type Entry,
  type HardState,
  type Snapshot,
  type Storage,
} from './types';

export const EMPTY_CONF_STATE: ConfState = Object.freeze({ voters: [], learners: [] });
export const EMPTY_SNAPSHOT: Snapshot = Object.freeze({
  data: new Uint8Array(0),
  metadata: Object.freeze({ confState: EMPTY_CONF_STATE, index: 0, term: 0 }),
});

export class MemoryStorage implements Storage {
  private hardState: HardState = EMPTY_HARD_STATE;
  private snap: Snapshot = EMPTY_SNAPSHOT;
  /** ents[i] has raft log position i + snap.metadata.index; ents[0] is a dummy holding the snapshot's index/term. */
  private ents: Entry[] = [{ term: 0, index: 0, type: EntryType.Normal, data: new Uint8Array(0) }];

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.hardState, confState: this.snap.metadata.confState };
  }

  setHardState(hs: HardState): void {
    this.hardState = hs;
  }

  entries(lo: number, hi: number, maxSizeBytes: number): Entry[] {
    const offset = this.ents[0]!.index;
    if (lo <= offset) throw new RaftStorageError('compacted');
    if (hi > this.lastIndex() + 1) throw new RaftStorageError('unavailable');
    assert(lo <= hi, () => `entries: lo ${lo} > hi ${hi}`);
    if (this.ents.length === 1) throw new RaftStorageError('unavailable');
    return limitSize(this.ents.slice(lo - offset, hi - offset), maxSizeBytes);
  }

  term(index: number): number {
    const offset = this.ents[0]!.index;
    if (index < offset) throw new RaftStorageError('compacted');
    if (index - offset >= this.ents.length) throw new RaftStorageError('unavailable');
    return this.ents[index - offset]!.term;
  }

  lastIndex(): number {
    return this.ents[0]!.index + this.ents.length - 1;
  }

  firstIndex(): number {
    return this.ents[0]!.index + 1;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Replaces the whole contents with the snapshot (a follower receiving MsgSnap). */
  applySnapshot(snap: Snapshot): void {
    const cur = this.snap.metadata.index;
    if (cur >= snap.metadata.index) throw new RaftStorageError('snap-out-of-date');
    this.snap = snap;
    this.ents = [{ term: snap.metadata.term, index: snap.metadata.index, type: EntryType.Normal, data: new Uint8Array(0) }];
  }

  /** Records a snapshot of the applied state at `index` (<= last index) for sending to followers. */
  createSnapshot(index: number, confState: ConfState | undefined, data: Uint8Array): Snapshot {
    if (index <= this.snap.metadata.index) throw new RaftStorageError('snap-out-of-date');
    const offset = this.ents[0]!.index;
    assert(index <= this.lastIndex(), () => `snapshot ${index} is out of bound lastindex(${this.lastIndex()})`);
    const term = this.ents[index - offset]!.term;
    this.snap = {
      data,
      metadata: { index, term, confState: confState ?? this.snap.metadata.confState },
    };
    return this.snap;
  }

  /** Discards all entries before `compactIndex` (the entry at compactIndex becomes the dummy). */
  compact(compactIndex: number): void {
    const offset = this.ents[0]!.index;
    if (compactIndex <= offset) throw new RaftStorageError('compacted');
    assert(compactIndex <= this.lastIndex(), () => `compact ${compactIndex} is out of bound lastindex(${this.lastIndex()})`);
    const i = compactIndex - offset;
    const kept = this.ents.slice(i);
    const first = kept[0]!;
    kept[0] = { term: first.term, index: first.index, type: EntryType.Normal, data: new Uint8Array(0) };
    this.ents = kept;
  }

  /** Appends entries, truncating any conflicting suffix; entries must be contiguous. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = entries[0]!.index + entries.length - 1;
    if (last < first) return; // all compacted
    let ents = entries;
    if (first > entries[0]!.index) ents = entries.slice(first - entries[0]!.index);
    const offset = ents[0]!.index - this.ents[0]!.index;
    assert(offset <= this.ents.length, () => `missing log entry [last: ${this.lastIndex()}, append at: ${ents[0]!.index}]`);
    // In place: entries() always hands out copies, so nobody holds a view of this array.
    if (offset < this.ents.length) this.ents.length = offset;
    for (const e of ents) this.ents.push(e);
  }
}
