// @tsetcd/server: start a member in-process, or use its parts (config, API layer).
export { startServer, DATA_DIR_MODE, type RunningServer, type StartServerOptions } from './main';
export * from './config';
export * from './api';
export { startEtcdServer } from './etcdserver';
export type { EtcdServerApi, KvServer, MaintenanceServer, ClusterServer, MemberIdentity, RequestContext } from './etcdserver';
