import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Backend } from '../backend/backend';
import { decodeConfChange, encodeConfChange } from '../raft/confchange-codec';
import { MemoryStorage } from '../raft/memory-storage';
import { RawNode } from '../raft/raw-node';
import { ConfChangeType, EntryType, StateType, type Entry, type HardState, type Snapshot } from '../raft/types';
import { Applier, type ApplierDeps } from './applier';
import {
  FORCED_MEMBER_PEER_URL,
  forceNewClusterRestart,
  planForceNewCluster,
  raftMemberIds,
  type ForceNewClusterInput,
} from './force-new-cluster';
import { decodeMemberJson, Membership, type MemberRecord } from './membership';

const enc = new TextEncoder();

function cc(index: number, type: ConfChangeType, nodeId: bigint, term = 1): Entry {
  return { term, index, type: EntryType.ConfChange, data: encodeConfChange({ id: 0n, type, nodeId, context: new Uint8Array(0) }) };
}
function normal(index: number, term = 2, text = `e${index}`): Entry {
  return { term, index, type: EntryType.Normal, data: enc.encode(text) };
}
/** A leader's empty entry: the applier takes it without a state machine behind it. */
function empty(index: number, term = 2): Entry {
  return { term, index, type: EntryType.Normal, data: new Uint8Array(0) };
}
function snapshotAt(index: number, term: number, voters: bigint[]): Snapshot {
  return { data: new Uint8Array(0), metadata: { index, term, confState: { voters, learners: [] } } };
}
function member(id: bigint, port: number): MemberRecord {
  return { id, name: `m${id}`, peerUrls: [`http://127.0.0.1:${port}`], clientUrls: [], isLearner: false };
}

describe('raftMemberIds (etcd getIDs)', () => {
  it('starts from the snapshot voters and learners and follows the ConfChange entries', () => {
    const snap: Snapshot = { data: new Uint8Array(0), metadata: { index: 10, term: 2, confState: { voters: [3n, 1n], learners: [7n] } } };
    const ents = [cc(11, ConfChangeType.AddNode, 5n), cc(12, ConfChangeType.RemoveNode, 3n), normal(13), cc(14, ConfChangeType.UpdateNode, 1n)];
    expect(raftMemberIds(snap, ents)).toEqual([1n, 5n, 7n]);
    expect(raftMemberIds(undefined, [cc(1, ConfChangeType.AddNode, 2n), cc(2, ConfChangeType.AddLearnerNode, 1n)])).toEqual([1n, 2n]);
  });
});

