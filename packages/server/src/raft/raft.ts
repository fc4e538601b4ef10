// The raft state machine: roles swap the `tickFn` and `stepFn` fields; everything it wants done is
// appended to `msgs` (or held in `pendingAcks` until the entries they acknowledge are persisted).
import { assert } from './assert';
import { applySimpleChange, restoreConfState } from './confchange/changer';
import { hex } from './describe';
import { payloadsSizeBytes } from './entry-size';
import { newMessage, voteRespMsgType, type MutableMessage } from './message';
import { RaftLog, NO_LIMIT } from './raft-log';
import { ReadOnly, readIndexCtx } from './read-only';
import { ProgressTracker } from './tracker/progress-tracker';
import { stepLeader } from './step-leader';
import { handleAppendEntries, stepCandidate, stepFollower } from './step-follower';
import {
  EntryType,
  MessageType,
  NONE,
  RaftStorageError,
  StateType,
  type ConfChange,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type NodeId,
  type RaftConfig,
  type RaftLogger,
  type RaftMutation,
  type ReadState,
  type Snapshot,
  type SoftState,
} from './types';

export type CampaignType = 'pre-election' | 'election' | 'transfer';

const CAMPAIGN_TRANSFER_CTX = new TextEncoder().encode('CampaignTransfer');
const EMPTY_BYTES = new Uint8Array(0);

const NOOP_LOGGER: RaftLogger = { debug() {}, info() {}, warn() {} };

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface PendingAck {
  readonly msg: Message;
  /** The acked index and the term of our entry there when the ack was made. */
  readonly index: number;
  readonly term: number;
}

/** Checks a RaftConfig's limits (etcd's Config.validate). */
export function validateConfig(c: RaftConfig): void {
  if (c.id === NONE) throw new Error('cannot use none as id');
  if (!(c.heartbeatTick > 0)) throw new Error('heartbeat tick must be greater than 0');
  if (!(c.electionTick > c.heartbeatTick)) throw new Error('election tick must be greater than heartbeat tick');
  if (!(c.maxInflightMsgs > 0)) throw new Error('max inflight messages must be greater than 0');
  if (!(c.maxSizePerMsg >= 0)) throw new Error('max size per msg must be >= 0');
  if ((c.maxInflightBytes ?? 0) !== 0 && (c.maxInflightBytes ?? 0) < c.maxSizePerMsg) {
    throw new Error('max inflight bytes must be >= max message size');
  }
}

