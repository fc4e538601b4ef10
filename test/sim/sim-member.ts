// One simulated member: a RawNode over a SimDisk, the KV state machine, and the driver's
// Ready loop (persist -> send -> apply -> advance; a leader sends while its own write is in
// flight, a follower only once it is durable). Crash, restart and pause act on this object.

import { decodeConfChange } from '../../packages/server/src/raft/confchange-codec';
import {
  EntryType,
  MessageType,
  ProposalDroppedError,
  StateType,
  type ConfChange,
  type ConfState,
  type Message,
  type NodeId,
  type RaftConfig,
  type RaftMutation,
  type RawNodeApi,
  type Ready,
  type Snapshot,
} from '../../packages/server/src/raft/types';
import type { EventQueue } from './event-queue';
import type { Invariants } from './invariants';
import { decodeCommand, KvStateMachine, type KvResult } from './kv-state-machine';
import type { Prng, TraceFn } from './prng';
import { SimDisk } from './sim-disk';

/** `bootstrapPeers`: first start of a new cluster's member (empty disk); absent on restart or join. */
export type RawNodeFactory = (config: RaftConfig, bootstrapPeers?: readonly NodeId[]) => RawNodeApi;

export interface MemberOptions {
  readonly electionTick: number;
  readonly heartbeatTick: number;
  readonly checkQuorum: boolean;
  readonly preVote: boolean;
  readonly fsyncMinMs: number;
  readonly fsyncMaxMs: number;
  readonly maxSizePerMsg: number;
  readonly maxInflightMsgs: number;
  /** Take a snapshot and compact the log every this many applied entries (0: never). */
  readonly snapshotEveryEntries: number;
  /** Entries kept behind a compaction for slow followers (etcd: SnapshotCatchUpEntries). */
  readonly catchUpEntries: number;
  readonly mutations?: ReadonlySet<RaftMutation>;
}

export interface MemberEnv {
  readonly queue: EventQueue;
  readonly prng: Prng;
  readonly invariants: Invariants;
  readonly createRawNode: RawNodeFactory;
  send(m: Message): void;
  onConfChange(member: SimMember, confState: ConfState, index: number): void;
  readonly trace: TraceFn;
}

interface PendingRead {
  readonly ctx: string;
  readonly key: string;
  index: number | undefined;
  readonly resolve: (value: string | null) => void;
}


export class SimMember {
  raw: RawNodeApi | undefined;
  readonly disk: SimDisk;
  sm = new KvStateMachine();
  applied = 0;
  /** The configuration as of `applied` (goes into local snapshots). */
  confState: ConfState;
  snapshotsTaken = 0;
  snapshotsInstalled = 0;
  paused = false;
  /** A Ready is being persisted: no new Ready until its fsync completes. */
  private writing = false;
  /** Inside handleReady/finishReady: drive() must wait (see drive). */
  private handling = false;
  /** Bumped on every crash so that callbacks scheduled before it do nothing. */
  private incarnation = 0;
  /** Work that arrived while paused (deliveries, a finished fsync), run on resume in order. */
  private held: (() => void)[] = [];
  private proposals = new Map<number, (r: KvResult) => void>();
  private reads: PendingRead[] = [];
  private readonly prng: Prng;

  constructor(
    readonly id: NodeId,
    bootConfState: ConfState,
    /** The founding members, bootstrapped when this member starts with an empty disk; empty for a joiner. */
    private readonly bootstrapPeers: readonly NodeId[],
    private readonly options: MemberOptions,
    private readonly env: MemberEnv,
  ) {
    this.disk = new SimDisk(bootConfState);
    this.confState = bootConfState;
    this.prng = env.prng.fork();
  }

  get alive(): boolean {
    return this.raw !== undefined;
  }

