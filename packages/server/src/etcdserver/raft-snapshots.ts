// Local raft snapshots (etcd's triggerSnapshot + purge): every --snapshot-count applied entries,
// sync the backend, write the snap file and its WAL record, let the WAL release older segments,
// compact the in-memory raft log (keeping SNAPSHOT_CATCH_UP_ENTRIES), purge old files.
// Sending snapshots to slow followers needs the peer transport (a later issue).

import type { Logger } from 'pino';
import type { Backend } from '../backend/backend';
import { SNAPSHOT_CATCH_UP_ENTRIES } from '../config/limits';
import type { MemoryStorage } from '../raft/memory-storage';
import type { ConfState } from '../raft/types';
import type { Snapshotter } from '../snap';
import type { Wal } from '../wal';
import { assert } from './assert';

export interface RaftSnapshotsDeps {
  readonly backend: Backend;
  readonly wal: Wal;
  readonly snapshotter: Snapshotter;
  readonly raftStorage: MemoryStorage;
  readonly logger: Logger;
  readonly snapshotCount: number;
  readonly maxWals: number;
  readonly maxSnapshots: number;
}

export class RaftSnapshots {
  private inProgress = false;

  constructor(
    private readonly deps: RaftSnapshotsDeps,
    private lastIndex: number,
  ) {
    assert(deps.snapshotCount > 0, 'snapshot count is positive');
  }

  /** Index of the newest snapshot taken or loaded (0 = none). */
  get index(): number {
    return this.lastIndex;
  }

  /** A snapshot received from the leader was installed: count the next interval from it. */
  restoredTo(index: number): void {
    if (index > this.lastIndex) this.lastIndex = index;
  }

  /** Called by the apply loop after each batch, with the state-machine data to put in the snap. */
  async maybeSnapshot(appliedIndex: number, confState: ConfState, data: () => Uint8Array): Promise<void> {
    if (appliedIndex - this.lastIndex <= this.deps.snapshotCount || this.inProgress) return;
    const { backend, wal, snapshotter, raftStorage, logger } = this.deps;
    this.inProgress = true;
    try {
      // The backend must durably hold everything up to the snapshot before the WAL lets go of it.
      await backend.sync();
      assert(backend.consistentIndex() >= appliedIndex, 'the backend holds every entry the snapshot covers');
      const snap = raftStorage.createSnapshot(appliedIndex, confState, data());
      await snapshotter.save(snap);
      await wal.saveSnapshot({ index: snap.metadata.index, term: snap.metadata.term });
      wal.releaseLockTo(snap.metadata.index);
      // Keep SNAPSHOT_CATCH_UP_ENTRIES for slow followers; an earlier compaction may already cover it.
      const compactIndex = appliedIndex > SNAPSHOT_CATCH_UP_ENTRIES ? appliedIndex - SNAPSHOT_CATCH_UP_ENTRIES : 1;
      if (compactIndex >= raftStorage.firstIndex()) raftStorage.compact(compactIndex);
      this.lastIndex = appliedIndex;
      const purgedWals = this.deps.maxWals > 0 ? await wal.purge(this.deps.maxWals) : [];
      const purgedSnaps = this.deps.maxSnapshots > 0 ? await snapshotter.purge(this.deps.maxSnapshots) : [];
      logger.info({ snapshotIndex: appliedIndex, compactIndex, purgedWals, purgedSnaps }, 'saved snapshot');
    } finally {
      this.inProgress = false;
    }
  }
}
