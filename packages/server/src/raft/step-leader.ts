// The leader's step function (etcd's stepLeader): heartbeats, check-quorum, proposals, ReadIndex,
// append and heartbeat responses, snapshot reports, unreachable peers and leadership transfer.
import { assert } from './assert';
import { hex } from './describe';
import { voteResult } from './quorum/majority';
import type { Raft } from './raft';
import { EntryType, MessageType, NONE, ProposalDroppedError, type Entry, type Message, type NodeId } from './types';

const EMPTY_BYTES = new Uint8Array(0);

export function stepLeader(r: Raft, m: Message): void {
  switch (m.type) {
    case MessageType.MsgBeat:
      r.bcastHeartbeat();
      return;
    case MessageType.MsgCheckQuorum: {
      const self = r.prs.progress.get(r.id);
      if (self) self.recentActive = true;
      if (!r.prs.quorumActive()) {
        r.logger.warn(`${hex(r.id)} stepped down to follower since quorum is not active`);
        r.becomeFollower(r.term, NONE);
      }
      // Every non-self member must show activity again before the next check.
      r.prs.visit((id, pr) => {
        if (id !== r.id) pr.recentActive = false;
      });
      return;
    }
    case MessageType.MsgProp:
      leaderPropose(r, m);
      return;
    case MessageType.MsgReadIndex:
      leaderReadIndex(r, m);
      return;
  }

  const pr = r.prs.progress.get(m.from);
  if (!pr) {
    r.logger.debug(`${hex(r.id)} no progress available for ${hex(m.from)}`);
    return;
  }
  switch (m.type) {
    case MessageType.MsgAppResp:
      leaderAppResp(r, m);
      return;
    case MessageType.MsgHeartbeatResp:
      leaderHeartbeatResp(r, m);
      return;
    case MessageType.MsgSnapStatus:
      if (pr.state !== 'snapshot') return;
      if (!m.reject) {
        pr.becomeProbe();
        r.logger.debug(`${hex(r.id)} snapshot succeeded, resumed sending replication messages to ${hex(m.from)} [${pr}]`);
      } else {
        // The snapshot did not arrive: forget it so that a new one can be sent.
        pr.pendingSnapshot = 0;
        pr.becomeProbe();
        r.logger.debug(`${hex(r.id)} snapshot failed, resumed sending replication messages to ${hex(m.from)} [${pr}]`);
      }
      // Wait for the next heartbeat response before probing again.
      pr.probeSent = true;
      return;
    case MessageType.MsgUnreachable:
      if (pr.state === 'replicate') pr.becomeProbe();
      r.logger.debug(`${hex(r.id)} failed to send message to ${hex(m.from)} because it is unreachable [${pr}]`);
      return;
    case MessageType.MsgTransferLeader:
      leaderTransfer(r, m.from);
      return;
    default:
      return;
  }
}

function leaderPropose(r: Raft, m: Message): void {
  assert(m.entries.length > 0, () => `${hex(r.id)} stepped empty MsgProp`);
  if (!r.prs.progress.has(r.id)) {
    // We were removed from the configuration while leader.
    throw new ProposalDroppedError('leader is not a member of the configuration');
  }
  if (r.leadTransferee !== NONE) {
    r.logger.debug(`${hex(r.id)} [term ${r.term}] transfer leadership to ${hex(r.leadTransferee)} is in progress; dropping proposal`);
    throw new ProposalDroppedError('leadership transfer in progress');
  }
  const ents: Entry[] = m.entries.map((e, i) => {
    if (e.type !== EntryType.ConfChange) return e;
    if (r.pendingConfIndex > r.raftLog.applied) {
      r.logger.info(
        `${hex(r.id)} ignoring conf change at config ${r.prs.describeConfig()}: possible unapplied conf change at index ${r.pendingConfIndex} (applied to ${r.raftLog.applied})`,
      );
      return { term: e.term, index: e.index, type: EntryType.Normal, data: EMPTY_BYTES };
    }
    r.pendingConfIndex = r.raftLog.lastIndex() + i + 1;
    return e;
  });
  if (!r.appendEntry(ents)) throw new ProposalDroppedError('too many uncommitted entries');
  r.bcastAppend();
}

function leaderReadIndex(r: Raft, m: Message): void {
  if (r.prs.isSingleton() || r.has('read-index-without-quorum')) {
    r.respondToReadIndex(m, r.raftLog.committed);
    return;
  }
  if (!r.committedEntryInCurrentTerm()) {
    // Our commit index may be stale until an entry of this term commits; answer then.
    r.pendingReadIndexMessages.push(m);
    return;
  }
  r.startReadIndexRound(m);
}