describe('planForceNewCluster', () => {
  const bootstrap3 = [cc(1, ConfChangeType.AddNode, 1n), cc(2, ConfChangeType.AddNode, 2n), cc(3, ConfChangeType.AddNode, 3n)];

  it('drops uncommitted entries and commits removals of every other member after the commit index', () => {
    const entries = [...bootstrap3, normal(4), normal(5), normal(6), normal(7)];
    const hardState: HardState = { term: 2, vote: 3n, commit: 5 };
    const plan = planForceNewCluster({ memberId: 2n, snapshot: undefined, hardState, entries, storedMemberIds: [1n, 2n, 3n] });
    expect(plan.discarded).toBe(2);
    expect(plan.addsSelf).toBe(false);
    expect(plan.removedIds).toEqual([1n, 3n]);
    expect(plan.appended.map((e) => e.index)).toEqual([6, 7]);
    expect(plan.appended.every((e) => e.term === 2 && e.type === EntryType.ConfChange)).toBe(true);
    expect(plan.appended.map((e) => decodeConfChange(e.data))).toEqual([
      { id: 0n, type: ConfChangeType.RemoveNode, nodeId: 1n, context: new Uint8Array(0) },
      { id: 0n, type: ConfChangeType.RemoveNode, nodeId: 3n, context: new Uint8Array(0) },
    ]);
    expect(plan.entries.map((e) => e.index)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // The appended entries replace the discarded 6 and 7, not a duplicate of them.
    expect(plan.entries[5]!.type).toBe(EntryType.ConfChange);
    expect(plan.hardState).toEqual({ term: 2, vote: 3n, commit: 7 });
  });

  it('adds this member first when raft does not know it (a backup with a new id), then removes the old ones', () => {
    const snap = snapshotAt(20, 3, [1n, 2n, 3n]);
    const plan = planForceNewCluster({
      memberId: 9n,
      snapshot: snap,
      hardState: { term: 3, vote: 0n, commit: 22 },
      entries: [normal(21, 3), normal(22, 3)],
      storedMemberIds: [],
    });
    expect(plan.addsSelf).toBe(true);
    const changes = plan.appended.map((e) => decodeConfChange(e.data));
    expect(changes.map((c) => [c.type, c.nodeId])).toEqual([
      [ConfChangeType.AddNode, 9n],
      [ConfChangeType.RemoveNode, 1n],
      [ConfChangeType.RemoveNode, 2n],
      [ConfChangeType.RemoveNode, 3n],
    ]);
    expect(decodeMemberJson(changes[0]!.context)).toEqual({ id: 9n, name: '', peerUrls: [FORCED_MEMBER_PEER_URL], clientUrls: [], isLearner: false });
    expect(plan.appended.map((e) => e.index)).toEqual([23, 24, 25, 26]);
    expect(plan.hardState.commit).toBe(26);
  });

  it('appends after the snapshot when no entry follows it', () => {
    const plan = planForceNewCluster({
      memberId: 1n,
      snapshot: snapshotAt(50, 4, [1n, 2n]),
      hardState: { term: 4, vote: 1n, commit: 50 },
      entries: [],
      storedMemberIds: [1n, 2n],
    });
    expect(plan.appended.map((e) => [e.index, decodeConfChange(e.data).nodeId])).toEqual([[51, 2n]]);
    expect(plan.hardState.commit).toBe(51);
  });

  it('has nothing to append for a member already alone', () => {
    const plan = planForceNewCluster({
      memberId: 1n,
      snapshot: undefined,
      hardState: { term: 2, vote: 1n, commit: 3 },
      entries: [cc(1, ConfChangeType.AddNode, 1n), normal(2), normal(3)],
      storedMemberIds: [1n],
    });
    expect(plan.appended).toEqual([]);
    expect(plan.hardState.commit).toBe(3);
  });
});

// The plan driven through the real raft core and the member's applier: the member ends up the
// only voter, the stored membership agrees, and it elects itself.
describe('forced restart applied by raft and the applier', () => {
  let dir: string;
  let backend: Backend;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'force-new-cluster-'));
    backend = Backend.open(path.join(dir, 'db'));
  });
  afterEach(async () => {
    await backend.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function restartForced(stored: MemberRecord[], input: Omit<ForceNewClusterInput, 'storedMemberIds'>) {
    backend.batchTx((tx) => {
      for (const m of stored) new Membership(7n, []).put(tx, m);
    });
    const membership = Membership.load(7n, backend.readTx());
    const walWrites: { hs: HardState; entries: readonly Entry[]; storedAtSave: bigint[] }[] = [];
    const plan = await forceNewClusterRestart(
      {
        wal: { save: async (hs, entries) => void walWrites.push({ hs, entries, storedAtSave: Membership.load(7n, backend.readTx()).ids() }) },
        backend,
        membership,
      },
      { ...input, storedMemberIds: membership.ids() },
    );
    // The membership is prepared (every member to remove is stored) before the WAL commits the removals.
    expect(walWrites).toEqual([{ hs: plan.hardState, entries: plan.appended, storedAtSave: expect.arrayContaining(plan.removedIds) }]);
    const storage = new MemoryStorage();
    if (input.snapshot !== undefined) storage.applySnapshot(input.snapshot);
    storage.setHardState(plan.hardState);
    storage.append(plan.entries);
    const applied = input.snapshot?.metadata.index ?? 0;
    const node = new RawNode({
      id: input.memberId,
      electionTick: 10,
      heartbeatTick: 1,
      storage,
      applied,
      maxSizePerMsg: 1 << 20,
      maxInflightMsgs: 256,
      randomInt: () => 0,
    });
    const deps = { node, membership, memberId: input.memberId, isWaiting: () => false, onAlarmChange: () => undefined, alarms: { has: () => false } };
    const applier = new Applier(deps as unknown as ApplierDeps);
    let voters: readonly bigint[] = input.snapshot?.metadata.confState.voters ?? [];
    const drain = (): void => {
      while (node.hasReady()) {
        const rd = node.ready();
        if (rd.hardState) storage.setHardState(rd.hardState);
        if (rd.entries.length > 0) storage.append(rd.entries);
        backend.batchTx((tx) => {
          const out = applier.applyEntries(tx, rd.committedEntries, backend.consistentIndex());
          if (out.confState !== undefined) voters = out.confState.voters;
          const last = rd.committedEntries[rd.committedEntries.length - 1];
          if (last !== undefined) tx.setConsistentIndex(last.index);
        });
        node.advance(rd);
      }
    };
    drain();
    return { plan, node, membership, voters: () => voters, drain };
  }

  it('a 3-member member restarted alone keeps its id, removes the others and leads', async () => {
    const bootstrap = [1n, 2n, 3n].map((id, i) => ({ ...cc(i + 1, ConfChangeType.AddNode, id), data: encodeConfChange({ id: 0n, type: ConfChangeType.AddNode, nodeId: id, context: new Uint8Array(0) }) }));
    // The backend already holds everything up to 4: the bootstrap changes replay, 5 applies.
    backend.batchTx((tx) => tx.setConsistentIndex(4));
    const r = await restartForced([member(1n, 1001), member(2n, 1002), member(3n, 1003)], {
      memberId: 2n,
      snapshot: undefined,
      hardState: { term: 2, vote: 1n, commit: 5 },
      entries: [...bootstrap, empty(4), empty(5), empty(6)],
    });
    expect(r.plan.removedIds).toEqual([1n, 3n]);
    expect(r.voters()).toEqual([2n]);
    expect(r.membership.ids()).toEqual([2n]);
    expect(r.membership.isRemoved(1n) && r.membership.isRemoved(3n)).toBe(true);
    expect(Membership.load(7n, backend.readTx()).ids()).toEqual([2n]);
    r.node.campaign();
    r.drain();
    expect(r.node.status().softState.raftState).toBe(StateType.Leader);
  });

  it('a backup (new member id, no stored membership, snapshot of three voters) becomes a one-member cluster', async () => {
    const r = await restartForced([], {
      memberId: 0xabcn,
      snapshot: snapshotAt(20, 3, [1n, 2n, 3n]),
      hardState: { term: 3, vote: 0n, commit: 21 },
      entries: [empty(21, 3)],
    });
    expect(r.voters()).toEqual([0xabcn]);
    const solo = r.membership.member(0xabcn);
    // etcd's placeholder peer URL; name and client URLs arrive with the member's publish.
    expect(solo).toEqual({ id: 0xabcn, name: '', peerUrls: [FORCED_MEMBER_PEER_URL], clientUrls: [], isLearner: false });
    expect(r.membership.ids()).toEqual([0xabcn]);
    r.node.campaign();
    r.drain();
    expect(r.node.status().softState.raftState).toBe(StateType.Leader);
  });

  it("an old member holding etcd's placeholder peer URL (a default-configured cluster) does not block the add", async () => {
    const r = await restartForced([{ ...member(1n, 2380), peerUrls: ['http://10.0.0.1:2380', FORCED_MEMBER_PEER_URL] }], {
      memberId: 0xabcn,
      snapshot: snapshotAt(20, 3, [1n]),
      hardState: { term: 3, vote: 0n, commit: 20 },
      entries: [],
    });
    expect(r.voters()).toEqual([0xabcn]);
    expect(r.membership.member(0xabcn)?.peerUrls).toEqual([FORCED_MEMBER_PEER_URL]);
    expect(r.membership.ids()).toEqual([0xabcn]);
  });
});