  start(): void {
    if (this.raw) throw new Error(`member ${this.id} already running`);
    // Rebuilt from the disk only: the newest durable snapshot, then raft re-delivers the log after it.
    const snap = this.disk.snapshot();
    this.sm = KvStateMachine.fromSnapshot(snap.data);
    this.applied = snap.metadata.index;
    this.confState = snap.metadata.confState;
    const prng = this.prng;
    const config: RaftConfig = {
      id: this.id,
      electionTick: this.options.electionTick,
      heartbeatTick: this.options.heartbeatTick,
      storage: this.disk,
      applied: this.applied,
      maxSizePerMsg: this.options.maxSizePerMsg,
      maxInflightMsgs: this.options.maxInflightMsgs,
      checkQuorum: this.options.checkQuorum,
      preVote: this.options.preVote,
      randomInt: (n) => prng.int(n),
      mutations: this.options.mutations,
    };
    const fresh = this.disk.lastIndex() === 0 && this.disk.durableHardState().term === 0;
    const bootstrap = fresh && this.bootstrapPeers.length > 0;
    this.raw = this.env.createRawNode(config, bootstrap ? this.bootstrapPeers : undefined);
    this.env.invariants.restart(this.id, this.disk);
    if (!bootstrap) this.env.invariants.onStart(this.id, this.raw.status(), this.disk);
  }

  crash(): { lostWrite: boolean } {
    this.incarnation++;
    this.raw = undefined;
    this.writing = false;
    this.handling = false;
    this.paused = false;
    this.held = [];
    this.proposals.clear();
    this.reads = [];
    return { lostWrite: this.disk.crash() };
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    const held = this.held;
    this.held = [];
    for (const work of held) {
      if (!this.alive || this.paused) {
        this.held.push(work);
        continue;
      }
      work();
    }
    this.drive();
  }

  /** Runs `work` now, or on resume if paused; never on a crashed member. */
  private whenRunning(work: () => void): void {
    if (!this.raw) return;
    if (this.paused) this.held.push(work);
    else work();
  }

  tick(): void {
    if (!this.raw || this.paused) return;
    this.raw.tick();
    this.drive();
  }

  deliver(m: Message): void {
    this.whenRunning(() => {
      if (m.type === MessageType.MsgApp || m.type === MessageType.MsgHeartbeat || m.type === MessageType.MsgSnap) {
        this.env.invariants.onDeliver(this.id, m, this.raw!.status().hardState.term);
      }
      this.raw!.step(m);
      this.drive();
    });
  }

  /** A client's write arriving at this member. `done(undefined)`: dropped (certainly not applied). */
  propose(id: number, data: Uint8Array, done: (r: KvResult | undefined) => void): void {
    this.whenRunning(() => {
      try {
        this.raw!.propose(data);
      } catch (err) {
        if (err instanceof ProposalDroppedError) {
          done(undefined);
          return;
        }
        throw err;
      }
      this.proposals.set(id, (r) => done(r));
      this.drive();
    });
  }

  /** A membership change proposed here (the simulation proposes at the leader). Throws ProposalDroppedError. */
  proposeConfChange(cc: ConfChange): void {
    if (!this.raw || this.paused) throw new ProposalDroppedError('member not running');
    this.raw.proposeConfChange(cc);
    this.drive();
  }

  /** A client's linearizable read: ReadIndex, then wait until applied >= the read index. */
  read(ctx: string, key: string, done: (value: string | null) => void): void {
    this.whenRunning(() => {
      this.reads.push({ ctx, key, index: undefined, resolve: done });
      this.raw!.readIndex(new TextEncoder().encode(ctx));
      this.drive();
    });
  }

  isLeader(): boolean {
    return this.raw !== undefined && !this.paused && this.raw.status().softState.raftState === StateType.Leader;
  }

  /** Take and handle Readys until there are none or a write is in flight. */
  drive(): void {
    // Not re-entrant: a callback run while a Ready is handled (a waiter proposing again) must not
    // take the next Ready before this one is advanced; the loop picks it up afterwards.
    if (this.handling) return;
    while (this.raw && !this.paused && !this.writing && this.raw.hasReady()) {
      this.handling = true;
      try {
        this.handleReady(this.raw.ready());
      } finally {
        this.handling = false;
      }
    }
  }

