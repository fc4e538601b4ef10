// The member's raft driver: one async loop that turns each Ready into disk writes, sends and
// applies, in the order the contract in raft/types.ts prescribes:
//   snapshot -> WAL (one fsync per Ready) -> in-memory storage -> send -> apply -> advance
// (the apply of normal entries overlaps the next Ready's fsync, as etcd's apply goroutine does).
// While a Ready's fsync is in flight, new proposals keep landing in raft's unstable log and are
// written together by the next Ready (group commit).

import { EntryType, StateType, type Entry, type HardState, type Message, type RawNodeApi, type ReadState, type Ready, type Snapshot, type SoftState } from '../raft/types';
import { assert } from './assert';

/** Where a Ready's durable parts go (WAL + snap files). */
export interface RaftPersister {
  /** Snap file + WAL snapshot record, synced. Called before `save` of the same Ready. */
  saveSnapshot(snapshot: Snapshot): Promise<void>;
  /** Appends entries and the hard state; resolves after the fsync (when `mustSync`). */
  save(hardState: HardState | undefined, entries: readonly Entry[], mustSync: boolean): Promise<void>;
}

/** The in-memory raft log the core reads (raft's MemoryStorage). */
export interface RaftLogStorage {
  append(entries: readonly Entry[]): void;
  applySnapshot(snapshot: Snapshot): void;
  setHardState(hardState: HardState): void;
}

export interface RaftDriverHooks {
  /** Leader / role changed. */
  onSoftState(softState: SoftState): void;
  onHardState(hardState: HardState): void;
  onReadStates(readStates: readonly ReadState[]): void;
  /** Applies durable committed entries in order (and an incoming snapshot first). */
  apply(snapshot: Snapshot | undefined, committed: readonly Entry[]): Promise<void>;
  /** Sends messages to peers (a single member never has any). */
  send(messages: readonly Message[]): void;
  /** The loop died: the member must stop (a disk error is fatal, like etcd's Fatal). */
  onFatal(error: unknown): void;
}

export interface RaftDriverOptions {
  readonly node: RawNodeApi;
  readonly storage: RaftLogStorage;
  readonly persister: RaftPersister;
  readonly hooks: RaftDriverHooks;
  readonly tickIntervalMs: number;
  /** Timer functions (tests inject fakes). */
  readonly setInterval?: (fn: () => void, ms: number) => unknown;
  readonly clearInterval?: (handle: unknown) => void;
}

export class RaftDriver {
  private readonly node: RawNodeApi;
  private readonly opts: RaftDriverOptions;
  private tickHandle: unknown;
  private wake: (() => void) | undefined;
  private stopped = false;
  private failed = false;
  private loop: Promise<void> | undefined;
  private committedIndex = 0;
  private appliedIndex = 0;
  /** Last index handed to the apply hook (>= appliedIndex while an apply is in flight). */
  private handedOutIndex = 0;
  /** Index of the last entry durable in the WAL (or covered by a durable snapshot). */
  private persistedIndex = 0;
  private applying: Promise<void> = Promise.resolve();
  private readyCount = 0;
  /** Raft role as of the last SoftState: a leader's sends may overlap its own WAL write. */
  private isLeader = false;
  private syncCount = 0;
  private entriesPersisted = 0;

  /**
   * `applied`: where raft starts handing out committed entries; `committed`: the restored
   * HardState's commit; `persisted`: the last index already in the WAL.
   */
  constructor(opts: RaftDriverOptions, start: { applied: number; committed: number; persisted: number }) {
    assert(opts.tickIntervalMs > 0, 'tick interval must be positive');
    assert(Number.isSafeInteger(start.applied) && start.applied >= 0, 'applied index must be a safe integer');
    this.opts = opts;
    this.node = opts.node;
    this.appliedIndex = start.applied;
    this.handedOutIndex = start.applied;
    this.persistedIndex = start.persisted;
    this.committedIndex = Math.max(start.committed, start.applied);
  }

  get applied(): number {
    return this.appliedIndex;
  }

  get committed(): number {
    return this.committedIndex;
  }

  /** Number of Readies processed and entries written: for metrics and group-commit checks. */
  get stats(): { readyCount: number; syncCount: number; entriesPersisted: number } {
    return { readyCount: this.readyCount, syncCount: this.syncCount, entriesPersisted: this.entriesPersisted };
  }

  start(): void {
    assert(this.loop === undefined, 'driver started twice');
    const setIntervalFn = this.opts.setInterval ?? ((fn, ms) => setInterval(fn, ms));
    this.tickHandle = setIntervalFn(() => {
      if (this.stopped) return;
      this.node.tick();
      this.notify();
    }, this.opts.tickIntervalMs);
    this.loop = this.run();
  }