function leaderAppResp(r: Raft, m: Message): void {
  const pr = r.prs.progress.get(m.from)!;
  pr.recentActive = true;
  if (m.reject) {
    r.logger.debug(`${hex(r.id)} received MsgAppResp(rejected, hint: (index ${m.rejectHint}, term ${m.logTerm})) from ${hex(m.from)} for index ${m.index}`);
    // With the follower's (index, term) hint, skip our entries of terms the follower cannot match.
    // A hint without a term (logTerm 0, older peers) is just the follower's last index.
    const nextProbeIdx = m.logTerm > 0 ? r.raftLog.findConflictByTerm(m.rejectHint, m.logTerm) : m.rejectHint;
    if (pr.maybeDecrTo(m.index, nextProbeIdx)) {
      r.logger.debug(`${hex(r.id)} decreased progress of ${hex(m.from)} to [${pr}]`);
      if (pr.state === 'replicate') pr.becomeProbe();
      r.sendAppend(m.from);
    }
    return;
  }
  const oldPaused = pr.isPaused();
  if (!pr.maybeUpdate(m.index)) return;
  if (pr.state === 'probe') {
    pr.becomeReplicate();
  } else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
    r.logger.debug(`${hex(r.id)} recovered from needing snapshot, resumed sending replication messages to ${hex(m.from)} [${pr}]`);
    // Move through probe so that next is reset to match+1.
    pr.becomeProbe();
    pr.becomeReplicate();
  } else if (pr.state === 'replicate') {
    pr.inflights.freeLE(m.index);
  }
  if (r.maybeCommit()) {
    r.releasePendingReadIndexMessages();
    r.bcastAppend();
  } else if (oldPaused) {
    r.sendAppend(m.from);
  }
  // Send as much as the flow control allows.
  let guard = 0;
  while (r.maybeSendAppend(m.from, false)) {
    guard++;
    assert(guard < 1_000_000, 'runaway append loop');
  }
  if (m.from === r.leadTransferee && pr.match === r.raftLog.lastIndex()) {
    r.logger.info(`${hex(r.id)} sent MsgTimeoutNow to ${hex(m.from)} after received MsgAppResp`);
    r.sendTimeoutNow(m.from);
  }
}

function leaderHeartbeatResp(r: Raft, m: Message): void {
  const pr = r.prs.progress.get(m.from)!;
  pr.recentActive = true;
  pr.probeSent = false;
  // Free one slot so that a full pipeline to a slow follower can make progress.
  if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
  if (pr.match < r.raftLog.lastIndex()) r.sendAppend(m.from);
  if (m.context.length === 0) return;
  const acks = r.readOnly.recvAck(m.from, m.context);
  if (!acks) return;
  const votes = new Map<NodeId, boolean>();
  for (const id of acks) votes.set(id, true);
  if (voteResult(r.prs.voterIds(), votes) !== 'won') return;
  for (const rs of r.readOnly.advance(m.context)) r.respondToReadIndex(rs.req, rs.index);
}

function leaderTransfer(r: Raft, transferee: NodeId): void {
  const pr = r.prs.progress.get(transferee)!;
  if (pr.isLearner) {
    r.logger.debug(`${hex(r.id)} is learner. Ignored transferring leadership`);
    return;
  }
  const last = r.leadTransferee;
  if (last !== NONE) {
    if (last === transferee) {
      r.logger.info(`${hex(r.id)} [term ${r.term}] transfer leadership to ${hex(transferee)} is in progress, ignores request to same node ${hex(transferee)}`);
      return;
    }
    r.abortLeaderTransfer();
    r.logger.info(`${hex(r.id)} [term ${r.term}] abort previous transferring leadership to ${hex(last)}`);
  }
  if (transferee === r.id) {
    r.logger.debug(`${hex(r.id)} is already leader. Ignored transferring leadership to self`);
    return;
  }
  r.logger.info(`${hex(r.id)} [term ${r.term}] starts to transfer leadership to ${hex(transferee)}`);
  // The transfer must finish within one election timeout.
  r.electionElapsed = 0;
  r.leadTransferee = transferee;
  if (pr.match === r.raftLog.lastIndex()) {
    r.sendTimeoutNow(transferee);
    r.logger.info(`${hex(r.id)} sends MsgTimeoutNow to ${hex(transferee)} immediately as ${hex(transferee)} already has up-to-date log`);
  } else {
    r.sendAppend(transferee);
  }
}
