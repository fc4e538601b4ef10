// ProgressTracker: the configuration (voters, learners), each member's Progress, and the votes of an election.
import { committedIndex, voteResult, type VoteResult } from '../quorum/majority';
import type { ConfState, NodeId } from '../types';
import { Inflights } from './inflights';
import { Progress } from './progress';

export function sortIds(ids: Iterable<NodeId>): NodeId[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export class ProgressTracker {
  voters = new Set<NodeId>();
  learners = new Set<NodeId>();
  progress = new Map<NodeId, Progress>();
  votes = new Map<NodeId, boolean>();

  constructor(
    readonly maxInflight: number,
    readonly maxInflightBytes: number,
  ) {}

  newProgress(next: number, isLearner: boolean): Progress {
    return new Progress(next, new Inflights(this.maxInflight, this.maxInflightBytes), isLearner);
  }

  voterIds(): NodeId[] {
    return sortIds(this.voters);
  }

  learnerIds(): NodeId[] {
    return sortIds(this.learners);
  }

  confState(): ConfState {
    return { voters: this.voterIds(), learners: this.learnerIds() };
  }

  isSingleton(): boolean {
    return this.voters.size === 1 && this.learners.size === 0;
  }

  /** The largest index replicated on a quorum of voters. */
  committed(): number {
    return committedIndex(this.voterIds(), (id) => this.progress.get(id)?.match);
  }

  /** Visits progresses in id order (deterministic message order). */
  visit(f: (id: NodeId, pr: Progress) => void): void {
    for (const id of sortIds(this.progress.keys())) f(id, this.progress.get(id)!);
  }

  /** Is a quorum of voters recently active? (the leader counts itself) */
  quorumActive(): boolean {
    const votes = new Map<NodeId, boolean>();
    this.visit((id, pr) => {
      if (!pr.isLearner) votes.set(id, pr.recentActive);
    });
    return voteResult(this.voterIds(), votes) === 'won';
  }

  resetVotes(): void {
    this.votes = new Map();
  }

  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    for (const id of this.voters) {
      const v = this.votes.get(id);
      if (v === undefined) continue;
      if (v) granted++;
      else rejected++;
    }
    return { granted, rejected, result: voteResult(this.voterIds(), this.votes) };
  }

  describeConfig(): string {
    let s = `voters=(${this.voterIds().join(' ')})`;
    if (this.learners.size > 0) s += ` learners=(${this.learnerIds().join(' ')})`;
    return s;
  }
}