  /** Call after anything that may have produced a Ready (propose, readIndex, step, campaign). */
  notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Stops ticking and waits for the Ready in progress to finish. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const clearIntervalFn = this.opts.clearInterval ?? ((h) => clearInterval(h as NodeJS.Timeout));
    if (this.tickHandle !== undefined) clearIntervalFn(this.tickHandle);
    this.notify();
    await this.loop;
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopped) {
        if (!this.node.hasReady()) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
          continue;
        }
        await this.handleReady(this.node.ready());
      }
      await this.applying;
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.stopped = true;
    const clearIntervalFn = this.opts.clearInterval ?? ((h) => clearInterval(h as NodeJS.Timeout));
    if (this.tickHandle !== undefined) clearIntervalFn(this.tickHandle);
    this.notify();
    this.opts.hooks.onFatal(err);
  }

  private async handleReady(rd: Ready): Promise<void> {
    const { hooks, persister, storage } = this.opts;
    this.readyCount++;
    if (rd.softState !== undefined) {
      this.isLeader = rd.softState.raftState === StateType.Leader;
      hooks.onSoftState(rd.softState);
    }
    // A leader sends in parallel with its own write (etcd does too): its entries count towards
    // the commit quorum only after advance(), and it never sends votes. Everyone else sends
    // after the write, so acks and votes are never ahead of the disk.
    const sendEarly = this.isLeader && rd.messages.length > 0;
    if (sendEarly) hooks.send(rd.messages);
    if (rd.readStates.length > 0) hooks.onReadStates(rd.readStates);
    if (rd.hardState !== undefined) {
      assert(rd.hardState.commit >= this.committedIndex, `commit went backwards ${this.committedIndex} -> ${rd.hardState.commit}`);
      this.committedIndex = rd.hardState.commit;
    }

    // Committed entries that earlier Readies already made durable are applied while this Ready's
    // fsync is in flight (etcd's leader overlap); the rest wait for step 2 below.
    // Deferred only behind a durable write of this Ready (so its fsync is queued first); with
    // nothing to sync (a commit-only HardState is a small synchronous write) it starts at once.
    const early = this.canApplyBeforeSave(rd);
    if (early) await this.startApply(rd, rd.mustSync || rd.snapshot !== undefined);

    // 1. snapshot first, so a crash never leaves WAL entries that need a snapshot we lost.
    if (rd.snapshot !== undefined) await persister.saveSnapshot(rd.snapshot);
    // 2. entries + hard state, one fsync for the whole Ready.
    if (rd.hardState !== undefined || rd.entries.length > 0) {
      await persister.save(rd.hardState, rd.entries, rd.mustSync);
      this.entriesPersisted += rd.entries.length;
      if (rd.mustSync) this.syncCount++;
      const last = rd.entries[rd.entries.length - 1];
      if (last !== undefined) this.persistedIndex = last.index;
    }
    // 3. the in-memory log the core reads now mirrors the WAL.
    if (rd.snapshot !== undefined) {
      storage.applySnapshot(rd.snapshot);
      this.persistedIndex = Math.max(this.persistedIndex, rd.snapshot.metadata.index);
    }
    if (rd.hardState !== undefined) {
      storage.setHardState(rd.hardState);
      hooks.onHardState(rd.hardState);
    }
    if (rd.entries.length > 0) storage.append(rd.entries);
    // 4. a follower's or candidate's messages only after its own write.
    if (!sendEarly && rd.messages.length > 0) hooks.send(rd.messages);
    // 5. apply what is committed and now durable; a snapshot or a conf change is applied before
    //    advancing, so raft's configuration never runs ahead of the application.
    if (!early && (rd.snapshot !== undefined || rd.committedEntries.length > 0)) {
      const mustWait = rd.snapshot !== undefined || rd.committedEntries.some((e) => e.type === EntryType.ConfChange);
      // Normal entries: apply after the next Ready's WAL write was issued, so it overlaps that
      // fsync (etcd's apply goroutine); raft may advance meanwhile, as it does in etcd.
      await this.startApply(rd, !mustWait);
      if (mustWait) await this.applying;
    }
    this.node.advance(rd);
  }

  /** Only normal entries at or below what is already on disk (never this Ready's own entries). */
  private canApplyBeforeSave(rd: Ready): boolean {
    const last = rd.committedEntries[rd.committedEntries.length - 1];
    if (rd.snapshot !== undefined || last === undefined) return false;
    if (last.index > this.persistedIndex) return false;
    return rd.committedEntries.every((e) => e.type === EntryType.Normal);
  }

  /** Queues the Ready's apply behind the previous one (at most one apply in flight). */
  private async startApply(rd: Ready, deferred: boolean): Promise<void> {
    this.checkApplyOrder(rd);
    await this.applying;
    const run = (): Promise<void> => this.applyInOrder(rd.snapshot, rd.committedEntries);
    // Deferred: let this Ready's WAL write reach the disk queue before the apply's CPU work.
    this.applying = deferred ? new Promise<void>((resolve) => setImmediate(() => void run().then(resolve))) : run();
  }

  /** Never rejects: a failed apply stops the driver and reports the error as fatal. */
  private async applyInOrder(snapshot: Snapshot | undefined, committed: readonly Entry[]): Promise<void> {
    if (this.failed) return;
    try {
      await this.opts.hooks.apply(snapshot, committed);
    } catch (err) {
      this.fail(err);
      return;
    }
    const last = committed[committed.length - 1];
    if (last !== undefined) this.appliedIndex = last.index;
    else if (snapshot !== undefined) this.appliedIndex = Math.max(this.appliedIndex, snapshot.metadata.index);
    assert(this.appliedIndex <= this.committedIndex, `applied ${this.appliedIndex} > committed ${this.committedIndex}`);
  }

  /** Committed entries continue exactly after the last ones handed to apply, never past commit. */
  private checkApplyOrder(rd: Ready): void {
    let expected = this.handedOutIndex + 1;
    if (rd.snapshot !== undefined && rd.snapshot.metadata.index >= this.handedOutIndex) expected = rd.snapshot.metadata.index + 1;
    for (const e of rd.committedEntries) {
      assert(e.index === expected, `committed entry ${e.index} out of order (expected ${expected})`);
      assert(e.index <= this.committedIndex, `committed entry ${e.index} beyond commit ${this.committedIndex}`);
      expected++;
    }
    this.handedOutIndex = expected - 1;
  }
}
