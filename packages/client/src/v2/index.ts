// The v2 HTTP API client (etcd's /v2/keys and /v2/members), used by tsetcdctl's ETCDCTL_API=2 commands.
export { V2Client, parseEndpoint, DEFAULT_V2_HEADER_TIMEOUT_MS, type V2ClientOptions, type V2DoOptions } from './client';
export { KeysApi, V2Watcher, V2_KEYS_PREFIX } from './keys';
export { MembersApi, V2_MEMBERS_PATH, validatePeerUrls } from './members';
export {
  V2Error,
  V2ClusterError,
  V2ConnectionError,
  V2HeaderTimeoutError,
  V2AbortedError,
  V2ServerError,
  V2UnexpectedStatusError,
  V2MembersError,
  V2InvalidJsonError,
  V2NoEndpointsError,
  isConnectionError,
} from './errors';
export type { V2HttpRequest, V2HttpResponse, V2WireRequest, V2TlsOptions } from './http';
export type {
  V2Node,
  V2Response,
  V2Member,
  PrevExist,
  V2GetOptions,
  V2SetOptions,
  V2CreateInOrderOptions,
  V2DeleteOptions,
  V2WatchOptions,
} from './types';
