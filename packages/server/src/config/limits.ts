// etcd 3.4's defaults and internal limits (spec/server-flags.md sections 1-6), one name each.

export const SERVER_VERSION = '3.4.23';
export const CLUSTER_VERSION = '3.4.0';
export const TSETCD_VERSION = '0.1.0';

export const DEFAULT_NAME = 'default';
/** etcd uses `${name}.etcd`; tsetcd marks its own layout. */
export const DATA_DIR_SUFFIX = '.tsetcd';

export const DEFAULT_SNAPSHOT_COUNT = 100_000;
export const SNAPSHOT_CATCH_UP_ENTRIES = 5000;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 100;
export const DEFAULT_ELECTION_TIMEOUT_MS = 1000;
export const MAX_ELECTION_TIMEOUT_MS = 50_000;
export const DEFAULT_MAX_SNAPSHOTS = 5;
export const DEFAULT_MAX_WALS = 5;

export const DEFAULT_QUOTA_BACKEND_BYTES = 2 * 1024 * 1024 * 1024;
export const MAX_QUOTA_BACKEND_BYTES_WARN = 8 * 1024 * 1024 * 1024;
export const DEFAULT_BACKEND_BATCH_INTERVAL_MS = 100;
export const DEFAULT_BACKEND_BATCH_LIMIT = 10_000;

export const DEFAULT_MAX_TXN_OPS = 128;
export const DEFAULT_MAX_REQUEST_BYTES = 1_572_864;
/** gRPC receive limit = max-request-bytes + this overhead. */
export const GRPC_OVERHEAD_BYTES = 512 * 1024;
/** gRPC send limit (math.MaxInt32 in etcd). */
export const GRPC_MAX_SEND_BYTES = 2 ** 31 - 1;
export const DEFAULT_MAX_CONCURRENT_STREAMS = 4_294_967_295;
export const DEFAULT_GRPC_KEEPALIVE_MIN_TIME_MS = 5_000;
export const DEFAULT_GRPC_KEEPALIVE_INTERVAL_MS = 2 * 60 * 60 * 1000;
export const DEFAULT_GRPC_KEEPALIVE_TIMEOUT_MS = 20_000;

export const DEFAULT_LISTEN_PEER_URL = 'http://localhost:2380';
export const DEFAULT_LISTEN_CLIENT_URL = 'http://localhost:2379';
export const DEFAULT_INITIAL_CLUSTER_TOKEN = 'etcd-cluster';

export const DEFAULT_AUTH_TOKEN_TTL_SECONDS = 300;
export const DEFAULT_BCRYPT_COST = 10;
export const MIN_BCRYPT_COST = 4;
export const MAX_BCRYPT_COST = 31;

export const DEFAULT_COMPACTION_BATCH_LIMIT = 1000;
export const DEFAULT_WATCH_PROGRESS_NOTIFY_INTERVAL_MS = 10 * 60 * 1000;
export const MIN_WATCH_PROGRESS_NOTIFY_INTERVAL_MS = 100;
export const DEFAULT_WARNING_APPLY_DURATION_MS = 100;

// Section 6: internal limits clients depend on.
export const MAX_GAP_BETWEEN_APPLY_AND_COMMIT_INDEX = 5000;
/** Request timeout = this + 2 x election timeout (7 s with defaults). */
export const REQUEST_TIMEOUT_BASE_MS = 5000;
export const READ_INDEX_RETRY_MS = 500;
export const APPLIED_INDEX_WAIT_MS = 1000;
export const MAX_LEASE_TTL_SECONDS = 9_000_000_000;
export const LEASE_CHECKPOINT_INTERVAL_MS = 5 * 60 * 1000;
export const QUOTA_PUT_OVERHEAD_BYTES = 256;
export const QUOTA_LEASE_GRANT_BYTES = 64;
export const WATCH_SEND_BUFFER_RESPONSES = 128;
export const WATCH_BATCH_MAX_REVISIONS = 1000;
export const V2_WATCH_HISTORY_EVENTS = 1000;
export const V2_WATCHER_BUFFER_EVENTS = 100;
export const V2_TTL_SYNC_INTERVAL_MS = 500;
/** Go's ParseForm reads at most 10 MB of a form body; v2 writes are not held to --max-request-bytes. */
export const V2_MAX_FORM_BYTES = 10 << 20;
/** `hasleader` streams are cancelled after this many election timeouts without a leader. */
export const NO_LEADER_ELECTION_TIMEOUTS = 3;
export const HEALTH_INTERVAL_MS = 5000;
export const HEALTH_CHECK_TIMEOUT_MS = 1000;
export const SNAPSHOT_CHUNK_BYTES = 32 * 1024;
export const RAFT_MAX_SIZE_PER_MSG_BYTES = 1024 * 1024;
export const RAFT_MAX_INFLIGHT_MSGS = 512;
export const SIMPLE_TOKEN_LETTERS = 16;

/** ceil(1.5 x election timeout) seconds: smaller lease grants are raised to this. */
export function minLeaseTtlSeconds(electionTimeoutMs: number): number {
  return Math.ceil((3 * electionTimeoutMs) / 2 / 1000);
}

export function requestTimeoutMs(electionTimeoutMs: number): number {
  return REQUEST_TIMEOUT_BASE_MS + 2 * electionTimeoutMs;
}

export function grpcMaxReceiveBytes(maxRequestBytes: number): number {
  return maxRequestBytes + GRPC_OVERHEAD_BYTES;
}
