// The candidate's and the follower's step functions (etcd's stepCandidate / stepFollower), and the
// follower-side handlers for appends, heartbeats and snapshots.
import { restoreConfState } from './confchange/changer';
import { describeConfState, hex } from './describe';
import { newMessage } from './message';
import type { Raft } from './raft';
import { MessageType, NONE, ProposalDroppedError, StateType, type Message, type Snapshot } from './types';

export function stepCandidate(r: Raft, m: Message): void {
  const myVoteRespType = r.state === StateType.PreCandidate ? MessageType.MsgPreVoteResp : MessageType.MsgVoteResp;
  switch (m.type) {
    case MessageType.MsgProp:
      r.logger.info(`${hex(r.id)} no leader at term ${r.term}; dropping proposal`);
      throw new ProposalDroppedError('no leader');
    case MessageType.MsgApp:
      r.becomeFollower(m.term, m.from);
      handleAppendEntries(r, m);
      return;
    case MessageType.MsgHeartbeat:
      r.becomeFollower(m.term, m.from);
      handleHeartbeat(r, m);
      return;
    case MessageType.MsgSnap:
      r.becomeFollower(m.term, m.from);
      handleSnapshot(r, m);
      return;
    case myVoteRespType: {
      const { granted, rejected, result } = r.poll(m.from, m.type, !m.reject);
      r.logger.info(`${hex(r.id)} has received ${granted} ${MessageType[m.type]} votes and ${rejected} vote rejections`);
      if (result === 'won') {
        if (r.state === StateType.PreCandidate) {
          r.campaign('election');
        } else {
          r.becomeLeader();
          r.bcastAppend();
        }
      } else if (result === 'lost') {
        // Pre-candidates and candidates both go back to follower at the current term.
        r.becomeFollower(r.term, NONE);
      }
      return;
    }
    case MessageType.MsgTimeoutNow:
      r.logger.debug(`${hex(r.id)} [term ${r.term} state ${StateType[r.state]}] ignored MsgTimeoutNow from ${hex(m.from)}`);
      return;
    default:
      return;
  }
}

export function stepFollower(r: Raft, m: Message): void {
  switch (m.type) {
    case MessageType.MsgProp:
      if (r.lead === NONE) {
        r.logger.info(`${hex(r.id)} no leader at term ${r.term}; dropping proposal`);
        throw new ProposalDroppedError('no leader');
      }
      r.send(newMessage({ ...m, to: r.lead }));
      return;
    case MessageType.MsgApp:
      r.electionElapsed = 0;
      r.lead = m.from;
      handleAppendEntries(r, m);
      return;
    case MessageType.MsgHeartbeat:
      r.electionElapsed = 0;
      r.lead = m.from;
      handleHeartbeat(r, m);
      return;
    case MessageType.MsgSnap:
      r.electionElapsed = 0;
      r.lead = m.from;
      handleSnapshot(r, m);
      return;
    case MessageType.MsgTransferLeader:
      if (r.lead === NONE) {
        r.logger.info(`${hex(r.id)} no leader at term ${r.term}; dropping leader transfer msg`);
        return;
      }
      r.send(newMessage({ ...m, to: r.lead, term: 0 }));
      return;
    case MessageType.MsgTimeoutNow:
      if (r.promotable()) {
        r.logger.info(`${hex(r.id)} [term ${r.term}] received MsgTimeoutNow from ${hex(m.from)} and starts an election to get leadership.`);
        // Leadership transfers never use pre-vote: the leader asked for it.
        r.hup('transfer');
      } else {
        r.logger.info(`${hex(r.id)} received MsgTimeoutNow from ${hex(m.from)} but is not promotable`);
      }
      return;
    case MessageType.MsgReadIndex:
      if (r.lead === NONE) {
        r.logger.info(`${hex(r.id)} no leader at term ${r.term}; dropping index reading msg`);
        return;
      }
      r.send(newMessage({ ...m, to: r.lead }));
      return;
    case MessageType.MsgReadIndexResp:
      if (m.entries.length !== 1) {
        r.logger.warn(`${hex(r.id)} invalid format of MsgReadIndexResp from ${hex(m.from)}, entries count: ${m.entries.length}`);
        return;
      }
      r.readStates.push({ index: m.index, requestCtx: m.entries[0]!.data });
      return;
    default:
      return;
  }
}

