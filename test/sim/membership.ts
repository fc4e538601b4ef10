// Membership changes in the simulation: add a voter, add a learner and later promote it, remove
// a voter (never below MIN_VOTERS). Changes are proposed at the current leader as raft
// ConfChanges; the cluster's configuration is whatever members have applied (one conf change
// at a time, as raft serializes them). A removed member is decommissioned for good; a joining
// member starts with an empty disk and learns everything from the leader.

import { ConfChangeType, ProposalDroppedError, type ConfState, type NodeId } from '../../packages/server/src/raft/types';
import type { Prng } from './prng';
import type { SimMember } from './sim-member';

export const MIN_VOTERS = 3;
/** New members get fresh ids from here on (etcd never reuses a removed member's id). */
const FIRST_SPARE_ID = 100n;
/** Members spawned to join, per run (a lost proposal leaves its joiner idle, outside the config). */
const MAX_JOINERS = 3;

export type MembershipChange = 'add-voter' | 'add-learner' | 'promote-learner' | 'remove-voter';

export interface MembershipPort {
  leader(): SimMember | undefined;
  /** Create (and start) a member that joins with an empty disk. */
  spawn(id: NodeId): SimMember;
  /** Stop a removed (or never admitted) member for good. */
  decommission(id: NodeId): void;
  after(delayMs: number, work: () => void): void;
}

export class Membership {
  voters = new Set<NodeId>();
  learners = new Set<NodeId>();
  /** Started, proposed for addition, not (yet) in the configuration: it idles until admitted. */
  readonly joining = new Set<NodeId>();
  readonly decommissioned = new Set<NodeId>();
  private lastConfIndex = 0;
  private nextId = FIRST_SPARE_ID;
  private changeId = 1n;
  readonly applied: Record<MembershipChange, number> = { 'add-voter': 0, 'add-learner': 0, 'promote-learner': 0, 'remove-voter': 0 };

  constructor(
    private readonly port: MembershipPort,
    private readonly prng: Prng,
    private readonly maxVoters: number,
  ) {}

  isMember(id: NodeId): boolean {
    return this.voters.has(id) || this.learners.has(id);
  }

  /** Try one random change at the leader; returns what was proposed, if anything. */
  proposeRandomChange(): MembershipChange | undefined {
    const leader = this.port.leader();
    if (!leader) return undefined;
    const options: MembershipChange[] = [];
    const spawned = Number(this.nextId - FIRST_SPARE_ID);
    if (spawned < MAX_JOINERS && this.voters.size + this.learners.size < this.maxVoters + 1) options.push('add-voter', 'add-learner');
    if (this.learners.size > 0 && this.voters.size < this.maxVoters) options.push('promote-learner');
    if (this.voters.size > MIN_VOTERS) options.push('remove-voter');
    if (options.length === 0) return undefined;
    const change = this.prng.pick(options);
    let nodeId: NodeId;
    let type: ConfChangeType;
    switch (change) {
      case 'add-voter':
      case 'add-learner':
        nodeId = this.nextId++;
        this.joining.add(nodeId);
        this.port.spawn(nodeId);
        type = change === 'add-voter' ? ConfChangeType.AddNode : ConfChangeType.AddLearnerNode;
        break;
      case 'promote-learner':
        nodeId = this.prng.pick([...this.learners]);
        type = ConfChangeType.AddNode;
        break;
      case 'remove-voter':
        nodeId = this.prng.pick([...this.voters]);
        type = ConfChangeType.RemoveNode;
        break;
    }
    try {
      leader.proposeConfChange({ id: this.changeId++, type, nodeId, context: new Uint8Array(0) });
    } catch (err) {
      if (!(err instanceof ProposalDroppedError)) throw err;
    }
    return change;
  }

  /** A member applied a ConfChange entry at `index`; the first to do so moves the configuration on. */
  onApplied(index: number, cs: ConfState): void {
    if (index <= this.lastConfIndex) return;
    this.lastConfIndex = index;
    const before = new Set([...this.voters, ...this.learners]);
    const wasLearner = new Set(this.learners);
    this.voters = new Set(cs.voters);
    this.learners = new Set(cs.learners);
    for (const id of cs.voters) {
      if (wasLearner.has(id)) this.applied['promote-learner']++;
      else if (!before.has(id) && this.joining.delete(id)) this.applied['add-voter']++;
    }
    for (const id of cs.learners) if (!before.has(id) && this.joining.delete(id)) this.applied['add-learner']++;
    for (const id of before) {
      if (this.isMember(id)) continue;
      this.applied['remove-voter']++;
      this.decommissioned.add(id);
      // Like etcd, the removed member stops once the removal is applied.
      this.port.after(this.prng.range(1, 20), () => this.port.decommission(id));
    }
  }
}
