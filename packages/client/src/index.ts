// @tsetcd/client: a typed etcd v3 client for Node.js (works against etcd 3.4 and tsetcd).
export { Client, DEFAULT_CALL_TIMEOUT_MS, DEFAULT_DIAL_TIMEOUT_MS, type ClientOptions, type ClientEvents } from './client';
export { KeyspaceView } from './view';
export { KeyValue, type ResponseHeader } from './key-value';
export { prefixEnd, toBuffer, ALL_KEYS_FROM, type Bytes } from './bytes';
export { prefixMapper, IDENTITY_MAPPER, type KeyMapper } from './key-mapper';
export { Compare, Op, TxnBuilder, type CompareOperator, type CompareSpec, type OpSpec } from './txn';
export type {
  CompactOptions,
  CompactResult,
  DeleteOptions,
  DeleteResult,
  KeyRange,
  OpResult,
  PutOptions,
  PutResult,
  RangeOptions,
  RangeResult,
  SortOrder,
  SortTarget,
  TxnResult,
} from './kv-types';
export { Watcher, type WatchEvent, type WatchOptions } from './watch';
export { Lease, LeaseApi, type GrantOptions, type TimeToLiveResult } from './lease';
export { KeepAlive, type KeepAliveEvents, type KeepAliveOptions } from './keepalive';
export { KeepAliveSchedule, KEEPALIVE_TTL_DIVISOR, monotonicNow, type MonotonicClock } from './keepalive-schedule';
export { ClusterApi, type Member, type MembersResult } from './cluster';
export { MaintenanceApi, type Alarm, type AlarmName, type StatusResult } from './maintenance';
export { AuthApi, type Permission, type PermissionRange, type PermissionType } from './auth';
export type { CallOptions, Credentials } from './caller';
export type { TlsOptions } from './transport';
export { isSafeToRetry, neverReachedServer, type Idempotency } from './retry-policy';
export {
  CallAbortedError,
  ClientClosedError,
  LeaseLostError,
  NoEndpointError,
  WatchCanceledError,
  WatchCompactedError,
  toEtcdError,
} from './errors';
export { TypedEmitter, type EventMap } from './typed-emitter';
// the error table's classes most callers test with instanceof (the rest: @tsetcd/api)
export {
  EtcdError,
  isEtcdError,
  GrpcStatus,
  ErrCompacted,
  ErrFutureRev,
  ErrEmptyKey,
  ErrKeyNotFound,
  ErrTooManyOps,
  ErrDuplicateKey,
  ErrRequestTooLarge,
  ErrNoSpace,
  ErrLeaseNotFound,
  ErrLeaseExist,
  ErrInvalidAuthToken,
  ErrAuthFailed,
  ErrAuthNotEnabled,
  ErrPermissionDenied,
  ErrUserNotFound,
  ErrMemberNotFound,
  ErrNoLeader,
  ErrTimeout,
} from '@tsetcd/api';
export * from './v2'; // the v2 HTTP API client (V2Client, KeysApi, MembersApi, V2Error…)
