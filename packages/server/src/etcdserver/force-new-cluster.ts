// --force-new-cluster (etcd's restartAsStandaloneNode): on restart, drop the WAL entries past
// the commit index, then append and commit ConfChanges that leave this member as the only voter
// (AddNode self when raft does not know it, RemoveNode for everyone else). The data is kept; the
// new entries are applied like any others, so raft's config and the stored membership follow.
//
// The applier validates each ConfChange against the stored membership (conf-change.ts), so the
// membership is prepared first: every member to remove must be present (a backup's backend has
// none) and must not hold the peer URLs this member is added with.

import type { BatchTx } from '../backend/backend';
import { encodeConfChange, decodeConfChange } from '../raft/confchange-codec';
import { ConfChangeType, EntryType, type Entry, type HardState, type Snapshot } from '../raft/types';
import { encodeMemberJson, type MemberRecord, type Membership } from './membership';

/**
 * The peer URL etcd gives a member it force-adds (createConfigChangeEnts), whatever
 * --initial-advertise-peer-urls says: `member update` fixes it, as with etcd. Name and client
 * URLs come with the member's publish once it serves.
 */
export const FORCED_MEMBER_PEER_URL = 'http://localhost:2380';

/**
 * The members raft knows after the snapshot and `entries` (etcd getIDs): voters and learners of
 * the snapshot, then each ConfChange entry's effect, ascending.
 */
export function raftMemberIds(snapshot: Snapshot | undefined, entries: readonly Entry[]): bigint[] {
  const ids = new Set<bigint>();
  if (snapshot !== undefined) {
    for (const id of snapshot.metadata.confState.voters) ids.add(id);
    for (const id of snapshot.metadata.confState.learners) ids.add(id);
  }
  for (const e of entries) {
    if (e.type !== EntryType.ConfChange) continue;
    const cc = decodeConfChange(e.data);
    switch (cc.type) {
      case ConfChangeType.AddNode:
      case ConfChangeType.AddLearnerNode:
        ids.add(cc.nodeId);
        break;
      case ConfChangeType.RemoveNode:
        ids.delete(cc.nodeId);
        break;
      case ConfChangeType.UpdateNode:
        break;
    }
  }
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface ForceNewClusterInput {
  readonly memberId: bigint;
  readonly snapshot: Snapshot | undefined;
  /** HardState read from the WAL. */
  readonly hardState: HardState;
  /** Entries after the snapshot read from the WAL (consecutive). */
  readonly entries: readonly Entry[];
  /** Ids the stored membership lists (removed too, so nothing but this member survives). */
  readonly storedMemberIds: readonly bigint[];
}

export interface ForceNewClusterPlan {
  /** The committed entries kept, then the appended ConfChanges. */
  readonly entries: Entry[];
  /** The ConfChange entries to append to the WAL (after the commit index). */
  readonly appended: Entry[];
  /** The HardState to persist with them: commit moved to the last appended entry. */
  readonly hardState: HardState;
  /** How many uncommitted entries were discarded. */
  readonly discarded: number;
  /** Whether this member is added (it was not in raft's config). */
  readonly addsSelf: boolean;
  /** Members removed by the appended entries, ascending. */
  readonly removedIds: bigint[];
  /** The member record the AddNode carries (when addsSelf). */
  readonly selfRecord: MemberRecord;
}

function confChangeEntry(term: number, index: number, type: ConfChangeType, nodeId: bigint, context: Uint8Array): Entry {
  // id 0, as etcd's: nobody waits for these, and an AddNode of an already stored member is then
  // taken as a bootstrap entry (applied to raft, membership unchanged).
  return { term, index, type: EntryType.ConfChange, data: encodeConfChange({ id: 0n, type, nodeId, context }) };
}

/** What a forced restart writes and starts from; pure (the caller persists `appended` + `hardState`). */
export function planForceNewCluster(input: ForceNewClusterInput): ForceNewClusterPlan {
  const { memberId, snapshot, hardState } = input;
  const committed = input.entries.filter((e) => e.index <= hardState.commit);
  const discarded = input.entries.length - committed.length;
  const raftIds = raftMemberIds(snapshot, committed);
  const addsSelf = !raftIds.includes(memberId);
  const toRemove = new Set<bigint>([...raftIds, ...input.storedMemberIds]);
  toRemove.delete(memberId);
  const removedIds = [...toRemove].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const selfRecord: MemberRecord = { id: memberId, name: '', peerUrls: [FORCED_MEMBER_PEER_URL], clientUrls: [], isLearner: false };
  // The log ends at the commit index (or at the snapshot when nothing follows it).
  const lastIndex = committed.length > 0 ? committed[committed.length - 1]!.index : (snapshot?.metadata.index ?? 0);
  const term = hardState.term;
  const appended: Entry[] = [];
  let next = lastIndex + 1;
  // Self first: raft refuses a change that leaves no voter.
  if (addsSelf) appended.push(confChangeEntry(term, next++, ConfChangeType.AddNode, memberId, encodeMemberJson(selfRecord)));
  for (const id of removedIds) appended.push(confChangeEntry(term, next++, ConfChangeType.RemoveNode, id, new Uint8Array(0)));
  const entries = [...committed, ...appended];
  const commit = entries.length > 0 ? entries[entries.length - 1]!.index : hardState.commit;
  return {
    entries,
    appended,
    hardState: { term: hardState.term, vote: hardState.vote, commit: Math.max(commit, hardState.commit) },
    discarded,
    addsSelf,
    removedIds,
    selfRecord,
  };
}

/**
 * Makes the stored membership accept the plan's ConfChanges when they are applied: a member to
 * remove that is not stored gets a placeholder record; one holding a peer URL this member is
 * added with loses its peer URLs (it is removed right after).
 */
export function prepareMembership(tx: BatchTx, membership: Membership, plan: ForceNewClusterPlan): void {
  const selfUrls = new Set(plan.addsSelf ? plan.selfRecord.peerUrls : []);
  for (const id of plan.removedIds) {
    const stored = membership.member(id);
    if (stored === undefined) {
      membership.put(tx, { id, name: '', peerUrls: [], clientUrls: [], isLearner: false });
    } else if (stored.peerUrls.some((u) => selfUrls.has(u))) {
      membership.put(tx, { ...stored, peerUrls: stored.peerUrls.filter((u) => !selfUrls.has(u)) });
    }
  }
}

export interface ForcedRestartDeps {
  readonly wal: { save(hardState: HardState, entries: readonly Entry[]): Promise<void> };
  readonly backend: { batchTx<T>(fn: (tx: BatchTx) => T): T; sync(): Promise<void> };
  readonly membership: Membership;
}

/**
 * Plans the forced restart, prepares the stored membership (durably) so the changes apply
 * cleanly, then makes the appended ConfChanges and the moved commit index durable in the WAL.
 * In this order a crash in between leaves a dir that the same restart repeats (the preparation
 * is idempotent); the other order could leave committed removals the membership rejects.
 */
export async function forceNewClusterRestart(deps: ForcedRestartDeps, input: ForceNewClusterInput): Promise<ForceNewClusterPlan> {
  const plan = planForceNewCluster(input);
  deps.backend.batchTx((tx) => prepareMembership(tx, deps.membership, plan));
  await deps.backend.sync();
  await deps.wal.save(plan.hardState, plan.appended);
  return plan;
}
