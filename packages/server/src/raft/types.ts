// The contract of the pure raft core: values in, values out.
//
// Nothing in raft/ may import node:*, start timers, use Promises, read Date or call Math.random.
// Term and index are JS numbers (asserted safe integers: 2^53 entries is far beyond any log);
// member ids are bigint (etcd's uint64 ids). The wire codec (raftpb in @tsetcd/api) converts.

export type NodeId = bigint;

/** 0 = no node. */
export const NONE: NodeId = 0n;

export enum EntryType {
  Normal = 0,
  ConfChange = 1,
}

export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  /** For Normal: the application's proposal bytes (empty = the leader's no-op). For ConfChange: an encoded ConfChange. */
  readonly data: Uint8Array;
}

export interface HardState {
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
}

export const EMPTY_HARD_STATE: HardState = Object.freeze({ term: 0, vote: NONE, commit: 0 });

export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

export interface SnapshotMetadata {
  readonly confState: ConfState;
  readonly index: number;
  readonly term: number;
}

export interface Snapshot {
  /** The application's state image (opaque to raft). */
  readonly data: Uint8Array;
  readonly metadata: SnapshotMetadata;
}

export enum ConfChangeType {
  AddNode = 0,
  RemoveNode = 1,
  UpdateNode = 2,
  AddLearnerNode = 3,
}

export interface ConfChange {
  readonly id: bigint;
  readonly type: ConfChangeType;
  readonly nodeId: NodeId;
  /** Application context (etcd: the JSON of the member being added). */
  readonly context: Uint8Array;
}

// etcd raftpb.MessageType numbering, kept so transcripts and the peer wire read like etcd's.
export enum MessageType {
  MsgHup = 0,
  MsgBeat = 1,
  MsgProp = 2,
  MsgApp = 3,
  MsgAppResp = 4,
  MsgVote = 5,
  MsgVoteResp = 6,
  MsgSnap = 7,
  MsgHeartbeat = 8,
  MsgHeartbeatResp = 9,
  MsgUnreachable = 10,
  MsgSnapStatus = 11,
  MsgCheckQuorum = 12,
  MsgTransferLeader = 13,
  MsgTimeoutNow = 14,
  MsgReadIndex = 15,
  MsgReadIndexResp = 16,
  MsgPreVote = 17,
  MsgPreVoteResp = 18,
}

export interface Message {
  readonly type: MessageType;
  readonly to: NodeId;
  readonly from: NodeId;
  readonly term: number;
  /** Term of the entry at `index` (MsgApp: of the entry preceding `entries`). */
  readonly logTerm: number;
  readonly index: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
  readonly snapshot?: Snapshot;
  readonly reject: boolean;
  readonly rejectHint: number;
  /** ReadIndex request context / heartbeat context. */
  readonly context: Uint8Array;
}

export enum StateType {
  Follower = 0,
  Candidate = 1,
  Leader = 2,
  PreCandidate = 3,
}

export interface SoftState {
  readonly lead: NodeId;
  readonly raftState: StateType;
}

export interface ReadState {
  readonly index: number;
  readonly requestCtx: Uint8Array;
}

/**
 * What the driver must do, in this order (habit: persist before you speak):
 *  1. if `snapshot` is set, persist it (snap file + backend) before anything else;
 *  2. append `entries` and `hardState` to the WAL and fsync when `mustSync`;
 *  3. send `messages` (a leader may send in parallel with its own write; a follower only after 2);
 *  4. apply `committedEntries` in order (never beyond what is durable: see below);
 *  5. call `advance(ready)`.
 * `committedEntries` only contains entries whose index is <= an index already persisted locally
 * or persisted in step 2 of this same Ready, so applying after step 2 is always safe.
 */
export interface Ready {
  readonly softState?: SoftState;
  readonly hardState?: HardState;
  readonly readStates: readonly ReadState[];
  readonly entries: readonly Entry[];
  readonly snapshot?: Snapshot;
  readonly committedEntries: readonly Entry[];
  readonly messages: readonly Message[];
  readonly mustSync: boolean;
}

