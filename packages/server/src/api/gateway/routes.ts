// The /v3 gateway's path table (grpc-gateway v1.9.5 as generated for etcd 3.4): HTTP path -> the
// gRPC method it calls. `/v3/maintenance/hash` answers Hash (HashKV shares the path, unreachable).

import {
  AuthDefinition,
  ClusterDefinition,
  ElectionDefinition,
  KVDefinition,
  LeaseDefinition,
  LockDefinition,
  MaintenanceDefinition,
  WatchDefinition,
  type ServiceDefinition,
} from '@tsetcd/api';

export interface GatewayRoute {
  readonly def: ServiceDefinition;
  /** The ts-proto method key (e.g. `deleteRange`). */
  readonly methodKey: string;
}

const r = (def: ServiceDefinition, methodKey: string): GatewayRoute => ({ def, methodKey });

export const GATEWAY_ROUTES: ReadonlyMap<string, GatewayRoute> = new Map<string, GatewayRoute>([
  ['/v3/kv/range', r(KVDefinition, 'range')],
  ['/v3/kv/put', r(KVDefinition, 'put')],
  ['/v3/kv/deleterange', r(KVDefinition, 'deleteRange')],
  ['/v3/kv/txn', r(KVDefinition, 'txn')],
  ['/v3/kv/compaction', r(KVDefinition, 'compact')],
  ['/v3/watch', r(WatchDefinition, 'watch')],
  ['/v3/lease/grant', r(LeaseDefinition, 'leaseGrant')],
  ['/v3/lease/revoke', r(LeaseDefinition, 'leaseRevoke')],
  ['/v3/kv/lease/revoke', r(LeaseDefinition, 'leaseRevoke')],
  ['/v3/lease/keepalive', r(LeaseDefinition, 'leaseKeepAlive')],
  ['/v3/lease/timetolive', r(LeaseDefinition, 'leaseTimeToLive')],
  ['/v3/kv/lease/timetolive', r(LeaseDefinition, 'leaseTimeToLive')],
  ['/v3/lease/leases', r(LeaseDefinition, 'leaseLeases')],
  ['/v3/kv/lease/leases', r(LeaseDefinition, 'leaseLeases')],
  ['/v3/cluster/member/add', r(ClusterDefinition, 'memberAdd')],
  ['/v3/cluster/member/remove', r(ClusterDefinition, 'memberRemove')],
  ['/v3/cluster/member/update', r(ClusterDefinition, 'memberUpdate')],
  ['/v3/cluster/member/list', r(ClusterDefinition, 'memberList')],
  ['/v3/cluster/member/promote', r(ClusterDefinition, 'memberPromote')],
  ['/v3/maintenance/alarm', r(MaintenanceDefinition, 'alarm')],
  ['/v3/maintenance/status', r(MaintenanceDefinition, 'status')],
  ['/v3/maintenance/defragment', r(MaintenanceDefinition, 'defragment')],
  ['/v3/maintenance/hash', r(MaintenanceDefinition, 'hash')],
  ['/v3/maintenance/snapshot', r(MaintenanceDefinition, 'snapshot')],
  ['/v3/maintenance/transfer-leadership', r(MaintenanceDefinition, 'moveLeader')],
  ['/v3/auth/enable', r(AuthDefinition, 'authEnable')],
  ['/v3/auth/disable', r(AuthDefinition, 'authDisable')],
  ['/v3/auth/authenticate', r(AuthDefinition, 'authenticate')],
  ['/v3/auth/user/add', r(AuthDefinition, 'userAdd')],
  ['/v3/auth/user/get', r(AuthDefinition, 'userGet')],
  ['/v3/auth/user/list', r(AuthDefinition, 'userList')],
  ['/v3/auth/user/delete', r(AuthDefinition, 'userDelete')],
  ['/v3/auth/user/changepw', r(AuthDefinition, 'userChangePassword')],
  ['/v3/auth/user/grant', r(AuthDefinition, 'userGrantRole')],
  ['/v3/auth/user/revoke', r(AuthDefinition, 'userRevokeRole')],
  ['/v3/auth/role/add', r(AuthDefinition, 'roleAdd')],
  ['/v3/auth/role/get', r(AuthDefinition, 'roleGet')],
  ['/v3/auth/role/list', r(AuthDefinition, 'roleList')],
  ['/v3/auth/role/delete', r(AuthDefinition, 'roleDelete')],
  ['/v3/auth/role/grant', r(AuthDefinition, 'roleGrantPermission')],
  ['/v3/auth/role/revoke', r(AuthDefinition, 'roleRevokePermission')],
  ['/v3/election/campaign', r(ElectionDefinition, 'campaign')],
  ['/v3/election/proclaim', r(ElectionDefinition, 'proclaim')],
  ['/v3/election/leader', r(ElectionDefinition, 'leader')],
  ['/v3/election/resign', r(ElectionDefinition, 'resign')],
  ['/v3/election/observe', r(ElectionDefinition, 'observe')],
  ['/v3/lock/lock', r(LockDefinition, 'lock')],
  ['/v3/lock/unlock', r(LockDefinition, 'unlock')],
]);

/** `/v3beta/...` is served as `/v3/...` (etcd rewrites it before routing). */
export function canonicalGatewayPath(path: string): string {
  return path.startsWith('/v3beta/') ? `/v3/${path.slice('/v3beta/'.length)}` : path;
}
