// The member: what the API layer and the bin use.
export { startEtcdServer, startEtcdServerInternal } from './start';
export { EtcdServer, type EtcdServerOptions, type ServerStats } from './etcd-server';
export { MemberRemovedError } from './member-removed-error';
export type { EtcdServerApi, KvServer, MaintenanceServer, ClusterServer, MemberIdentity, RequestContext } from './server-api';
export { computeMemberId, computeClusterId, formatId } from './member-id';
export { memberDirs } from './server-storage';
