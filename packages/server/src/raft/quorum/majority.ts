// Majority quorum math, pure functions on sets of voters.
import type { NodeId } from '../types';

export type VoteResult = 'pending' | 'lost' | 'won';

/** Smallest number of voters that is a majority of n. */
export function majoritySize(n: number): number {
  return Math.floor(n / 2) + 1;
}

/**
 * The largest index acknowledged by a majority of `voters` (missing acks count as 0).
 * An empty configuration commits everything (Infinity), so that joint/empty halves never hold back.
 */
export function committedIndex(voters: readonly NodeId[], acked: (id: NodeId) => number | undefined): number {
  const n = voters.length;
  if (n === 0) return Infinity;
  const idxs = voters.map((id) => acked(id) ?? 0);
  idxs.sort((a, b) => b - a);
  return idxs[majoritySize(n) - 1]!;
}

/** Won once a majority granted; lost once a majority can no longer be reached; pending otherwise. */
export function voteResult(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.length === 0) return 'won';
  let granted = 0;
  let rejected = 0;
  let missing = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) granted++;
    else rejected++;
  }
  const q = majoritySize(voters.length);
  if (granted >= q) return 'won';
  if (granted + missing >= q) return 'pending';
  return 'lost';
}
