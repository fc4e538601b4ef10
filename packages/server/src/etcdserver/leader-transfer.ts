// Maintenance.MoveLeader (etcd's MoveLeader): only the leader may hand over, only to a voting
// member; waits until the transferee leads or the request times out.

import { ErrBadLeaderTransferee, ErrNotLeader, EtcdError, GrpcStatus, type MoveLeaderRequest } from '@tsetcd/api';
import { StateType, type RawNodeApi } from '../raft/types';
import type { Membership } from './membership';

/** etcd's ErrTimeoutLeaderTransfer (not in the shared error table yet). */
export function errTimeoutLeaderTransfer(): EtcdError {
  return new EtcdError(GrpcStatus.DEADLINE_EXCEEDED, 'etcdserver: request timed out, leader transfer took too long');
}

export interface LeaderTransferDeps {
  readonly node: RawNodeApi;
  readonly membership: Membership;
  readonly notify: () => void;
  readonly leader: () => bigint;
  /** Resolves when cond() holds; rejects when the signal aborts. */
  readonly waitUntil: (cond: () => boolean, signal: AbortSignal) => Promise<void>;
}

export async function leaderTransfer(deps: LeaderTransferDeps, req: MoveLeaderRequest, signal: AbortSignal): Promise<void> {
  const { node, membership } = deps;
  if (node.status().softState.raftState !== StateType.Leader) throw new ErrNotLeader();
  const target = membership.member(req.targetID);
  if (target === undefined || target.isLearner) throw new ErrBadLeaderTransferee();
  if (deps.leader() === req.targetID) return;
  node.transferLeader(req.targetID);
  deps.notify();
  try {
    await deps.waitUntil(() => deps.leader() === req.targetID, signal);
  } catch {
    throw errTimeoutLeaderTransfer();
  }
}
