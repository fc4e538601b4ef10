// etcdserverpb.Cluster: MemberList always; MemberAdd/Remove/Update/Promote are wired as soon as
// the member implements them (same signature shape as the rest of server-api.ts), otherwise they
// answer UNIMPLEMENTED.

import {
  ClusterDefinition,
  type MemberAddRequest,
  type MemberAddResponse,
  type MemberPromoteRequest,
  type MemberPromoteResponse,
  type MemberRemoveRequest,
  type MemberRemoveResponse,
  type MemberUpdateRequest,
  type MemberUpdateResponse,
} from '@tsetcd/api';
import type { ClusterServer, RequestContext } from '../../etcdserver/server-api';
import type { GrpcServer } from './server';

/** Membership changes a member may offer once multi-member clusters land. */
export interface MembershipChanges {
  memberAdd?(req: MemberAddRequest, ctx: RequestContext): Promise<MemberAddResponse>;
  memberRemove?(req: MemberRemoveRequest, ctx: RequestContext): Promise<MemberRemoveResponse>;
  memberUpdate?(req: MemberUpdateRequest, ctx: RequestContext): Promise<MemberUpdateResponse>;
  memberPromote?(req: MemberPromoteRequest, ctx: RequestContext): Promise<MemberPromoteResponse>;
}

export function registerClusterService(server: GrpcServer, cluster: ClusterServer & MembershipChanges): void {
  const { memberAdd, memberRemove, memberUpdate, memberPromote } = cluster;
  server.addService(ClusterDefinition, {
    memberList: (_req, ctx) => cluster.memberList(ctx),
    ...(memberAdd ? { memberAdd: (req: MemberAddRequest, ctx: RequestContext) => memberAdd.call(cluster, req, ctx) } : {}),
    ...(memberRemove ? { memberRemove: (req: MemberRemoveRequest, ctx: RequestContext) => memberRemove.call(cluster, req, ctx) } : {}),
    ...(memberUpdate ? { memberUpdate: (req: MemberUpdateRequest, ctx: RequestContext) => memberUpdate.call(cluster, req, ctx) } : {}),
    ...(memberPromote ? { memberPromote: (req: MemberPromoteRequest, ctx: RequestContext) => memberPromote.call(cluster, req, ctx) } : {}),
  });
}
