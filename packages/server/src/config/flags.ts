// The flag table: every etcd 3.4 server flag, its config key, kind, default (as `--help` shows it)
// and a one-line description. Order and groups follow `etcd --help`.

import type { ServerConfig } from './server-config';

export type FlagKind =
  | { type: 'string' }
  | { type: 'bool' }
  | { type: 'int' }
  | { type: 'uint' }
  | { type: 'duration' }
  | { type: 'urls' }
  | { type: 'list' }
  | { type: 'enum'; values: readonly string[] };

export interface FlagSpec {
  readonly name: string;
  /** Where the value lands; undefined for flags handled specially (version, config-file). */
  readonly key?: keyof ServerConfig;
  readonly kind: FlagKind;
  /** Default as text, parsed with `kind` (like Go's flag defaults). */
  readonly defaultText: string;
  readonly group: string;
  readonly help: string;
  /** Accepted but not shown by --help (etcd hides a few). */
  readonly hidden?: boolean;
}

const S = { type: 'string' } as const;
const B = { type: 'bool' } as const;
const I = { type: 'int' } as const;
const U = { type: 'uint' } as const;
const D = { type: 'duration' } as const;
const URLS = { type: 'urls' } as const;
const L = { type: 'list' } as const;
const E = (...values: string[]): FlagKind => ({ type: 'enum', values });

function group(name: string, rows: Array<[string, keyof ServerConfig | undefined, FlagKind, string, string, boolean?]>): FlagSpec[] {
  return rows.map(([flag, key, kind, defaultText, help, hidden]) => ({
    name: flag, kind, defaultText, group: name, help, ...(key ? { key } : {}), ...(hidden ? { hidden } : {}),
  }));
}