export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeId = NONE;
  readStates: ReadState[] = [];
  readonly raftLog: RaftLog;
  readonly maxMsgSizeBytes: number;
  readonly maxUncommittedSizeBytes: number;
  readonly prs: ProgressTracker;
  state: StateType = StateType.Follower;
  isLearner = false;
  msgs: Message[] = [];
  /** Follower acks of appended entries, released once those entries are persisted (see advance). */
  pendingAcks: PendingAck[] = [];
  /** Mutation no-term-check-on-append: the term replies are stamped with while handling a stale append. */
  private staleReplyTerm = 0;
  /** Mutation ack-append-before-persist: an ack went out for entries not yet synced. */
  ackedBeforePersist = false;
  lead: NodeId = NONE;
  leadTransferee: NodeId = NONE;
  pendingConfIndex = 0;
  uncommittedSizeBytes = 0;
  readOnly = new ReadOnly();
  pendingReadIndexMessages: Message[] = [];
  electionElapsed = 0;
  heartbeatElapsed = 0;
  readonly checkQuorum: boolean;
  readonly preVote: boolean;
  readonly heartbeatTimeout: number;
  readonly electionTimeout: number;
  randomizedElectionTimeout = 0;
  readonly logger: RaftLogger;
  private readonly mutations: ReadonlySet<RaftMutation>;
  private readonly randomInt: (n: number) => number;
  private tickFn: () => void = () => this.tickElection();
  private stepFn: (m: Message) => void = (m) => stepFollower(this, m);

  constructor(c: RaftConfig) {
    validateConfig(c);
    this.id = c.id;
    this.mutations = c.mutations ?? new Set();
    this.logger = c.logger ?? NOOP_LOGGER;
    this.randomInt = c.randomInt;
    const maxCommitted = c.maxCommittedSizePerReady && c.maxCommittedSizePerReady > 0 ? c.maxCommittedSizePerReady : c.maxSizePerMsg;
    this.raftLog = new RaftLog(c.storage, maxCommitted === 0 ? 1 : maxCommitted, this.mutations.has('apply-beyond-commit'));
    this.maxMsgSizeBytes = c.maxSizePerMsg;
    this.maxUncommittedSizeBytes = c.maxUncommittedEntriesSize && c.maxUncommittedEntriesSize > 0 ? c.maxUncommittedEntriesSize : NO_LIMIT;
    this.prs = new ProgressTracker(c.maxInflightMsgs, c.maxInflightBytes ?? 0);
    this.electionTimeout = c.electionTick;
    this.heartbeatTimeout = c.heartbeatTick;
    this.checkQuorum = c.checkQuorum ?? false;
    this.preVote = c.preVote ?? false;

    const { hardState, confState } = c.storage.initialState();
    restoreConfState(this.prs, confState, this.raftLog.lastIndex());
    this.logger.info(`${hex(this.id)} switched to configuration ${this.prs.describeConfig()}`);
    this.isLearner = this.prs.progress.get(this.id)?.isLearner ?? false;
    if (hardState.term !== 0 || hardState.vote !== NONE || hardState.commit !== 0) this.loadState(hardState);
    if (c.applied !== undefined && c.applied > 0) this.raftLog.appliedTo(c.applied);
    this.becomeFollower(this.term, NONE);
    this.logger.info(
      `newRaft ${hex(this.id)} [peers: [${this.prs.voterIds().map(hex).join(',')}], term: ${this.term}, commit: ${this.raftLog.committed}, applied: ${this.raftLog.applied}, lastindex: ${this.raftLog.lastIndex()}, lastterm: ${this.raftLog.lastTerm()}]`,
    );
  }

  has(m: RaftMutation): boolean {
    return this.mutations.has(m);
  }

  hasLeader(): boolean {
    return this.lead !== NONE;
  }

  softState(): SoftState {
    return { lead: this.lead, raftState: this.state };
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.raftLog.committed };
  }

  private loadState(hs: HardState): void {
    const last = this.raftLog.lastIndex();
    assert(hs.commit >= this.raftLog.committed && hs.commit <= last, () => `${hex(this.id)} state.commit ${hs.commit} is out of range [${this.raftLog.committed}, ${last}]`);
    this.raftLog.committed = hs.commit;
    this.term = hs.term;
    this.vote = this.has('forget-vote-on-restart') ? NONE : hs.vote;
  }

  // ---- sending -------------------------------------------------------------------------------

  /** Queues a message; stamps our term except on proposals and read requests being forwarded. */
  send(m: MutableMessage): void {
    m.from = this.id;
    const t = m.type;
    if (t === MessageType.MsgVote || t === MessageType.MsgVoteResp || t === MessageType.MsgPreVote || t === MessageType.MsgPreVoteResp) {
      assert(m.term !== 0, () => `term should be set when sending ${MessageType[t]}`);
    } else {
      assert(m.term === 0, () => `term should not be set when sending ${MessageType[t]} (was ${m.term})`);
      if (t !== MessageType.MsgProp && t !== MessageType.MsgReadIndex) m.term = this.staleReplyTerm !== 0 ? this.staleReplyTerm : this.term;
    }
    this.msgs.push(m);
  }

  sendAppend(to: NodeId): void {
    this.maybeSendAppend(to, true);
  }

  /** Sends a MsgApp (or a MsgSnap when the entries are compacted); false if nothing was sent. */
  maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.prs.progress.get(to);
    if (!pr || pr.isPaused()) return false;
    let term = 0;
    let ents: Entry[] = [];
    let needSnapshot = false;
    try {
      term = this.raftLog.term(pr.next - 1);
      ents = this.raftLog.entries(pr.next, this.maxMsgSizeBytes);
    } catch (e) {
      if (!(e instanceof RaftStorageError)) throw e;
      needSnapshot = true;
    }
    if (!needSnapshot && ents.length === 0 && !sendIfEmpty) return false;

    if (needSnapshot) {
      if (!pr.recentActive) {
        this.logger.debug(`ignore sending snapshot to ${hex(to)} since it is not recently active`);
        return false;
      }
      let snapshot;
      try {
        snapshot = this.raftLog.snapshot();
      } catch (e) {
        if (e instanceof RaftStorageError && e.code === 'snapshot-temporarily-unavailable') {
          this.logger.debug(`${hex(this.id)} failed to send snapshot to ${hex(to)} because snapshot is temporarily unavailable`);
          return false;
        }
        throw e;
      }
      const sindex = snapshot.metadata.index;
      assert(sindex !== 0, 'need non-empty snapshot');
      this.logger.debug(
        `${hex(this.id)} [firstindex: ${this.raftLog.firstIndex()}, commit: ${this.raftLog.committed}] sent snapshot[index: ${sindex}, term: ${snapshot.metadata.term}] to ${hex(to)} [${pr}]`,
      );
      pr.becomeSnapshot(sindex);
      this.logger.debug(`${hex(this.id)} paused sending replication messages to ${hex(to)} [${pr}]`);
      this.send(newMessage({ type: MessageType.MsgSnap, to, snapshot }));
      return true;
    }

    const m = newMessage({ type: MessageType.MsgApp, to, index: pr.next - 1, logTerm: term, entries: ents, commit: this.raftLog.committed });
    if (ents.length > 0) {
      switch (pr.state) {
        case 'replicate': {
          const last = ents[ents.length - 1]!.index;
          pr.optimisticUpdate(last);
          pr.inflights.add(last, payloadsSizeBytes(ents));
          break;
        }
        case 'probe':
          pr.probeSent = true;
          break;
        default:
          assert(false, () => `${hex(this.id)} is sending append in unhandled state ${pr.state}`);
      }
    }
    this.send(m);
    return true;
  }

  sendHeartbeat(to: NodeId, ctx: Uint8Array): void {
    const pr = this.prs.progress.get(to)!;
    // Never tell a follower to commit past what it is known to have.
    const commit = Math.min(pr.match, this.raftLog.committed);
    this.send(newMessage({ type: MessageType.MsgHeartbeat, to, commit, context: ctx }));
  }

  bcastAppend(): void {
    this.prs.visit((id) => {
      if (id !== this.id) this.sendAppend(id);
    });
  }

  bcastHeartbeat(): void {
    this.bcastHeartbeatWithCtx(this.readOnly.lastPendingRequestCtx() ?? EMPTY_BYTES);
  }

  bcastHeartbeatWithCtx(ctx: Uint8Array): void {
    this.prs.visit((id) => {
      if (id !== this.id) this.sendHeartbeat(id, ctx);
    });
  }

  /** Follower: acknowledge entries up to `index`, but only once they are durable (persist before you speak). */
  ackAppend(to: NodeId, index: number): void {
    const msg = newMessage({ type: MessageType.MsgAppResp, to, index });
    if (this.has('ack-append-before-persist')) {
      if (index > this.raftLog.stableLastIndex()) this.ackedBeforePersist = true;
      this.send(msg);
      return;
    }
    if (index <= this.raftLog.stableLastIndex()) {
      this.send(msg);
      return;
    }
    msg.from = this.id;
    msg.term = this.staleReplyTerm !== 0 ? this.staleReplyTerm : this.term;
    this.pendingAcks.push({ msg, index, term: this.raftLog.zeroTermOnErrCompacted(() => this.raftLog.term(index)) });
  }

  /** After a Ready was persisted: release acks whose entries are now stable, drop those that were overwritten. */
  releasePendingAcks(): void {
    if (this.pendingAcks.length === 0) return;
    const stable = this.raftLog.stableLastIndex();
    const keep: PendingAck[] = [];
    for (const a of this.pendingAcks) {
      const t = this.raftLog.zeroTermOnErrCompacted(() => this.raftLog.term(a.index));
      if (t !== a.term) continue; // the acked entry was replaced: the ack would lie
      if (a.index <= stable) this.msgs.push(a.msg);
      else keep.push(a);
    }
    this.pendingAcks = keep;
  }

  // ---- commit --------------------------------------------------------------------------------

  maybeCommit(): boolean {
    const mci = this.prs.committed();
    if (!Number.isFinite(mci)) return false;
    return this.raftLog.maybeCommit(mci, this.term, this.has('commit-prior-term-by-count'));
  }

  /** Leader: our own entries count towards the quorum once they are persisted. */
  selfAck(): void {
    if (this.state !== StateType.Leader) return;
    const pr = this.prs.progress.get(this.id);
    const stable = this.raftLog.stableLastIndex();
    if (!pr || stable <= 0) return;
    if (pr.maybeUpdate(stable) && this.maybeCommit()) {
      this.releasePendingReadIndexMessages();
      this.bcastAppend();
    }
  }

  /**
   * Leader that is the only member (one voter, no learners): nobody else can learn the commit
   * index, so the entries about to be handed out in a Ready count as ours already. The driver
   * persists them in step 2 of that Ready before applying them, so they may be committed in the
   * same Ready (one fsync per proposal). With any other member the leader waits for selfAck.
   */
  commitUnstableAsSoleMember(): void {
    if (this.state !== StateType.Leader || !this.prs.isSingleton() || this.prs.progress.size !== 1) return;
    if (this.raftLog.unstable.snapshot !== undefined) return;
    const pr = this.prs.progress.get(this.id);
    if (!pr) return;
    if (pr.maybeUpdate(this.raftLog.lastIndex()) && this.maybeCommit()) this.releasePendingReadIndexMessages();
  }

  committedEntryInCurrentTerm(): boolean {
    return this.raftLog.zeroTermOnErrCompacted(() => this.raftLog.term(this.raftLog.committed)) === this.term;
  }

  // ---- state transitions ---------------------------------------------------------------------

  reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.abortLeaderTransfer();
    this.prs.resetVotes();
    const last = this.raftLog.lastIndex();
    const stable = Math.max(0, this.raftLog.stableLastIndex());
    this.prs.visit((id, old) => {
      const pr = this.prs.newProgress(last + 1, old.isLearner);
      if (id === this.id) pr.match = stable;
      this.prs.progress.set(id, pr);
    });
    this.pendingConfIndex = 0;
    this.uncommittedSizeBytes = 0;
    this.readOnly = new ReadOnly();
    this.pendingReadIndexMessages = [];
  }

  resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout = this.electionTimeout + this.randomInt(this.electionTimeout);
  }

  pastElectionTimeout(): boolean {
    return this.electionElapsed >= this.randomizedElectionTimeout;
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.stepFn = (m) => stepFollower(this, m);
    this.reset(term);
    this.tickFn = () => this.tickElection();
    this.lead = lead;
    this.state = StateType.Follower;
    this.logger.info(`${hex(this.id)} became follower at term ${this.term}`);
  }

  becomeCandidate(): void {
    assert(this.state !== StateType.Leader, 'invalid transition [leader -> candidate]');
    this.stepFn = (m) => stepCandidate(this, m);
    this.reset(this.term + 1);
    this.tickFn = () => this.tickElection();
    this.vote = this.id;
    this.state = StateType.Candidate;
    this.logger.info(`${hex(this.id)} became candidate at term ${this.term}`);
  }

  becomePreCandidate(): void {
    assert(this.state !== StateType.Leader, 'invalid transition [leader -> pre-candidate]');
    // A pre-candidate changes neither term nor vote.
    this.stepFn = (m) => stepCandidate(this, m);
    this.prs.resetVotes();
    this.tickFn = () => this.tickElection();
    this.lead = NONE;
    this.state = StateType.PreCandidate;
    this.logger.info(`${hex(this.id)} became pre-candidate at term ${this.term}`);
  }

  becomeLeader(): void {
    assert(this.state !== StateType.Follower, 'invalid transition [follower -> leader]');
    this.stepFn = (m) => stepLeader(this, m);
    this.reset(this.term);
    this.tickFn = () => this.tickHeartbeat();
    this.lead = this.id;
    this.state = StateType.Leader;
    const self = this.prs.progress.get(this.id);
    if (self) {
      self.becomeReplicate();
      // The leader is always active to itself (check-quorum counts it).
      self.recentActive = true;
    }
    // Conf changes in the uncommitted tail may be pending; be conservative.
    this.pendingConfIndex = this.raftLog.lastIndex();
    const ok = this.appendEntry([{ term: 0, index: 0, type: EntryType.Normal, data: EMPTY_BYTES }]);
    assert(ok, 'empty entry was dropped');
    this.logger.info(`${hex(this.id)} became leader at term ${this.term}`);
  }

  /** Appends entries at the end of the log (leader); false if the uncommitted-size limit drops them. */
  appendEntry(es: readonly Entry[]): boolean {
    let li = this.raftLog.lastIndex();
    const ents = es.map((e, i) => ({ term: this.term, index: li + 1 + i, type: e.type, data: e.data }));
    if (!this.increaseUncommittedSize(ents)) {
      this.logger.debug(`${hex(this.id)} appending new entries to log would exceed uncommitted entry size limit; dropping proposal`);
      return false;
    }
    li = this.raftLog.append(ents);
    const self = this.prs.progress.get(this.id);
    if (self) self.next = Math.max(self.next, li + 1);
    return true;
  }

  private increaseUncommittedSize(ents: readonly Entry[]): boolean {
    const s = payloadsSizeBytes(ents);
    if (this.uncommittedSizeBytes > 0 && s > 0 && this.uncommittedSizeBytes + s > this.maxUncommittedSizeBytes) return false;
    this.uncommittedSizeBytes += s;
    return true;
  }

  reduceUncommittedSize(ents: readonly Entry[]): void {
    if (this.uncommittedSizeBytes === 0) return;
    const s = payloadsSizeBytes(ents);
    this.uncommittedSizeBytes = s > this.uncommittedSizeBytes ? 0 : this.uncommittedSizeBytes - s;
  }

  // ---- ticks ---------------------------------------------------------------------------------

  tick(): void {
    this.tickFn();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.pastElectionTimeout()) {
      this.electionElapsed = 0;
      this.step(newMessage({ type: MessageType.MsgHup, from: this.id }));
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTimeout) {
      this.electionElapsed = 0;
      if (this.checkQuorum) this.step(newMessage({ type: MessageType.MsgCheckQuorum, from: this.id }));
      // A transfer that did not finish within an election timeout is abandoned.
      if (this.state === StateType.Leader && this.leadTransferee !== NONE) this.abortLeaderTransfer();
    }
    if (this.state !== StateType.Leader) return;
    if (this.heartbeatElapsed >= this.heartbeatTimeout) {
      this.heartbeatElapsed = 0;
      this.step(newMessage({ type: MessageType.MsgBeat, from: this.id }));
    }
  }

  promotable(): boolean {
    const pr = this.prs.progress.get(this.id);
    return pr !== undefined && !pr.isLearner && !this.raftLog.hasPendingSnapshot();
  }

  // ---- elections -----------------------------------------------------------------------------

  hup(t: CampaignType): void {
    if (this.state === StateType.Leader) {
      this.logger.debug(`${hex(this.id)} ignoring MsgHup because already leader`);
      return;
    }
    if (!this.promotable()) {
      this.logger.warn(`${hex(this.id)} is unpromotable and can not campaign`);
      return;
    }
    const pending = this.numPendingConf();
    if (pending > 0 && this.raftLog.committed > this.raftLog.applied) {
      this.logger.warn(`${hex(this.id)} cannot campaign at term ${this.term} since there are still ${pending} pending configuration changes to apply`);
      return;
    }
    this.logger.info(`${hex(this.id)} is starting a new election at term ${this.term}`);
    this.campaign(t);
  }

  private numPendingConf(): number {
    if (this.raftLog.committed <= this.raftLog.applied) return 0;
    const ents = this.raftLog.slice(this.raftLog.applied + 1, this.raftLog.committed + 1, NO_LIMIT);
    return ents.filter((e) => e.type === EntryType.ConfChange).length;
  }

  campaign(t: CampaignType): void {
    let voteMsg: MessageType;
    let term: number;
    if (t === 'pre-election') {
      this.becomePreCandidate();
      voteMsg = MessageType.MsgPreVote;
      // Pre-votes are asked for the term we would have after winning.
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      voteMsg = MessageType.MsgVote;
      term = this.term;
    }
    const { result } = this.poll(this.id, voteRespMsgType(voteMsg), true);
    if (result === 'won') {
      // A single-voter configuration wins at once.
      if (t === 'pre-election') this.campaign('election');
      else this.becomeLeader();
      return;
    }
    for (const id of this.prs.voterIds()) {
      if (id === this.id) continue;
      this.logger.info(
        `${hex(this.id)} [logterm: ${this.raftLog.lastTerm()}, index: ${this.raftLog.lastIndex()}] sent ${MessageType[voteMsg]} request to ${hex(id)} at term ${this.term}`,
      );
      const context = t === 'transfer' ? CAMPAIGN_TRANSFER_CTX : EMPTY_BYTES;
      this.send(newMessage({ type: voteMsg, to: id, term, index: this.raftLog.lastIndex(), logTerm: this.raftLog.lastTerm(), context }));
    }
  }

  poll(id: NodeId, t: MessageType, granted: boolean): ReturnType<ProgressTracker['tallyVotes']> {
    if (granted) this.logger.info(`${hex(this.id)} received ${MessageType[t]} from ${hex(id)} at term ${this.term}`);
    else this.logger.info(`${hex(this.id)} received ${MessageType[t]} rejection from ${hex(id)} at term ${this.term}`);
    this.prs.recordVote(id, granted);
    return this.prs.tallyVotes();
  }

  // ---- step ----------------------------------------------------------------------------------

  /** Handles one message. Throws ProposalDroppedError when a proposal cannot be accepted. */
  step(m: Message): void {
    if (m.term === 0) {
      // local message
    } else if (m.term > this.term) {
      if (m.type === MessageType.MsgVote || m.type === MessageType.MsgPreVote) {
        const force = bytesEqual(m.context, CAMPAIGN_TRANSFER_CTX);
        const inLease = this.checkQuorum && this.lead !== NONE && this.electionElapsed < this.electionTimeout;
        if (!force && inLease) {
          // We heard from a leader within the minimum election timeout: do not disrupt it.
          this.logger.info(
            `${hex(this.id)} [logterm: ${this.raftLog.lastTerm()}, index: ${this.raftLog.lastIndex()}, vote: ${hex(this.vote)}] ignored ${MessageType[m.type]} from ${hex(m.from)} [logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}: lease is not expired (remaining ticks: ${this.electionTimeout - this.electionElapsed})`,
          );
          return;
        }
      }
      if (m.type === MessageType.MsgPreVote) {
        // Never change our term in response to a PreVote.
      } else if (m.type === MessageType.MsgPreVoteResp && !m.reject) {
        // The term in a granted pre-vote response is the future term; we bump it when we win.
      } else {
        this.logger.info(`${hex(this.id)} [term: ${this.term}] received a ${MessageType[m.type]} message with higher term from ${hex(m.from)} [term: ${m.term}]`);
        const fromLeader = m.type === MessageType.MsgApp || m.type === MessageType.MsgHeartbeat || m.type === MessageType.MsgSnap;
        this.becomeFollower(m.term, fromLeader ? m.from : NONE);
      }
    } else if (m.term < this.term) {
      if (m.type === MessageType.MsgApp && this.has('no-term-check-on-append')) {
        // The bug: the append is handled as if it came from the current leader, and answered in
        // the sender's term, so the stale leader counts the ack instead of stepping down.
        this.lead = m.from;
        this.electionElapsed = 0;
        this.staleReplyTerm = m.term;
        try {
          handleAppendEntries(this, m);
        } finally {
          this.staleReplyTerm = 0;
        }
        return;
      }
      if ((this.checkQuorum || this.preVote) && (m.type === MessageType.MsgHeartbeat || m.type === MessageType.MsgApp)) {
        // A stale leader (e.g. after a partition) learns our term and steps down.
        this.send(newMessage({ type: MessageType.MsgAppResp, to: m.from }));
      } else if (m.type === MessageType.MsgPreVote) {
        this.logger.info(
          `${hex(this.id)} [logterm: ${this.raftLog.lastTerm()}, index: ${this.raftLog.lastIndex()}, vote: ${hex(this.vote)}] rejected ${MessageType[m.type]} from ${hex(m.from)} [logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}`,
        );
        this.send(newMessage({ type: MessageType.MsgPreVoteResp, to: m.from, term: this.term, reject: true }));
      } else {
        this.logger.info(`${hex(this.id)} [term: ${this.term}] ignored a ${MessageType[m.type]} message with lower term from ${hex(m.from)} [term: ${m.term}]`);
      }
      return;
    }

    switch (m.type) {
      case MessageType.MsgHup:
        this.hup(this.preVote ? 'pre-election' : 'election');
        return;
      case MessageType.MsgVote:
      case MessageType.MsgPreVote:
        this.handleVoteRequest(m);
        return;
      default:
        this.stepFn(m);
    }
  }

  private handleVoteRequest(m: Message): void {
    const canVote =
      this.vote === m.from ||
      (this.vote === NONE && this.lead === NONE) ||
      (m.type === MessageType.MsgPreVote && m.term > this.term);
    const logOk = this.has('vote-without-log-check') || this.raftLog.isUpToDate(m.index, m.logTerm);
    const resp = voteRespMsgType(m.type);
    const desc = `${hex(this.id)} [logterm: ${this.raftLog.lastTerm()}, index: ${this.raftLog.lastIndex()}, vote: ${hex(this.vote)}]`;
    if (canVote && logOk) {
      this.logger.info(`${desc} cast ${MessageType[m.type]} for ${hex(m.from)} [logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}`);
      // Answer with the message's term: a pre-vote's term is in the future.
      this.send(newMessage({ type: resp, to: m.from, term: m.term }));
      if (m.type === MessageType.MsgVote) {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.logger.info(`${desc} rejected ${MessageType[m.type]} from ${hex(m.from)} [logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}`);
      this.send(newMessage({ type: resp, to: m.from, term: this.term, reject: true }));
    }
  }

  startReadIndexRound(m: Message): void {
    const ctx = readIndexCtx(m);
    this.readOnly.addRequest(this.raftLog.committed, m);
    this.readOnly.recvAck(this.id, ctx);
    this.bcastHeartbeatWithCtx(ctx);
  }

  respondToReadIndex(req: Message, index: number): void {
    if (req.from === NONE || req.from === this.id) {
      this.readStates.push({ index, requestCtx: readIndexCtx(req) });
      return;
    }
    this.send(newMessage({ type: MessageType.MsgReadIndexResp, to: req.from, index, entries: req.entries }));
  }

  releasePendingReadIndexMessages(): void {
    if (this.pendingReadIndexMessages.length === 0 || !this.committedEntryInCurrentTerm()) return;
    const msgs = this.pendingReadIndexMessages;
    this.pendingReadIndexMessages = [];
    for (const m of msgs) {
      if (this.prs.isSingleton()) this.respondToReadIndex(m, this.raftLog.committed);
      else this.startReadIndexRound(m);
    }
  }

  sendTimeoutNow(to: NodeId): void {
    this.send(newMessage({ type: MessageType.MsgTimeoutNow, to }));
  }

  abortLeaderTransfer(): void {
    this.leadTransferee = NONE;
  }

  // ---- follower handlers ---------------------------------------------------------------------

  // ---- configuration -------------------------------------------------------------------------

  applyConfChange(cc: ConfChange): ConfState {
    applySimpleChange(this.prs, cc, this.raftLog.lastIndex());
    this.logger.info(`${hex(this.id)} switched to configuration ${this.prs.describeConfig()}`);
    return this.switchToConfig();
  }

  private switchToConfig(): ConfState {
    const cs = this.prs.confState();
    const pr = this.prs.progress.get(this.id);
    this.isLearner = pr?.isLearner ?? false;
    if ((pr === undefined || this.isLearner) && this.state === StateType.Leader) {
      // The leader was removed or demoted. Tell the others the latest commit index, then step
      // down so that the remaining voters elect a leader among themselves.
      this.bcastAppend();
      this.logger.info(`${hex(this.id)} stepping down: no longer a voter in ${this.prs.describeConfig()}`);
      this.becomeFollower(this.term, NONE);
      return cs;
    }
    if (this.state !== StateType.Leader || cs.voters.length === 0) return cs;
    if (this.maybeCommit()) {
      // The configuration change may have lowered the quorum.
      this.releasePendingReadIndexMessages();
      this.bcastAppend();
    } else {
      this.prs.visit((id) => {
        if (id !== this.id) this.maybeSendAppend(id, false);
      });
    }
    if (this.leadTransferee !== NONE && !this.prs.voters.has(this.leadTransferee)) this.abortLeaderTransfer();
    return cs;
  }

  // ---- advance -------------------------------------------------------------------------------

  /** The driver persisted and applied a Ready: move the cursors and release what waited for it. */
  advance(rd: { readonly entries: readonly Entry[]; readonly committedEntries: readonly Entry[]; readonly snapshot?: Snapshot }): void {
    const lastCommitted = rd.committedEntries[rd.committedEntries.length - 1];
    if (this.state === StateType.Leader && rd.committedEntries.length > 0) this.reduceUncommittedSize(rd.committedEntries);
    if (lastCommitted) this.raftLog.appliedTo(lastCommitted.index);
    else if (rd.snapshot && rd.snapshot.metadata.index > this.raftLog.applied) this.raftLog.appliedTo(Math.min(rd.snapshot.metadata.index, this.raftLog.committed));
    const lastEntry = rd.entries[rd.entries.length - 1];
    if (lastEntry) this.raftLog.stableTo(lastEntry.index, lastEntry.term);
    if (rd.snapshot) this.raftLog.stableSnapTo(rd.snapshot.metadata.index);
    this.releasePendingAcks();
    this.selfAck();
  }
}
