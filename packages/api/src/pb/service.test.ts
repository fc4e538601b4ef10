import {
  AuthDefinition,
  ClusterDefinition,
  ElectionDefinition,
  HealthDefinition,
  KVDefinition,
  LeaseDefinition,
  LockDefinition,
  MaintenanceDefinition,
  RangeRequest,
  WatchDefinition,
  allServiceDefinitions,
  methodPath,
  methodsByPath,
} from '../index';

// Every RPC etcd 3.4 serves: path -> [requestStream, responseStream].
const expected: Record<string, [boolean, boolean]> = {
  '/etcdserverpb.KV/Range': [false, false],
  '/etcdserverpb.KV/Put': [false, false],
  '/etcdserverpb.KV/DeleteRange': [false, false],
  '/etcdserverpb.KV/Txn': [false, false],
  '/etcdserverpb.KV/Compact': [false, false],
  '/etcdserverpb.Watch/Watch': [true, true],
  '/etcdserverpb.Lease/LeaseGrant': [false, false],
  '/etcdserverpb.Lease/LeaseRevoke': [false, false],
  '/etcdserverpb.Lease/LeaseKeepAlive': [true, true],
  '/etcdserverpb.Lease/LeaseTimeToLive': [false, false],
  '/etcdserverpb.Lease/LeaseLeases': [false, false],
  '/etcdserverpb.Cluster/MemberAdd': [false, false],
  '/etcdserverpb.Cluster/MemberRemove': [false, false],
  '/etcdserverpb.Cluster/MemberUpdate': [false, false],
  '/etcdserverpb.Cluster/MemberList': [false, false],
  '/etcdserverpb.Cluster/MemberPromote': [false, false],
  '/etcdserverpb.Maintenance/Alarm': [false, false],
  '/etcdserverpb.Maintenance/Status': [false, false],
  '/etcdserverpb.Maintenance/Defragment': [false, false],
  '/etcdserverpb.Maintenance/Hash': [false, false],
  '/etcdserverpb.Maintenance/HashKV': [false, false],
  '/etcdserverpb.Maintenance/Snapshot': [false, true],
  '/etcdserverpb.Maintenance/MoveLeader': [false, false],
  '/etcdserverpb.Auth/AuthEnable': [false, false],
  '/etcdserverpb.Auth/AuthDisable': [false, false],
  '/etcdserverpb.Auth/Authenticate': [false, false],
  '/etcdserverpb.Auth/UserAdd': [false, false],
  '/etcdserverpb.Auth/UserGet': [false, false],
  '/etcdserverpb.Auth/UserList': [false, false],
  '/etcdserverpb.Auth/UserDelete': [false, false],
  '/etcdserverpb.Auth/UserChangePassword': [false, false],
  '/etcdserverpb.Auth/UserGrantRole': [false, false],
  '/etcdserverpb.Auth/UserRevokeRole': [false, false],
  '/etcdserverpb.Auth/RoleAdd': [false, false],
  '/etcdserverpb.Auth/RoleGet': [false, false],
  '/etcdserverpb.Auth/RoleList': [false, false],
  '/etcdserverpb.Auth/RoleDelete': [false, false],
  '/etcdserverpb.Auth/RoleGrantPermission': [false, false],
  '/etcdserverpb.Auth/RoleRevokePermission': [false, false],
  '/v3electionpb.Election/Campaign': [false, false],
  '/v3electionpb.Election/Proclaim': [false, false],
  '/v3electionpb.Election/Leader': [false, false],
  '/v3electionpb.Election/Observe': [false, true],
  '/v3electionpb.Election/Resign': [false, false],
  '/v3lockpb.Lock/Lock': [false, false],
  '/v3lockpb.Lock/Unlock': [false, false],
  '/grpc.health.v1.Health/Check': [false, false],
  '/grpc.health.v1.Health/Watch': [false, true],
};

describe('service definitions', () => {
  test('methodPath builds /<package>.<Service>/<Method>', () => {
    expect(methodPath(KVDefinition, 'range')).toBe('/etcdserverpb.KV/Range');
    expect(methodPath(MaintenanceDefinition, 'hashKV')).toBe('/etcdserverpb.Maintenance/HashKV');
    expect(methodPath(LeaseDefinition, 'leaseKeepAlive')).toBe('/etcdserverpb.Lease/LeaseKeepAlive');
    expect(methodPath(AuthDefinition, 'roleRevokePermission')).toBe('/etcdserverpb.Auth/RoleRevokePermission');
    expect(methodPath(ElectionDefinition, 'observe')).toBe('/v3electionpb.Election/Observe');
    expect(methodPath(LockDefinition, 'unlock')).toBe('/v3lockpb.Lock/Unlock');
    expect(methodPath(HealthDefinition, 'check')).toBe('/grpc.health.v1.Health/Check');
    expect(methodPath(ClusterDefinition, 'memberPromote')).toBe('/etcdserverpb.Cluster/MemberPromote');
    expect(methodPath(WatchDefinition, 'watch')).toBe('/etcdserverpb.Watch/Watch');
    expect(() => methodPath(KVDefinition, 'nope' as 'range')).toThrow(/no method nope/);
  });

  test('exactly etcd 3.4 RPCs, with their streaming shape', () => {
    const byPath = methodsByPath(allServiceDefinitions);
    expect([...byPath.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [path, [reqStream, resStream]] of Object.entries(expected)) {
      const m = byPath.get(path)!;
      expect([path, m.requestStream, m.responseStream]).toEqual([path, reqStream, resStream]);
    }
  });

  test('method request/response types encode and decode', () => {
    const range = KVDefinition.methods.range;
    const bytes = range.requestType.encode(RangeRequest.fromPartial({ key: Buffer.from('k'), revision: 5n })).finish();
    expect(range.requestType.decode(bytes).revision).toBe(5n);
    const resp = range.responseType.decode(range.responseType.encode(range.responseType.fromPartial({ count: 2n })).finish());
    expect(resp.count).toBe(2n);
  });
});