export const FLAGS: readonly FlagSpec[] = [
  ...group('Member', [
    ['name', 'name', S, 'default', 'Human-readable name for this member.'],
    ['data-dir', 'dataDir', S, '${name}.tsetcd', 'Path to the data directory.'],
    ['wal-dir', 'walDir', S, '', 'Path to the dedicated wal directory.'],
    ['snapshot-count', 'snapshotCount', U, '100000', 'Number of committed transactions to trigger a snapshot to disk.'],
    ['heartbeat-interval', 'heartbeatIntervalMs', U, '100', 'Time (in milliseconds) of a heartbeat interval.'],
    ['election-timeout', 'electionTimeoutMs', U, '1000', 'Time (in milliseconds) for an election to timeout.'],
    ['initial-election-tick-advance', 'initialElectionTickAdvance', B, 'true', 'Whether to fast-forward initial election ticks on boot for faster election.'],
    ['listen-peer-urls', 'listenPeerUrls', URLS, 'http://localhost:2380', 'List of URLs to listen on for peer traffic.'],
    ['listen-client-urls', 'listenClientUrls', URLS, 'http://localhost:2379', 'List of URLs to listen on for client traffic (gRPC and HTTP on each).'],
    ['max-snapshots', 'maxSnapshots', U, '5', 'Maximum number of snapshot files to retain (0 is unlimited).'],
    ['max-wals', 'maxWals', U, '5', 'Maximum number of wal files to retain (0 is unlimited).'],
    ['quota-backend-bytes', 'quotaBackendBytes', I, '0', 'Raise alarms when backend size exceeds the given quota (0 defaults to low space quota).'],
    ['backend-batch-interval', 'backendBatchIntervalMs', D, '', 'BackendBatchInterval is the maximum time before commit the backend transaction.'],
    ['backend-batch-limit', 'backendBatchLimit', I, '0', 'BackendBatchLimit is the maximum operations before commit the backend transaction.'],
    ['max-txn-ops', 'maxTxnOps', U, '128', 'Maximum number of operations permitted in a transaction.'],
    ['max-request-bytes', 'maxRequestBytes', U, '1572864', 'Maximum client request size in bytes the server will accept.'],
    ['max-concurrent-streams', 'maxConcurrentStreams', U, 'math.MaxUint32', 'Maximum concurrent streams that each client can open at a time.'],
    ['grpc-keepalive-min-time', 'grpcKeepaliveMinTimeMs', D, '5s', 'Minimum duration interval that a client should wait before pinging server.'],
    ['grpc-keepalive-interval', 'grpcKeepaliveIntervalMs', D, '2h', 'Frequency duration of server-to-client ping to check if a connection is alive (0 to disable).'],
    ['grpc-keepalive-timeout', 'grpcKeepaliveTimeoutMs', D, '20s', 'Additional duration of wait before closing a non-responsive connection (0 to disable).'],
  ]),
  ...group('Clustering', [
    ['initial-advertise-peer-urls', 'initialAdvertisePeerUrls', URLS, 'http://localhost:2380', "List of this member's peer URLs to advertise to the rest of the cluster."],
    ['initial-cluster', 'initialCluster', S, 'default=http://localhost:2380', 'Initial cluster configuration for bootstrapping.'],
    ['initial-cluster-state', 'initialClusterState', E('new', 'existing'), 'new', "Initial cluster state ('new' or 'existing')."],
    ['initial-cluster-token', 'initialClusterToken', S, 'etcd-cluster', 'Initial cluster token for the etcd cluster during bootstrap.'],
    ['advertise-client-urls', 'advertiseClientUrls', URLS, 'http://localhost:2379', "List of this member's client URLs to advertise to the public."],
    ['discovery', 'discovery', S, '', 'Discovery URL used to bootstrap the cluster.'],
    ['discovery-fallback', 'discoveryFallback', E('exit', 'proxy'), 'proxy', "Expected behavior ('exit' or 'proxy') when discovery services fails."],
    ['discovery-proxy', 'discoveryProxy', S, '', 'HTTP proxy to use for traffic to discovery service.'],
    ['discovery-srv', 'discoverySrv', S, '', 'DNS srv domain used to bootstrap the cluster.'],
    ['discovery-srv-name', 'discoverySrvName', S, '', 'Suffix to the dns srv name queried when bootstrapping.'],
    ['strict-reconfig-check', 'strictReconfigCheck', B, 'true', 'Reject reconfiguration requests that would cause quorum loss.'],
    ['pre-vote', 'preVote', B, 'false', 'Enable to run an additional Raft election phase.'],
    ['auto-compaction-retention', 'autoCompactionRetention', S, '0', 'Auto compaction retention length. 0 means disable auto compaction.'],
    ['auto-compaction-mode', 'autoCompactionMode', E('periodic', 'revision'), 'periodic', "Interpret 'auto-compaction-retention' one of: periodic|revision."],
    ['enable-v2', 'enableV2', B, 'true', 'Accept etcd V2 client requests.'],
    ['enable-grpc-gateway', 'enableGrpcGateway', B, 'true', 'Enable the /v3 JSON gateway on the client port.', true],
    ['experimental-enable-v2v3', 'experimentalEnableV2v3', S, '', 'Serve v2 requests through the v3 backend under a given prefix.'],
  ]),
  ...group('Security', [
    ['cert-file', 'certFile', S, '', 'Path to the client server TLS cert file.'],
    ['key-file', 'keyFile', S, '', 'Path to the client server TLS key file.'],
    ['client-cert-auth', 'clientCertAuth', B, 'false', 'Enable client cert authentication.'],
    ['client-crl-file', 'clientCrlFile', S, '', 'Path to the client certificate revocation list file.'],
    ['client-cert-allowed-hostname', 'clientCertAllowedHostname', S, '', 'Allowed TLS hostname for client cert authentication.'],
    ['trusted-ca-file', 'trustedCaFile', S, '', 'Path to the client server TLS trusted CA file.'],
    ['auto-tls', 'autoTls', B, 'false', 'Client TLS using generated certificates.'],
    ['peer-cert-file', 'peerCertFile', S, '', 'Path to the peer server TLS cert file.'],
    ['peer-key-file', 'peerKeyFile', S, '', 'Path to the peer server TLS key file.'],
    ['peer-client-cert-auth', 'peerClientCertAuth', B, 'false', 'Enable peer client cert authentication.'],
    ['peer-trusted-ca-file', 'peerTrustedCaFile', S, '', 'Path to the peer server TLS trusted CA file.'],
    ['peer-cert-allowed-cn', 'peerCertAllowedCn', S, '', 'Required CN for client certs connecting to the peer endpoint.'],
    ['peer-cert-allowed-hostname', 'peerCertAllowedHostname', S, '', 'Allowed TLS hostname for inter peer authentication.'],
    ['peer-auto-tls', 'peerAutoTls', B, 'false', 'Peer TLS using self-generated certificates if --peer-key-file and --peer-cert-file are not provided.'],
    ['peer-crl-file', 'peerCrlFile', S, '', 'Path to the peer certificate revocation list file.'],
    ['cipher-suites', 'cipherSuites', L, '', 'Comma-separated list of supported TLS cipher suites between client/server and peers (empty will be auto-populated by Go).'],
    ['cors', 'cors', L, '*', 'Comma-separated whitelist of origins for CORS, or cross-origin resource sharing, (empty or * means allow all).'],
    ['host-whitelist', 'hostWhitelist', L, '*', 'Acceptable hostnames from HTTP client requests, if server is not secure (empty or * means allow all).'],
    ['experimental-peer-skip-client-san-verification', 'experimentalPeerSkipClientSanVerification', B, 'false', 'Skip verification of SAN field in client certificate for peer connections.'],
  ]),
  ...group('Auth', [
    ['auth-token', 'authToken', S, 'simple', "Specify a v3 authentication token type and its options ('simple' or 'jwt')."],
    ['bcrypt-cost', 'bcryptCost', U, '10', 'Specify the cost / strength of the bcrypt algorithm for hashing auth passwords. Valid values are between 4 and 31.'],
    ['auth-token-ttl', 'authTokenTtlSeconds', U, '300', 'Time (in seconds) of the auth-token-ttl.'],
  ]),
  ...group('Profiling and Monitoring', [
    ['enable-pprof', 'enablePprof', B, 'false', 'Enable runtime profiling data via HTTP server. Address is at client URL + "/debug/pprof/"'],
    ['metrics', 'metrics', E('basic', 'extensive'), 'basic', "Set level of detail for exported metrics, specify 'extensive' to include server side grpc histogram metrics."],
    ['listen-metrics-urls', 'listenMetricsUrls', URLS, '', 'List of URLs to listen on for the metrics and health endpoints.'],
  ]),
  ...group('Logging', [
    ['logger', 'logger', E('capnslog', 'zap'), 'capnslog', "Specify 'zap' for structured logging or 'capnslog'. tsetcd logs JSON lines (pino) either way."],
    ['log-outputs', 'logOutputs', L, 'default', "Specify 'stdout' or 'stderr' to skip journald logging even when running under systemd, or list of comma separated output targets."],
    ['log-level', 'logLevel', E('debug', 'info', 'warn', 'error', 'panic', 'fatal'), 'info', 'Configures log level. Only supports debug, info, warn, error, panic, or fatal.'],
    ['debug', 'debug', B, 'false', 'Enable debug-level logging for etcd. [WARN] Will be deprecated in v3.5. Use --log-level=debug instead.'],
    ['log-package-levels', 'logPackageLevels', S, '', 'Specify a particular log level for each etcd package. [WARN] Will be deprecated in v3.5.'],
  ]),
  ...group('v2 Proxy (to be deprecated in v4)', [
    ['proxy', 'proxy', E('off', 'readonly', 'on'), 'off', "Proxy mode setting ('off', 'readonly' or 'on')."],
    ['proxy-failure-wait', 'proxyFailureWaitMs', U, '5000', 'Time (in milliseconds) an endpoint will be held in a failed state.'],
    ['proxy-refresh-interval', 'proxyRefreshIntervalMs', U, '30000', 'Time (in milliseconds) of the endpoints refresh interval.'],
    ['proxy-dial-timeout', 'proxyDialTimeoutMs', U, '1000', 'Time (in milliseconds) for a dial to timeout.'],
    ['proxy-write-timeout', 'proxyWriteTimeoutMs', U, '5000', 'Time (in milliseconds) for a write to timeout.'],
    ['proxy-read-timeout', 'proxyReadTimeoutMs', U, '0', 'Time (in milliseconds) for a read to timeout.'],
  ]),
  ...group('Experimental feature', [
    ['experimental-initial-corrupt-check', 'experimentalInitialCorruptCheck', B, 'false', 'Enable to check data corruption before serving any client/peer traffic.'],
    ['experimental-corrupt-check-time', 'experimentalCorruptCheckTimeMs', D, '0s', 'Duration of time between cluster corruption check passes.'],
    ['experimental-backend-bbolt-freelist-type', 'experimentalBackendBboltFreelistType', E('array', 'map'), 'array', "The freelist type the backend uses ('array' and 'map'); accepted for compatibility."],
    ['experimental-enable-lease-checkpoint', 'experimentalEnableLeaseCheckpoint', B, 'false', 'Enable to persist lease remaining TTL to prevent indefinite auto-renewal of long lived leases.'],
    ['experimental-enable-lease-checkpoint-persist', 'experimentalEnableLeaseCheckpointPersist', B, 'false', 'Enable persisting remainingTTL to prevent indefinite auto-renewal of long lived leases.'],
    ['experimental-compaction-batch-limit', 'experimentalCompactionBatchLimit', I, '1000', 'Sets the maximum revisions deleted in each compaction batch.'],
    ['experimental-watch-progress-notify-interval', 'experimentalWatchProgressNotifyIntervalMs', D, '10m', 'Duration of periodic watch progress notifications.'],
    ['experimental-warning-apply-duration', 'experimentalWarningApplyDurationMs', D, '100ms', 'Time duration after which a warning is generated if request takes more time.'],
  ]),
  ...group('Unsafe feature', [
    ['force-new-cluster', 'forceNewCluster', B, 'false', 'Force to create a new one-member cluster.'],
    ['unsafe-no-fsync', 'unsafeNoFsync', B, 'false', 'Disables fsync, unsafe, will cause data loss.', true],
  ]),
];

/** Flags with no config key: handled by the parser itself. */
export const VERSION_FLAG = 'version';
export const CONFIG_FILE_FLAG = 'config-file';

export const FLAGS_BY_NAME: ReadonlyMap<string, FlagSpec> = new Map(FLAGS.map((f) => [f.name, f]));

/** `--foo-bar` <-> `ETCD_FOO_BAR`. */
export function flagToEnv(flag: string): string {
  return `ETCD_${flag.toUpperCase().replace(/-/g, '_')}`;
}
