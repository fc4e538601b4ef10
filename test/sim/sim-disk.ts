// A member's simulated disk. A Ready's write is staged (`stage`) when handed to the disk and lands
// when the write completes (`complete`): it is then readable (the raft Storage serves it, like
// etcd's MemoryStorage mirroring the WAL) but durable only if that write was fsynced
// (Ready.mustSync), which also makes every earlier unsynced write durable. A crash drops the
// staged write and everything not yet fsynced; a restarted member sees only the durable part.

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
}

export class SimDisk implements Storage {
  private hardState: HardState = EMPTY_HARD_STATE;
  /** ents[i] has index i + 1 (no compaction in the simulation). Never mutated in place. */
  private ents: readonly Entry[] = [];
  private durable: { hardState: HardState; ents: readonly Entry[] } = { hardState: EMPTY_HARD_STATE, ents: [] };
  private staged: StagedWrite | undefined;
  syncs = 0;

  constructor(private readonly bootConfState: ConfState) {}

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.hardState, confState: this.bootConfState };
  }

  entries(lo: number, hi: number, maxSizeBytes: number): Entry[] {
    if (lo < 1) throw new RaftStorageError('compacted');
    if (hi > this.lastIndex() + 1 || lo > hi) throw new RaftStorageError('unavailable');
    const out: Entry[] = [];
    let size = 0;
    for (let i = lo; i < hi; i++) {
      const e = this.ents[i - 1]!;
      size += e.data.length + 16;
      if (out.length > 0 && size > maxSizeBytes) break;
      out.push(e);
    }
    return out;
  }

  term(index: number): number {
    if (index === 0) return 0;
    if (index < 0) throw new RaftStorageError('compacted');
    const e = this.ents[index - 1];
    if (!e) throw new RaftStorageError('unavailable');
    return e.term;
  }

  lastIndex(): number {
    return this.ents.length;
  }

  firstIndex(): number {
    return 1;
  }

  snapshot(): Snapshot {
    return { data: new Uint8Array(0), metadata: { index: 0, term: 0, confState: this.bootConfState } };
  }

  durableHardState(): HardState {
    return this.durable.hardState;
  }

  durableLastIndex(): number {
    return this.durable.ents.length;
  }

  durableEntryAt(index: number): Entry | undefined {
    return this.durable.ents[index - 1];
  }

  entryAt(index: number): Entry | undefined {
    return this.ents[index - 1];
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
    if (!w) throw new Error('disk: sync without a staged write');
    this.staged = undefined;
    if (w.entries.length > 0) {
      const first = w.entries[0]!.index;
      if (first < 1 || first > this.ents.length + 1) {
        throw new Error(`disk: append at ${first} leaves a gap after last index ${this.ents.length}`);
      }
      this.ents = this.ents.slice(0, first - 1).concat(w.entries);
    }
    if (w.hardState) this.hardState = w.hardState;
    if (fsync) {
      this.durable = { hardState: this.hardState, ents: this.ents };
      this.syncs++;
    }
  }

  /** A crash: the staged write and whatever was not fsynced are lost. Returns whether anything was. */
  crash(): boolean {
    const lost = this.staged !== undefined || this.ents !== this.durable.ents || this.hardState !== this.durable.hardState;
    this.staged = undefined;
    this.ents = this.durable.ents;
    this.hardState = this.durable.hardState;
    return lost;
  }
}
