// etcdserverpb.Cluster: MemberList; MemberAdd/Remove/Update/Promote answer UNIMPLEMENTED until
// membership changes land.

import { ClusterDefinition } from '@tsetcd/api';
import type { ClusterServer } from '../../etcdserver/server-api';
import type { GrpcServer } from './server';

export function registerClusterService(server: GrpcServer, cluster: ClusterServer): void {
  server.addService(ClusterDefinition, {
    memberList: (_req, ctx) => cluster.memberList(ctx),
  });
}
