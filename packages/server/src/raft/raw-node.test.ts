import { decodeConfChange } from './confchange-codec';
import { MemoryStorage } from './memory-storage';
import { RawNode } from './raw-node';
import {
  ConfChangeType,
  EntryType,
  MessageType,
  ProposalDroppedError,
  StateType,
  type Message,
  type RaftConfig,
  type Ready,
} from './types';

const enc = new TextEncoder();

function config(id: bigint, storage: MemoryStorage, extra: Partial<RaftConfig> = {}): RaftConfig {
  return {
    id,
    electionTick: 10,
    heartbeatTick: 1,
    storage,
    maxSizePerMsg: 1024 * 1024,
    maxInflightMsgs: 256,
    randomInt: () => 0,
    ...extra,
  };
}

/** Persists a Ready into storage the way a driver would, then advances. */
function handle(rn: RawNode, s: MemoryStorage): Ready {
  const rd = rn.ready();
  if (rd.snapshot) s.applySnapshot(rd.snapshot);
  if (rd.hardState) s.setHardState(rd.hardState);
  s.append(rd.entries);
  for (const e of rd.committedEntries) if (e.type === EntryType.ConfChange) rn.applyConfChange(decodeConfChange(e.data));
  rn.advance(rd);
  return rd;
}

function singleLeader(extra: Partial<RaftConfig> = {}): { rn: RawNode; s: MemoryStorage } {
  const s = new MemoryStorage();
  const rn = RawNode.bootstrap(config(1n, s, extra), [{ id: 1n }]);
  handle(rn, s);
  rn.campaign();
  while (rn.hasReady()) handle(rn, s);
  expect(rn.status().softState.raftState).toBe(StateType.Leader);
  return { rn, s };
}