export function handleAppendEntries(r: Raft, m: Message): void {
  if (m.index < r.raftLog.committed) {
    r.ackAppend(m.from, r.raftLog.committed);
    return;
  }
  const lastNew = r.raftLog.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
  if (lastNew !== undefined) {
    r.ackAppend(m.from, lastNew);
    return;
  }
  r.logger.debug(
    `${hex(r.id)} [logterm: ${r.raftLog.zeroTermOnErrCompacted(() => r.raftLog.term(m.index))}, index: ${m.index}] rejected MsgApp [logterm: ${m.logTerm}, index: ${m.index}] from ${hex(m.from)}`,
  );
  // Hint the largest index whose term is <= the leader's term at m.index: every entry above it
  // conflicts, so the leader can skip a whole term per round trip instead of one entry.
  const hintIndex = r.raftLog.findConflictByTerm(Math.min(m.index, r.raftLog.lastIndex()), m.logTerm);
  const hintTerm = r.raftLog.zeroTermOnErrCompacted(() => r.raftLog.term(hintIndex));
  r.send(newMessage({ type: MessageType.MsgAppResp, to: m.from, index: m.index, reject: true, rejectHint: hintIndex, logTerm: hintTerm }));
}

function handleHeartbeat(r: Raft, m: Message): void {
  // The leader never sends a commit beyond what it knows we acked (persisted).
  r.raftLog.commitTo(Math.min(m.commit, r.raftLog.lastIndex()));
  r.send(newMessage({ type: MessageType.MsgHeartbeatResp, to: m.from, context: m.context }));
}

function handleSnapshot(r: Raft, m: Message): void {
  const s = m.snapshot;
  if (!s) {
    r.logger.warn(`${hex(r.id)} received MsgSnap without a snapshot from ${hex(m.from)}`);
    return;
  }
  const { index: sindex, term: sterm } = s.metadata;
  if (restore(r, s)) {
    r.logger.info(`${hex(r.id)} [commit: ${r.raftLog.committed}] restored snapshot [index: ${sindex}, term: ${sterm}]`);
    r.ackAppend(m.from, r.raftLog.lastIndex());
  } else {
    r.logger.info(`${hex(r.id)} [commit: ${r.raftLog.committed}] ignored snapshot [index: ${sindex}, term: ${sterm}]`);
    r.ackAppend(m.from, r.raftLog.committed);
  }
}

/** Replaces the log with the snapshot; false if it is stale or already covered by our log. */
function restore(r: Raft, s: Snapshot): boolean {
  const meta = s.metadata;
  if (meta.index <= r.raftLog.committed) return false;
  if (r.state !== StateType.Follower) {
    r.logger.warn(`${hex(r.id)} attempted to restore snapshot as leader; should never happen`);
    r.becomeFollower(r.term + 1, NONE);
    return false;
  }
  const inConf = meta.confState.voters.includes(r.id) || meta.confState.learners.includes(r.id);
  if (!inConf) {
    r.logger.warn(`${hex(r.id)} attempted to restore snapshot but it is not in the ConfState ${describeConfState(meta.confState)}; should never happen`);
    return false;
  }
  if (r.raftLog.matchTerm(meta.index, meta.term)) {
    r.logger.info(
      `${hex(r.id)} [commit: ${r.raftLog.committed}, lastindex: ${r.raftLog.lastIndex()}, lastterm: ${r.raftLog.lastTerm()}] fast-forwarded commit to snapshot [index: ${meta.index}, term: ${meta.term}]`,
    );
    r.raftLog.commitTo(meta.index);
    return false;
  }
  r.logger.info(`log [${r.raftLog}] starts to restore snapshot [index: ${meta.index}, term: ${meta.term}]`);
  r.raftLog.restore(s);
  restoreConfState(r.prs, meta.confState, r.raftLog.lastIndex());
  r.logger.info(`${hex(r.id)} switched to configuration ${r.prs.describeConfig()}`);
  r.isLearner = r.prs.progress.get(r.id)?.isLearner ?? false;
  r.logger.info(
    `${hex(r.id)} [commit: ${r.raftLog.committed}, lastindex: ${r.raftLog.lastIndex()}, lastterm: ${r.raftLog.lastTerm()}] restored snapshot [index: ${meta.index}, term: ${meta.term}]`,
  );
  return true;
}
