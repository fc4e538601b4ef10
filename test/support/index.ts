export { freePort } from './free-port';
export { probeRange } from './grpc-probe';
export {
  startEtcd,
  startTsetcd,
  ETCD_BIN,
  TSETCD_BIN,
  REPO_ROOT,
  START_TIMEOUT_MS,
  STOP_GRACE_MS,
  type ServerHandle,
  type ServerOptions,
} from './server-process';
export { runEtcdctl, runCollect, ETCDCTL_BIN, type EtcdctlResult, type EtcdctlOptions } from './etcdctl';
export { rawClient, RawCallError, RAW_CLIENT_CALL_TIMEOUT_MS, type RawClient, type RawClientOptions, type BidiHandlers, type BidiStream } from './raw-client';
export { normalize, shapeOf, toPlain, bytesToText, VOLATILE_FIELDS, SET, type Normalized } from './normalize';
