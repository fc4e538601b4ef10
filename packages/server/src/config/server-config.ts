// The typed configuration of one tsetcd member: every etcd 3.4 flag (spec/server-flags.md), with
// defaults already resolved (0 quota -> 2 GiB, empty batch interval -> 100 ms, ...).

export type ClusterState = 'new' | 'existing';
export type AutoCompactionMode = 'periodic' | 'revision';
export type DiscoveryFallback = 'exit' | 'proxy';
export type ProxyMode = 'off' | 'readonly' | 'on';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'panic' | 'fatal';
export type LoggerKind = 'capnslog' | 'zap';
export type MetricsMode = 'basic' | 'extensive';
export type FreelistType = 'array' | 'map';

export interface ServerConfig {
  // member
  name: string;
  dataDir: string;
  walDir: string;
  snapshotCount: number;
  heartbeatIntervalMs: number;
  electionTimeoutMs: number;
  initialElectionTickAdvance: boolean;
  listenPeerUrls: string[];
  listenClientUrls: string[];
  listenMetricsUrls: string[];
  maxSnapshots: number;
  maxWals: number;
  /** Resolved: 0 -> 2 GiB; negative disables the quota. */
  quotaBackendBytes: number;
  backendBatchIntervalMs: number;
  backendBatchLimit: number;
  maxTxnOps: number;
  maxRequestBytes: number;
  maxConcurrentStreams: number;
  grpcKeepaliveMinTimeMs: number;
  grpcKeepaliveIntervalMs: number;
  grpcKeepaliveTimeoutMs: number;

  // clustering
  initialAdvertisePeerUrls: string[];
  /** `name=url,name=url`; see parseInitialCluster(). */
  initialCluster: string;
  initialClusterState: ClusterState;
  initialClusterToken: string;
  advertiseClientUrls: string[];
  discovery: string;
  discoveryFallback: DiscoveryFallback;
  discoveryProxy: string;
  discoverySrv: string;
  discoverySrvName: string;
  strictReconfigCheck: boolean;
  preVote: boolean;
  autoCompactionMode: AutoCompactionMode;
  /** Raw flag value; see autoCompactionPeriodMs / autoCompactionRetentionRevisions. */
  autoCompactionRetention: string;
  /** periodic mode: the retention window in ms (0 = off). */
  autoCompactionPeriodMs: number;
  /** revision mode: revisions to keep (0 = off). */
  autoCompactionRetentionRevisions: number;
  enableV2: boolean;
  enableGrpcGateway: boolean;
  experimentalEnableV2v3: string;

  // security
  certFile: string;
  keyFile: string;
  clientCertAuth: boolean;
  clientCrlFile: string;
  clientCertAllowedHostname: string;
  trustedCaFile: string;
  autoTls: boolean;
  peerCertFile: string;
  peerKeyFile: string;
  peerClientCertAuth: boolean;
  peerTrustedCaFile: string;
  peerCertAllowedCn: string;
  peerCertAllowedHostname: string;
  peerAutoTls: boolean;
  peerCrlFile: string;
  experimentalPeerSkipClientSanVerification: boolean;
  cipherSuites: string[];
  cors: string[];
  hostWhitelist: string[];

  // auth
  authToken: string;
  authTokenTtlSeconds: number;
  bcryptCost: number;

  // logging / monitoring / misc
  enablePprof: boolean;
  metrics: MetricsMode;
  logger: LoggerKind;
  logOutputs: string[];
  logLevel: LogLevel;
  debug: boolean;
  logPackageLevels: string;
  proxy: ProxyMode;
  proxyFailureWaitMs: number;
  proxyRefreshIntervalMs: number;
  proxyDialTimeoutMs: number;
  proxyWriteTimeoutMs: number;
  proxyReadTimeoutMs: number;
  forceNewCluster: boolean;
  unsafeNoFsync: boolean;

  // experimental
  experimentalInitialCorruptCheck: boolean;
  experimentalCorruptCheckTimeMs: number;
  experimentalBackendBboltFreelistType: FreelistType;
  experimentalEnableLeaseCheckpoint: boolean;
  experimentalEnableLeaseCheckpointPersist: boolean;
  experimentalCompactionBatchLimit: number;
  experimentalWatchProgressNotifyIntervalMs: number;
  experimentalWarningApplyDurationMs: number;
}

/** `n1=http://a:2380,n1=http://b:2380,n2=...` -> name -> peer URLs (order kept). */
export function parseInitialCluster(initialCluster: string): Map<string, string[]> {
  const members = new Map<string, string[]>();
  for (const part of initialCluster.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`invalid initial-cluster entry ${JSON.stringify(item)}: expected name=url`);
    const name = item.slice(0, eq);
    const url = item.slice(eq + 1);
    const urls = members.get(name);
    if (urls) urls.push(url);
    else members.set(name, [url]);
  }
  return members;
}
