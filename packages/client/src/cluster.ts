// Cluster membership RPCs.
import { ClusterDefinition, MemberAddRequest, MemberListRequest, MemberPromoteRequest, MemberRemoveRequest, MemberUpdateRequest, type Member as WireMember } from '@tsetcd/api';
import type { CallOptions, Caller } from './caller';
import { headerFromWire, type ResponseHeader } from './key-value';

export interface Member {
  id: bigint;
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

function member(m: WireMember): Member {
  return { id: m.ID, name: m.name, peerUrls: [...m.peerURLs], clientUrls: [...m.clientURLs], isLearner: m.isLearner };
}

export interface MembersResult {
  header: ResponseHeader;
  members: Member[];
}

export class ClusterApi {
  constructor(private readonly caller: Caller) {}

  async memberList(options: CallOptions = {}): Promise<MembersResult> {
    const res = await this.caller.unary(ClusterDefinition, ClusterDefinition.methods.memberList, MemberListRequest.fromPartial({}), 'read', options);
    return { header: headerFromWire(res.header), members: res.members.map(member) };
  }

  async memberAdd(peerUrls: string[], options: CallOptions & { isLearner?: boolean } = {}): Promise<MembersResult & { member: Member | undefined }> {
    const res = await this.caller.unary(
      ClusterDefinition,
      ClusterDefinition.methods.memberAdd,
      MemberAddRequest.fromPartial({ peerURLs: peerUrls, isLearner: options.isLearner ?? false }),
      'write',
      options,
    );
    return { header: headerFromWire(res.header), member: res.member ? member(res.member) : undefined, members: res.members.map(member) };
  }

  async memberRemove(id: bigint, options: CallOptions = {}): Promise<MembersResult> {
    const res = await this.caller.unary(ClusterDefinition, ClusterDefinition.methods.memberRemove, MemberRemoveRequest.fromPartial({ ID: id }), 'write', options);
    return { header: headerFromWire(res.header), members: res.members.map(member) };
  }

  async memberUpdate(id: bigint, peerUrls: string[], options: CallOptions = {}): Promise<MembersResult> {
    const res = await this.caller.unary(
      ClusterDefinition,
      ClusterDefinition.methods.memberUpdate,
      MemberUpdateRequest.fromPartial({ ID: id, peerURLs: peerUrls }),
      'write',
      options,
    );
    return { header: headerFromWire(res.header), members: res.members.map(member) };
  }

  async memberPromote(id: bigint, options: CallOptions = {}): Promise<MembersResult> {
    const res = await this.caller.unary(ClusterDefinition, ClusterDefinition.methods.memberPromote, MemberPromoteRequest.fromPartial({ ID: id }), 'write', options);
    return { header: headerFromWire(res.header), members: res.members.map(member) };
  }
}
