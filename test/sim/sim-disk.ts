// A member's simulated disk. A Ready's write is staged (`stage`) when handed to the disk and lands
// when the write completes (`complete`): it is then readable (the raft Storage serves it, like
// etcd's MemoryStorage mirroring the WAL) but durable only if that write was fsynced
// (Ready.mustSync), which also makes every earlier unsynced write durable. A crash drops the
// staged write and everything not yet fsynced; a restarted member sees only the durable part.
// Snapshots (received from the leader, or taken locally to compact the log) are durable when
// written, like etcd's fsynced snap files; the log then starts after the snapshot's index.

import {
  EMPTY_HARD_STATE,
  RaftStorageError,
  type ConfState,
  type Entry,
  type HardState,
  type Snapshot,
  type Storage,
} from '../../packages/server/src/raft/types';

export interface StagedWrite {
  readonly hardState?: HardState;
  readonly entries: readonly Entry[];
  readonly snapshot?: Snapshot;
}

interface DiskImage {
  readonly hardState: HardState;
  /** The newest snapshot (index >= offset). */
  readonly snap: Snapshot;
  /** The log is compacted up to `offset` (whose term is `offsetTerm`). */
  readonly offset: number;
  readonly offsetTerm: number;
  /** ents[i] has index offset + 1 + i. Never mutated in place. */
  readonly ents: readonly Entry[];
}

export class SimDisk implements Storage {
  private image: DiskImage;
  private durable: DiskImage;
  private staged: StagedWrite | undefined;
  syncs = 0;

  constructor(bootConfState: ConfState) {
    const snap: Snapshot = { data: new Uint8Array(0), metadata: { index: 0, term: 0, confState: bootConfState } };
    this.image = { hardState: EMPTY_HARD_STATE, snap, offset: 0, offsetTerm: 0, ents: [] };
    this.durable = this.image;
  }

  private get offset(): number {
    return this.image.offset;
  }

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.image.hardState, confState: this.image.snap.metadata.confState };
  }

  entries(lo: number, hi: number, maxSizeBytes: number): Entry[] {
    if (lo <= this.offset) throw new RaftStorageError('compacted');
    if (hi > this.lastIndex() + 1 || lo > hi) throw new RaftStorageError('unavailable');
    const out: Entry[] = [];
    let size = 0;
    for (let i = lo; i < hi; i++) {
      const e = this.image.ents[i - this.offset - 1]!;
      size += e.data.length + 16;
      if (out.length > 0 && size > maxSizeBytes) break;
      out.push(e);
    }
    return out;
  }

  term(index: number): number {
    if (index === this.offset) return this.image.offsetTerm;
    if (index < this.offset) throw new RaftStorageError('compacted');
    const e = this.image.ents[index - this.offset - 1];
    if (!e) throw new RaftStorageError('unavailable');
    return e.term;
  }

  lastIndex(): number {
    return this.offset + this.image.ents.length;
  }

  firstIndex(): number {
    return this.offset + 1;
  }

  snapshot(): Snapshot {
    return this.image.snap;
  }

  durableHardState(): HardState {
    return this.durable.hardState;
  }

  durableLastIndex(): number {
    return this.durable.offset + this.durable.ents.length;
  }

  /** Entries of the durable image (undefined when compacted). */
  durableEntryAt(index: number): Entry | undefined {
    return this.durable.ents[index - this.durable.offset - 1];
  }

  /** The durable log starts after this index (the compaction point). */
  durableOffset(): number {
    return this.durable.offset;
  }

  durableSnapshot(): Snapshot {
    return this.durable.snap;
  }

  /** Entries readable now (undefined when compacted or absent). */
  entryAt(index: number): Entry | undefined {
    return this.image.ents[index - this.offset - 1];
  }

  stage(write: StagedWrite): void {
    if (this.staged) throw new Error('disk: a write is already staged (one Ready at a time)');
    this.staged = write;
  }

  hasStaged(): boolean {
    return this.staged !== undefined;
  }

  /** The staged write completes; with `fsync` everything written so far becomes durable. */
  complete(fsync: boolean): void {
    const w = this.staged;
    if (!w) throw new Error('disk: complete without a staged write');
    this.staged = undefined;
    let { hardState, snap, offset, offsetTerm, ents } = this.image;
    if (w.snapshot) {
      // A snapshot from the leader replaces the whole log (etcd's MemoryStorage.ApplySnapshot).
      if (w.snapshot.metadata.index <= snap.metadata.index) throw new Error('disk: snapshot out of date');
      snap = w.snapshot;
      offset = snap.metadata.index;
      offsetTerm = snap.metadata.term;
      ents = [];
      fsync = true;
    }
    if (w.entries.length > 0) {
      const first = w.entries[0]!.index;
      if (first <= offset || first > offset + ents.length + 1) {
        throw new Error(`disk: append at ${first} outside (${offset}, ${offset + ents.length + 1}]`);
      }
      ents = ents.slice(0, first - offset - 1).concat(w.entries);
    }
    if (w.hardState) hardState = w.hardState;
    this.image = { hardState, snap, offset, offsetTerm, ents };
    if (fsync) {
      this.durable = this.image;
      this.syncs++;
    }
  }

  /**
   * Local compaction (etcd: CreateSnapshot + Compact): a durable snapshot of the applied state at
   * `index`, and the log dropped up to `compactTo` (<= index), keeping catch-up entries after it.
   * Only written entries are snapshotted; nothing is staged meanwhile.
   */
  snapshotAndCompact(index: number, data: Uint8Array, confState: ConfState, compactTo: number): void {
    if (this.staged) throw new Error('disk: compaction while a write is staged');
    if (index <= this.image.snap.metadata.index || index > this.durableLastIndex()) throw new Error(`disk: cannot snapshot at ${index}`);
    if (compactTo > index || compactTo < this.offset) throw new Error(`disk: bad compaction point ${compactTo}`);
    const snap: Snapshot = { data, metadata: { index, term: this.term(index), confState } };
    const offsetTerm = this.term(compactTo);
    const trim = (img: DiskImage): DiskImage => ({
      hardState: img.hardState,
      snap,
      offset: compactTo,
      offsetTerm,
      ents: img.ents.slice(compactTo - img.offset),
    });
    // Saving a snapshot fsyncs the WAL (etcd: wal.SaveSnapshot), so every write so far is durable
    // with it, notably the HardState whose commit covers the snapshot's index.
    this.image = trim(this.image);
    this.durable = this.image;
    this.syncs++;
  }

  /** A crash: the staged write and whatever was not fsynced are lost. Returns whether anything was. */
  crash(): boolean {
    const lost = this.staged !== undefined || this.image !== this.durable;
    this.staged = undefined;
    this.image = this.durable;
    return lost;
  }
}