  private handleReady(rd: Ready): void {
    const raw = this.raw!;
    const status = raw.status();
    this.env.invariants.onReady(this.id, rd, status);
    const leader = status.softState.raftState === StateType.Leader;
    if (leader) this.sendAll(rd.messages);
    const needsDisk = rd.entries.length > 0 || rd.hardState !== undefined || rd.snapshot !== undefined;
    if (!needsDisk) {
      this.finishReady(rd, leader);
      return;
    }
    this.disk.stage({ hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot });
    this.writing = true;
    const incarnation = this.incarnation;
    this.env.queue.after(this.prng.range(this.options.fsyncMinMs, this.options.fsyncMaxMs), () => {
      if (incarnation !== this.incarnation) return; // crashed meanwhile: the write is lost
      this.whenRunning(() => {
        this.disk.complete(rd.mustSync);
        this.env.trace(1, Number(this.id), rd.entries.length, rd.hardState?.commit ?? -1);
        this.handling = true;
        try {
          this.finishReady(rd, leader);
        } finally {
          this.handling = false;
        }
        this.writing = false;
        this.drive();
      });
    });
  }

  private finishReady(rd: Ready, sentAlready: boolean): void {
    if (!sentAlready) this.sendAll(rd.messages);
    if (rd.snapshot) {
      this.sm = KvStateMachine.fromSnapshot(rd.snapshot.data);
      this.applied = rd.snapshot.metadata.index;
      this.confState = rd.snapshot.metadata.confState;
      this.snapshotsInstalled++;
      this.env.invariants.onSnapshotApplied(this.id, this.applied);
      this.env.onConfChange(this, this.confState, this.applied);
    }
    for (const e of rd.committedEntries) this.applyEntry(e);
    this.maybeCompact();
    for (const rs of rd.readStates) {
      const ctx = new TextDecoder().decode(rs.requestCtx);
      for (const r of this.reads) if (r.ctx === ctx && r.index === undefined) r.index = rs.index;
    }
    this.resolveReads();
    this.raw!.advance(rd);
  }

  private sendAll(messages: readonly Message[]): void {
    for (let m of messages) {
      if (m.type === MessageType.MsgSnap) m = { ...m, snapshot: this.mergedSnapshot() };
      this.env.invariants.onSend(this.id, m, this.disk);
      this.env.send(m);
    }
  }

  private applyEntry(e: Ready['committedEntries'][number]): void {
    const raw = this.raw!;
    this.env.invariants.onApply(this.id, e, raw.status().hardState.commit, this.disk);
    this.env.trace(2, Number(this.id), e.index, e.term);
    if (e.type === EntryType.ConfChange) {
      const cs = raw.applyConfChange(decodeConfChange(e.data));
      this.confState = cs;
      this.env.onConfChange(this, cs, e.index);
    } else {
      const cmd = decodeCommand(e.data);
      if (cmd) {
        const result = this.sm.apply(cmd);
        const waiter = this.proposals.get(cmd.id);
        if (waiter && result) {
          this.proposals.delete(cmd.id);
          waiter(result);
        }
      }
    }
    this.applied = e.index;
  }

  private maybeCompact(): void {
    const every = this.options.snapshotEveryEntries;
    const snapIndex = this.disk.snapshot().metadata.index;
    if (every <= 0 || this.applied - snapIndex < every || this.applied > this.disk.durableLastIndex()) return;
    const compactTo = Math.max(this.disk.firstIndex() - 1, this.applied - this.options.catchUpEntries);
    this.disk.snapshotAndCompact(this.applied, this.sm.toSnapshot(), this.confState, compactTo);
    this.snapshotsTaken++;
  }

  /**
   * Like etcd's createMergedSnapshotMessage: a snapshot leaving this member carries its state and
   * configuration as of what it has applied now, not the (possibly older) stored snapshot, so a
   * member added after the last compaction can install it.
   */
  private mergedSnapshot(): Snapshot {
    return {
      data: this.sm.toSnapshot(),
      metadata: { index: this.applied, term: this.disk.term(this.applied), confState: this.confState },
    };
  }

  /** The transport tells the leader how sending a snapshot went. */
  reportSnapshot(to: NodeId, status: 'finish' | 'failure'): void {
    this.whenRunning(() => {
      this.raw!.reportSnapshot(to, status);
      this.drive();
    });
  }

  private resolveReads(): void {
    if (this.reads.length === 0) return;
    const left: PendingRead[] = [];
    for (const r of this.reads) {
      if (r.index !== undefined && r.index <= this.applied) r.resolve(this.sm.get(r.key));
      else left.push(r);
    }
    this.reads = left;
  }
}