/** Deliberately broken behaviours for the simulation's mutation self-check. Never set in production. */
export type RaftMutation =
  | 'commit-prior-term-by-count' // count replicas of an earlier term's entry to commit it (Figure 8)
  | 'vote-without-log-check' // grant votes without the candidate-log-up-to-date check
  | 'ack-append-before-persist' // a follower acks MsgApp before the entries are in a Ready it persisted
  | 'forget-vote-on-restart' // the restarted node does not restore HardState.vote
  | 'read-index-without-quorum' // a leader answers ReadIndex without the heartbeat quorum round
  | 'apply-beyond-commit' // committedEntries include entries past the commit index
  | 'no-term-check-on-append'; // a follower accepts MsgApp from a stale-term leader

export interface RaftConfig {
  readonly id: NodeId;
  /** Ticks without hearing from a leader before a follower campaigns (randomized in [et, 2*et)). */
  readonly electionTick: number;
  readonly heartbeatTick: number;
  readonly storage: Storage;
  /** Index of the last entry the application has applied (restart). */
  readonly applied?: number;
  readonly maxSizePerMsg: number;
  readonly maxCommittedSizePerReady?: number;
  readonly maxUncommittedEntriesSize?: number;
  readonly maxInflightMsgs: number;
  readonly maxInflightBytes?: number;
  readonly checkQuorum?: boolean;
  readonly preVote?: boolean;
  /** Injected chance: returns an integer in [0, n). The simulation seeds it. */
  readonly randomInt: (n: number) => number;
  /** Injected logger; the pure core never writes to stdout itself. */
  readonly logger?: RaftLogger;
  /** Test-only: deliberately broken behaviours, see RaftMutation. */
  readonly mutations?: ReadonlySet<RaftMutation>;
}

export interface RaftLogger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
}

/**
 * Stable storage as the core reads it (what the driver has persisted). etcd's MemoryStorage is
 * the reference; the driver keeps one in memory mirroring the WAL.
 */
export interface Storage {
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries in [lo, hi), at most maxSizeBytes (at least one entry). Throws ErrCompacted / ErrUnavailable. */
  entries(lo: number, hi: number, maxSizeBytes: number): Entry[];
  term(index: number): number;
  lastIndex(): number;
  firstIndex(): number;
  snapshot(): Snapshot;
}

export class RaftStorageError extends Error {
  constructor(readonly code: 'compacted' | 'unavailable' | 'snap-out-of-date' | 'snapshot-temporarily-unavailable') {
    super(`raft storage: ${code}`);
  }
}

export interface ProgressStatus {
  readonly match: number;
  readonly next: number;
  readonly state: 'probe' | 'replicate' | 'snapshot';
  readonly recentActive: boolean;
  readonly isLearner: boolean;
}

export interface Status {
  readonly id: NodeId;
  readonly hardState: HardState;
  readonly softState: SoftState;
  readonly applied: number;
  readonly leadTransferee: NodeId;
  /** Only on the leader. */
  readonly progress?: ReadonlyMap<NodeId, ProgressStatus>;
}

/** The synchronous API of the core (etcd's RawNode). */
export interface RawNodeApi {
  tick(): void;
  campaign(): void;
  propose(data: Uint8Array): void;
  proposeConfChange(cc: ConfChange): void;
  /** Returns the new ConfState after applying a committed ConfChange entry. */
  applyConfChange(cc: ConfChange): ConfState;
  step(m: Message): void;
  hasReady(): boolean;
  ready(): Ready;
  advance(rd: Ready): void;
  readIndex(requestCtx: Uint8Array): void;
  transferLeader(transferee: NodeId): void;
  reportUnreachable(id: NodeId): void;
  reportSnapshot(id: NodeId, status: 'finish' | 'failure'): void;
  status(): Status;
}

/** Thrown by propose() when the proposal is dropped (no leader, transfer in progress, too large). */
export class ProposalDroppedError extends Error {
  constructor(reason: string) {
    super(`raft proposal dropped: ${reason}`);
  }
}
