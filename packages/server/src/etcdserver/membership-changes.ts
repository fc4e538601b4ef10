// The Cluster service's membership changes (etcd's AddMember / RemoveMember / UpdateMember /
// PromoteMember): request checks and etcd's strict reconfiguration checks before proposing; the
// ConfChange itself is validated again at apply time (conf-change.ts).

import {
  ErrLearnerNotReady,
  ErrMemberNotEnoughStarted,
  ErrNotLeader,
  type Member,
  type MemberAddRequest,
  type MemberAddResponse,
  type MemberPromoteRequest,
  type MemberPromoteResponse,
  type MemberRemoveRequest,
  type MemberRemoveResponse,
  type MemberUpdateRequest,
  type MemberUpdateResponse,
  type ResponseHeader,
} from '@tsetcd/api';
import { ConfChangeType, type ConfChange, type RawNodeApi } from '../raft/types';
import { learnerReady, promoteContext, validatePeerUrls } from './conf-change';
import { computeMemberId } from './member-id';
import { encodeMemberJson, type MemberRecord, type Membership } from './membership';
import type { RequestContext } from './server-api';

export interface MembershipChangesDeps {
  readonly membership: Membership;
  readonly node: RawNodeApi;
  readonly selfId: bigint;
  readonly clusterToken: string;
  readonly strictReconfigCheck: boolean;
  /** Cluster responses: cluster/member/term set, revision 0. */
  header(): ResponseHeader;
  /** Proposes the ConfChange, waits for its apply, returns the member list after it. */
  configure(change: Omit<ConfChange, 'id'>, ctx: RequestContext): Promise<Member[]>;
}

export class MembershipChanges {
  constructor(private readonly deps: MembershipChangesDeps) {}

  async add(req: MemberAddRequest, ctx: RequestContext): Promise<MemberAddResponse> {
    validatePeerUrls(req.peerURLs);
    const peerUrls = [...req.peerURLs].sort();
    const member: MemberRecord = {
      id: computeMemberId(peerUrls, this.deps.clusterToken, Math.floor(Date.now() / 1000)),
      name: '',
      peerUrls,
      clientUrls: [],
      isLearner: req.isLearner,
    };
    if (!req.isLearner && this.deps.strictReconfigCheck && !this.readyToAddVoter()) throw new ErrMemberNotEnoughStarted();
    const type = req.isLearner ? ConfChangeType.AddLearnerNode : ConfChangeType.AddNode;
    const members = await this.deps.configure({ type, nodeId: member.id, context: encodeMemberJson(member) }, ctx);
    return {
      header: this.deps.header(),
      member: { ID: member.id, name: '', peerURLs: [...peerUrls], clientURLs: [], isLearner: req.isLearner },
      members,
    };
  }

  async remove(req: MemberRemoveRequest, ctx: RequestContext): Promise<MemberRemoveResponse> {
    const m = this.deps.membership.member(req.ID);
    if (m !== undefined && !m.isLearner && this.deps.strictReconfigCheck && !this.readyToRemoveVoter(req.ID)) {
      throw new ErrMemberNotEnoughStarted();
    }
    const members = await this.deps.configure({ type: ConfChangeType.RemoveNode, nodeId: req.ID, context: new Uint8Array(0) }, ctx);
    return { header: this.deps.header(), members };
  }

  async update(req: MemberUpdateRequest, ctx: RequestContext): Promise<MemberUpdateResponse> {
    validatePeerUrls(req.peerURLs);
    const current = this.deps.membership.member(req.ID);
    const update: MemberRecord = {
      id: req.ID,
      name: current?.name ?? '',
      peerUrls: [...req.peerURLs].sort(),
      clientUrls: current?.clientUrls ?? [],
      isLearner: current?.isLearner ?? false,
    };
    const members = await this.deps.configure({ type: ConfChangeType.UpdateNode, nodeId: req.ID, context: encodeMemberJson(update) }, ctx);
    return { header: this.deps.header(), members };
  }

  async promote(req: MemberPromoteRequest, ctx: RequestContext): Promise<MemberPromoteResponse> {
    const progress = this.deps.node.status().progress;
    if (progress === undefined) throw new ErrNotLeader();
    const learner = progress.get(req.ID);
    const leader = progress.get(this.deps.selfId);
    if (learner !== undefined && leader !== undefined && !learnerReady(learner.match, leader.match)) throw new ErrLearnerNotReady();
    const members = await this.deps.configure({ type: ConfChangeType.AddNode, nodeId: req.ID, context: promoteContext(req.ID) }, ctx);
    return { header: this.deps.header(), members };
  }

  /** etcd's IsReadyToAddVotingMember: the started voters keep a quorum of the grown cluster. */
  private readyToAddVoter(): boolean {
    const voters = this.deps.membership.all().filter((m) => !m.isLearner);
    const started = voters.filter((m) => m.name !== '').length;
    const after = voters.length + 1;
    if (started === 1 && after === 2) return true;
    return started >= Math.floor(after / 2) + 1;
  }

  /** etcd's IsReadyToRemoveVotingMember. */
  private readyToRemoveVoter(id: bigint): boolean {
    const rest = this.deps.membership.all().filter((m) => !m.isLearner && m.id !== id);
    const started = rest.filter((m) => m.name !== '').length;
    return started >= Math.floor(rest.length / 2) + 1;
  }
}
