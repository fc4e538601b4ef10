// startEtcdServer: config -> a running member (disk opened or bootstrapped, raft loop started).

import type { Logger } from 'pino';
import { CLUSTER_VERSION, SERVER_VERSION, requestTimeoutMs } from '../config/limits';
import { parseInitialCluster, type ServerConfig } from '../config/server-config';
import { EtcdServer } from './etcd-server';
import type { EtcdServerApi } from './server-api';
import { openStorage } from './server-storage';

/** Opens (or bootstraps) the member in `config.dataDir` and starts its raft loop. */
export async function startEtcdServerInternal(config: ServerConfig, logger: Logger): Promise<EtcdServer> {
  const storage = await openStorage({
    dataDir: config.dataDir,
    walDir: config.walDir,
    name: config.name,
    initialCluster: parseInitialCluster(config.initialCluster),
    initialClusterToken: config.initialClusterToken,
    initialClusterState: config.initialClusterState,
    advertiseClientUrls: config.advertiseClientUrls,
    clusterVersion: CLUSTER_VERSION,
    quotaBackendBytes: config.quotaBackendBytes,
  });
  const server = new EtcdServer(
    {
      name: config.name,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      electionTimeoutMs: config.electionTimeoutMs,
      snapshotCount: config.snapshotCount,
      maxSnapshots: config.maxSnapshots,
      maxWals: config.maxWals,
      maxRequestBytes: config.maxRequestBytes,
      maxTxnOps: config.maxTxnOps,
      quotaBackendBytes: config.quotaBackendBytes,
      requestTimeoutMs: requestTimeoutMs(config.electionTimeoutMs),
      preVote: config.preVote,
      serverVersion: SERVER_VERSION,
      initialClusterToken: config.initialClusterToken,
      strictReconfigCheck: config.strictReconfigCheck,
      authToken: config.authToken,
      authTokenTtlSeconds: config.authTokenTtlSeconds,
      watchProgressNotifyIntervalMs: config.experimentalWatchProgressNotifyIntervalMs,
    },
    storage,
    logger,
  );
  server.start();
  return server;
}

export function startEtcdServer(config: ServerConfig, logger: Logger): Promise<EtcdServerApi> {
  return startEtcdServerInternal(config, logger);
}
