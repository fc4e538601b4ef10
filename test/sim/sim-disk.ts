// A member's simulated disk: the raft Storage as of the last completed fsync. A write is staged
// (`stage`) when a Ready is handed to the disk and becomes durable only when its fsync completes
// (`sync`); a crash in between discards it. A restarted member is rebuilt from this alone.

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
  /** ents[i] has index i + 1 (no compaction in the simulation). */
  private ents: Entry[] = [];
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
    return this.hardState;
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

  /** The fsync completes: the staged write becomes durable. */
  sync(): void {
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
    this.syncs++;
  }

  /** A crash: whatever was staged but not synced is lost. */
  loseStaged(): boolean {
    const lost = this.staged !== undefined;
    this.staged = undefined;
    return lost;
  }
}