describe('RawNode', () => {
  it('bootstrap: the first Ready persists and commits one AddNode per peer, with its context', () => {
    const s = new MemoryStorage();
    const ctx = enc.encode('{"name":"a"}');
    const rn = RawNode.bootstrap(config(1n, s), [{ id: 1n, context: ctx }, { id: 2n }]);
    const rd = rn.ready();
    expect(rd.hardState).toEqual({ term: 1, vote: 0n, commit: 2 });
    expect(rd.mustSync).toBe(true);
    expect(rd.entries.map((e) => [e.index, e.term, e.type])).toEqual([
      [1, 1, EntryType.ConfChange],
      [2, 1, EntryType.ConfChange],
    ]);
    expect(rd.committedEntries).toEqual(rd.entries);
    const cc = decodeConfChange(rd.entries[0]!.data);
    expect(cc).toEqual({ id: 0n, type: ConfChangeType.AddNode, nodeId: 1n, context: ctx });
    expect(() => RawNode.bootstrap(config(1n, (s.append(rd.entries), s)), [{ id: 1n }])).toThrow(/nonempty/);
  });

  it('new RawNode(config, peers) bootstraps the same way; a restart re-delivers committed conf changes after the snapshot', () => {
    const s = new MemoryStorage();
    const rn = new RawNode(config(3n, s), [1n, 2n, 3n]);
    handle(rn, s);
    // Like etcd, the driver restarts with applied = the snapshot index (0 here): the membership
    // is rebuilt by applying the committed ConfChange entries again.
    const restarted = new RawNode(config(3n, s, { applied: 0 }));
    expect(restarted.status().hardState).toEqual({ term: 1, vote: 0n, commit: 3 });
    expect(restarted.raft.prs.voters.size).toBe(0);
    const rd = handle(restarted, s);
    expect(rd.entries).toEqual([]);
    expect(rd.committedEntries.map((e) => e.index)).toEqual([1, 2, 3]);
    expect([...restarted.raft.prs.voters].sort()).toEqual([1n, 2n, 3n]);
    expect(restarted.hasReady()).toBe(false);
  });

  it('a sole voter commits its new entries in the Ready that hands them out for persisting', () => {
    const { rn, s } = singleLeader();
    rn.propose(enc.encode('x'));
    const rd1 = rn.ready();
    expect(rd1.entries.map((e) => new TextDecoder().decode(e.data))).toEqual(['x']);
    expect(rd1.mustSync).toBe(true);
    expect(rd1.committedEntries).toEqual(rd1.entries);
    expect(rd1.hardState?.commit).toBe(rd1.entries[0]!.index);
    if (rd1.hardState) s.setHardState(rd1.hardState);
    s.append(rd1.entries);
    rn.advance(rd1);
    expect(rn.hasReady()).toBe(false);
  });

  it("a Ready's entries do not change when proposals arrive before advance", () => {
    const { rn, s } = singleLeader();
    rn.propose(enc.encode('a'));
    const rd = rn.ready();
    const before = rd.entries.map((e) => e.index);
    rn.propose(enc.encode('b'));
    rn.propose(enc.encode('c'));
    expect(rd.entries.map((e) => e.index)).toEqual(before);
    expect(rd.committedEntries.map((e) => e.index)).toEqual(before);
    if (rd.hardState) s.setHardState(rd.hardState);
    s.append(rd.entries);
    rn.advance(rd);
    const rd2 = handle(rn, s);
    expect(rd2.entries.map((e) => new TextDecoder().decode(e.data))).toEqual(['b', 'c']);
  });

  it('a leader with a learner counts its own entries only once persisted', () => {
    const { rn, s } = singleLeader();
    rn.proposeConfChange({ id: 1n, type: ConfChangeType.AddLearnerNode, nodeId: 2n, context: new Uint8Array(0) });
    while (rn.hasReady()) handle(rn, s);
    expect(rn.status().progress?.get(2n)?.isLearner).toBe(true);
    rn.propose(enc.encode('y'));
    const rd1 = rn.ready();
    expect(rd1.entries.length).toBe(1);
    expect(rd1.committedEntries).toEqual([]);
    s.append(rd1.entries);
    rn.advance(rd1);
    const rd2 = handle(rn, s);
    expect(rd2.committedEntries.map((e) => e.index)).toEqual([rd1.entries[0]!.index]);
  });

  it('a multi-voter leader never counts entries it has not persisted', () => {
    const s = new MemoryStorage();
    const rn = new RawNode(config(1n, s), [1n, 2n, 3n]);
    handle(rn, s);
    rn.campaign();
    handle(rn, s);
    const term = rn.status().hardState.term;
    const base: Message = {
      type: MessageType.MsgVoteResp, to: 1n, from: 2n, term, logTerm: 0, index: 0,
      entries: [], commit: 0, reject: false, rejectHint: 0, context: new Uint8Array(0),
    };
    rn.step(base);
    expect(rn.status().softState.raftState).toBe(StateType.Leader);
    const rdEmpty = handle(rn, s); // the leader's empty entry, now persisted
    const emptyIndex = rdEmpty.entries[0]!.index;
    rn.step({ ...base, type: MessageType.MsgAppResp, index: emptyIndex });
    while (rn.hasReady()) handle(rn, s);
    expect(rn.status().hardState.commit).toBe(emptyIndex);
    rn.propose(enc.encode('z'));
    // Follower 2 acks the new entry before the leader has persisted it: 1 of 2 needed acks only.
    rn.step({ ...base, type: MessageType.MsgAppResp, index: emptyIndex + 1 });
    const rd1 = rn.ready();
    expect(rd1.entries.map((e) => e.index)).toEqual([emptyIndex + 1]);
    expect(rd1.committedEntries).toEqual([]);
    expect(rd1.hardState?.commit ?? emptyIndex).toBe(emptyIndex);
    s.append(rd1.entries);
    rn.advance(rd1);
    // Persisted now: the leader's own ack completes the quorum.
    const rd2 = handle(rn, s);
    expect(rd2.committedEntries.map((e) => e.index)).toEqual([emptyIndex + 1]);
  });

  it('propose without a leader throws ProposalDroppedError', () => {
    const s = new MemoryStorage();
    const rn = new RawNode(config(1n, s), [1n, 2n, 3n]);
    expect(() => rn.propose(enc.encode('x'))).toThrow(ProposalDroppedError);
  });

  it('maxUncommittedEntriesSize drops proposals beyond the limit until entries commit', () => {
    const { rn, s } = singleLeader({ maxUncommittedEntriesSize: 10 });
    rn.propose(new Uint8Array(6));
    rn.propose(new Uint8Array(4));
    expect(() => rn.propose(new Uint8Array(1))).toThrow(/too many uncommitted/);
    while (rn.hasReady()) handle(rn, s);
    rn.propose(new Uint8Array(8)); // the earlier ones committed and were applied: room again
  });

  it('maxCommittedSizePerReady bounds the committed entries handed out per Ready', () => {
    const { rn, s } = singleLeader({ maxCommittedSizePerReady: 50, maxSizePerMsg: 50 });
    for (let i = 0; i < 6; i++) rn.propose(new Uint8Array(20));
    const sizes: number[] = [];
    while (rn.hasReady()) sizes.push(handle(rn, s).committedEntries.length);
    expect(sizes.length).toBeGreaterThan(1);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(6);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2);
  });

  it('refuses a second conf change while one is pending, accepts it after apply', () => {
    const { rn, s } = singleLeader();
    const cc = { id: 1n, type: ConfChangeType.AddLearnerNode, nodeId: 2n, context: new Uint8Array(0) };
    rn.proposeConfChange(cc);
    expect(() => rn.proposeConfChange({ ...cc, nodeId: 3n })).toThrow(ProposalDroppedError);
    while (rn.hasReady()) handle(rn, s);
    expect(rn.status().progress?.get(2n)?.isLearner).toBe(true);
    rn.proposeConfChange({ ...cc, type: ConfChangeType.AddNode });
    while (rn.hasReady()) handle(rn, s);
    expect(rn.status().progress?.get(2n)?.isLearner).toBe(false);
  });

  it('reportUnreachable moves a replicating follower back to probe', () => {
    const s = new MemoryStorage();
    const rn = new RawNode(config(1n, s), [1n, 2n]);
    handle(rn, s);
    rn.campaign();
    handle(rn, s);
    const vote: Message = {
      type: MessageType.MsgVoteResp, to: 1n, from: 2n, term: rn.status().hardState.term, logTerm: 0, index: 0,
      entries: [], commit: 0, reject: false, rejectHint: 0, context: new Uint8Array(0),
    };
    rn.step(vote);
    expect(rn.status().softState.raftState).toBe(StateType.Leader);
    handle(rn, s);
    rn.step({ ...vote, type: MessageType.MsgAppResp, index: s.lastIndex() });
    expect(rn.status().progress?.get(2n)?.state).toBe('replicate');
    rn.reportUnreachable(2n);
    expect(rn.status().progress?.get(2n)?.state).toBe('probe');
  });

  it('ignores local message types arriving from the network', () => {
    const s = new MemoryStorage();
    const rn = new RawNode(config(1n, s), [1n, 2n, 3n]);
    handle(rn, s);
    rn.step({
      type: MessageType.MsgHup, to: 1n, from: 2n, term: 0, logTerm: 0, index: 0,
      entries: [], commit: 0, reject: false, rejectHint: 0, context: new Uint8Array(0),
    });
    expect(rn.status().softState.raftState).toBe(StateType.Follower);
  });

  it('validates the config', () => {
    const s = new MemoryStorage();
    expect(() => new RawNode(config(0n, s))).toThrow(/none as id/);
    expect(() => new RawNode(config(1n, s, { electionTick: 1, heartbeatTick: 1 }))).toThrow(/election tick/);
    expect(() => new RawNode(config(1n, s, { maxInflightMsgs: 0 }))).toThrow(/inflight/);
  });
});
