// RawNode: the synchronous API of the core (etcd's RawNode). The driver calls tick/step/propose,
// then ready() -> persist -> send -> apply -> advance(ready).
//
// Construction:
//   new RawNode(config)                  restart from config.storage (or join an existing cluster with empty storage)
//   new RawNode(config, [1n, 2n, 3n])    first start of a new cluster: bootstraps the peers if storage is empty
//   RawNode.bootstrap(config, peers)     the same, with a ConfChange context per peer (etcd puts the member JSON there)
import { assert } from './assert';
import { encodeConfChange } from './confchange-codec';
import { isLocalMsg, isResponseMsg, newMessage } from './message';
import { Raft } from './raft';
import {
  ConfChangeType,
  EMPTY_HARD_STATE,
  EntryType,
  MessageType,
  ProposalDroppedError,
  StateType,
  type ConfChange,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type NodeId,
  type ProgressStatus,
  type RaftConfig,
  type RawNodeApi,
  type Ready,
  type SoftState,
  type Status,
} from './types';

export interface BootstrapPeer {
  readonly id: NodeId;
  /** Becomes the ConfChange context of the peer's bootstrap entry. */
  readonly context?: Uint8Array;
}

const EMPTY = new Uint8Array(0);

function softStateEqual(a: SoftState, b: SoftState): boolean {
  return a.lead === b.lead && a.raftState === b.raftState;
}

function hardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

export class RawNode implements RawNodeApi {
  readonly raft: Raft;
  private prevSoftState: SoftState;
  private prevHardState: HardState;

  constructor(config: RaftConfig, peers?: readonly NodeId[]) {
    this.raft = new Raft(config);
    this.prevSoftState = this.raft.softState();
    this.prevHardState = this.raft.hardState();
    if (peers && peers.length > 0) this.bootstrapPeers(peers.map((id) => ({ id })));
  }

  /** Starts a new cluster's member: the storage must be empty. */
  static bootstrap(config: RaftConfig, peers: readonly BootstrapPeer[]): RawNode {
    const rn = new RawNode(config);
    rn.bootstrapPeers(peers);
    return rn;
  }

  /**
   * Writes one committed AddNode ConfChange entry per peer at term 1 (they are the first Ready's
   * entries and committed entries; the application applies them like any conf change).
   */
  private bootstrapPeers(peers: readonly BootstrapPeer[]): void {
    assert(peers.length > 0, 'must provide at least one peer to bootstrap');
    if (this.raft.raftLog.storage.lastIndex() !== 0) throw new Error("can't bootstrap a nonempty Storage");
    // The first Ready must carry the bootstrap HardState.
    this.prevHardState = EMPTY_HARD_STATE;
    this.raft.becomeFollower(1, 0n);
    const ents: Entry[] = peers.map((p, i) => ({
      term: 1,
      index: i + 1,
      type: EntryType.ConfChange,
      data: encodeConfChange({ id: 0n, type: ConfChangeType.AddNode, nodeId: p.id, context: p.context ?? EMPTY }),
    }));
    this.raft.raftLog.append(ents);
    // The entries are committed, not applied: the application applies them from the first Ready.
    this.raft.raftLog.committed = ents.length;
    for (const p of peers) this.raft.applyConfChange({ id: 0n, type: ConfChangeType.AddNode, nodeId: p.id, context: EMPTY });
  }

  tick(): void {
    this.raft.tick();
  }

  campaign(): void {
    this.raft.step(newMessage({ type: MessageType.MsgHup }));
  }

  /** Throws ProposalDroppedError if there is no leader, a transfer is in progress or limits are hit. */
  propose(data: Uint8Array): void {
    this.raft.step(newMessage({ type: MessageType.MsgProp, from: this.raft.id, entries: [{ term: 0, index: 0, type: EntryType.Normal, data }] }));
  }

  /** Throws ProposalDroppedError when this node is the leader and a conf change is still pending. */
  proposeConfChange(cc: ConfChange): void {
    const r = this.raft;
    if (r.state === StateType.Leader && r.pendingConfIndex > r.raftLog.applied) {
      throw new ProposalDroppedError(`a configuration change is already pending at index ${r.pendingConfIndex}`);
    }
    r.step(
      newMessage({
        type: MessageType.MsgProp,
        from: r.id,
        entries: [{ term: 0, index: 0, type: EntryType.ConfChange, data: encodeConfChange(cc) }],
      }),
    );
  }

