// Progress: the leader's view of one follower (see etcd raft/tracker/design.md).
//   probe: send one MsgApp per heartbeat interval until the match point is found;
//   replicate: stream MsgApps optimistically, bounded by inflights;
//   snapshot: wait for the snapshot to be applied (or reported failed).
import { Inflights } from './inflights';

export type ProgressStateType = 'probe' | 'replicate' | 'snapshot';

export class Progress {
  match = 0;
  state: ProgressStateType = 'probe';
  pendingSnapshot = 0;
  recentActive = false;
  /** In probe state: a MsgApp was sent since the last heartbeat response. */
  probeSent = false;

  constructor(
    public next: number,
    readonly inflights: Inflights,
    public isLearner: boolean,
  ) {}

  private resetState(state: ProgressStateType): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      const pendingSnapshot = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pendingSnapshot + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
  }

  /** Records that the follower has everything up to n; false if n is stale. */
  maybeUpdate(n: number): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  optimisticUpdate(n: number): void {
    this.next = n + 1;
  }

  /**
   * A MsgApp at index `rejected` was refused; the follower's last index is `matchHint`.
   * Returns false if the rejection is stale (out of order).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), 1);
    this.probeSent = false;
    return true;
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }

  toString(): string {
    let s = `State${this.state[0]!.toUpperCase()}${this.state.slice(1)} match=${this.match} next=${this.next}`;
    if (this.isLearner) s += ' learner';
    if (this.isPaused()) s += ' paused';
    if (this.pendingSnapshot > 0) s += ` pendingSnap=${this.pendingSnapshot}`;
    if (!this.recentActive) s += ' inactive';
    if (this.inflights.count > 0) s += ` inflight=${this.inflights.count}`;
    if (this.inflights.full()) s += '[full]';
    return s;
  }
}