  applyConfChange(cc: ConfChange): ConfState {
    return this.raft.applyConfChange(cc);
  }

  /** Steps a message received from a peer. Local message types and responses from non-members are ignored. */
  step(m: Message): void {
    if (isLocalMsg(m.type)) {
      this.raft.logger.warn(`${this.raft.id} ignoring local message ${MessageType[m.type]} received from the network`);
      return;
    }
    assert(
      Number.isSafeInteger(m.term) && Number.isSafeInteger(m.index) && Number.isSafeInteger(m.logTerm) && Number.isSafeInteger(m.commit),
      () => `message ${MessageType[m.type]} from ${m.from} carries an unsafe term/index`,
    );
    if (isResponseMsg(m.type) && !this.raft.prs.progress.has(m.from)) return;
    try {
      this.raft.step(m);
    } catch (e) {
      // A forwarded proposal that cannot be accepted is dropped; the proposer times out.
      if (e instanceof ProposalDroppedError) return;
      throw e;
    }
  }

  hasReady(): boolean {
    const r = this.raft;
    if (!softStateEqual(r.softState(), this.prevSoftState)) return true;
    const hs = r.hardState();
    if (!hardStateEqual(hs, EMPTY_HARD_STATE) && !hardStateEqual(hs, this.prevHardState)) return true;
    if (r.raftLog.hasPendingSnapshot()) return true;
    if (r.msgs.length > 0 || r.raftLog.unstable.entries.length > 0 || r.raftLog.hasNextEnts()) return true;
    return r.readStates.length > 0;
  }

  /** What to persist, send and apply now; must be followed by advance(ready) before the next ready(). */
  ready(): Ready {
    const r = this.raft;
    r.commitUnstableAsSoleMember();
    const entries = r.raftLog.unstableEntries();
    const committedEntries = r.raftLog.nextEnts();
    const ss = r.softState();
    const hs = r.hardState();
    const softState = softStateEqual(ss, this.prevSoftState) ? undefined : ss;
    const hardState = hardStateEqual(hs, this.prevHardState) ? undefined : hs;
    const snapshot = r.raftLog.unstable.snapshot;
    let mustSync = hs.term !== this.prevHardState.term || hs.vote !== this.prevHardState.vote || entries.length > 0 || snapshot !== undefined;
    if (r.ackedBeforePersist) {
      // Mutation ack-append-before-persist: the acked entries are treated as already durable.
      mustSync = hs.term !== this.prevHardState.term || hs.vote !== this.prevHardState.vote;
      r.ackedBeforePersist = false;
    }
    const rd: Ready = {
      ...(softState ? { softState } : {}),
      ...(hardState ? { hardState } : {}),
      ...(snapshot ? { snapshot } : {}),
      readStates: r.readStates,
      entries,
      committedEntries,
      messages: r.msgs,
      mustSync,
    };
    // Accept: what was handed out is no longer pending here.
    if (softState) this.prevSoftState = softState;
    r.msgs = [];
    r.readStates = [];
    return rd;
  }

  advance(rd: Ready): void {
    if (rd.hardState) this.prevHardState = rd.hardState;
    this.raft.advance(rd);
  }

  readIndex(requestCtx: Uint8Array): void {
    this.raft.step(
      newMessage({ type: MessageType.MsgReadIndex, from: this.raft.id, entries: [{ term: 0, index: 0, type: EntryType.Normal, data: requestCtx }] }),
    );
  }

  transferLeader(transferee: NodeId): void {
    this.raft.step(newMessage({ type: MessageType.MsgTransferLeader, from: transferee }));
  }

  reportUnreachable(id: NodeId): void {
    this.raft.step(newMessage({ type: MessageType.MsgUnreachable, from: id }));
  }

  reportSnapshot(id: NodeId, status: 'finish' | 'failure'): void {
    this.raft.step(newMessage({ type: MessageType.MsgSnapStatus, from: id, reject: status === 'failure' }));
  }

  status(): Status {
    const r = this.raft;
    const base = {
      id: r.id,
      hardState: r.hardState(),
      softState: r.softState(),
      applied: r.raftLog.applied,
      leadTransferee: r.leadTransferee,
    };
    if (r.state !== StateType.Leader) return base;
    const progress = new Map<NodeId, ProgressStatus>();
    r.prs.visit((id, pr) => {
      progress.set(id, { match: pr.match, next: pr.next, state: pr.state, recentActive: pr.recentActive, isLearner: pr.isLearner });
    });
    return { ...base, progress };
  }
}
