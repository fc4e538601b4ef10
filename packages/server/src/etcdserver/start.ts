// startEtcdServer: config -> a running member (disk opened or bootstrapped, raft loop started).

import type { Logger } from 'pino';
import { CLUSTER_VERSION, SERVER_VERSION, requestTimeoutMs } from '../config/limits';
import { parseInitialCluster, type ServerConfig } from '../config/server-config';
import { createTokenProvider } from '../auth/simple-token';
import { EtcdServer } from './etcd-server';
import type { EtcdServerApi } from './server-api';
import { openStorage, type OpenedStorage } from './server-storage';
import { bindPeers, WsTransport, type PeerListener } from '../peer/ws-transport';
import { encodeMembersJson } from './join';
import { createPeerFetch } from '../peer/peer-fetch';
import { loadPeerTls, type PeerTls } from '../peer/peer-tls';
import { formatId } from './member-id';

/**
 * Binds --listen-peer-urls. A single-member cluster whose peer port is taken runs without peer
 * traffic (nobody talks to it; in-process tests share the default port); any other fails.
 */
async function bindPeerListeners(
  config: ServerConfig,
  initialCluster: ReadonlyMap<string, readonly string[]>,
  peerTls: PeerTls | undefined,
  logger: Logger,
): Promise<PeerListener[] | undefined> {
  for (const url of config.listenPeerUrls) {
    if (url.startsWith('http://') && peerTls !== undefined) {
      logger.warn({ 'peer-url': url }, 'scheme of peer url is HTTP while peer key/cert files are presented; ignoring peer key/cert files for this url');
    }
  }
  try {
    return await bindPeers(config.listenPeerUrls, peerTls);
  } catch (err) {
    const single = config.initialClusterState === 'new' && initialCluster.size <= 1;
    if (!single || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    logger.warn({ err: String(err), 'listen-peer-urls': config.listenPeerUrls }, 'peer port unavailable: single member runs without peer transport');
    return undefined;
  }
}

function createTransport(storage: OpenedStorage, listeners: PeerListener[], peerTls: PeerTls | undefined, logger: Logger): WsTransport {
  const transport = new WsTransport(
    {
      ...(peerTls !== undefined ? { tls: peerTls } : {}),
      selfId: storage.memberId,
      clusterId: storage.clusterId,
      logger,
      membersJson: () => encodeMembersJson(storage.membership.all()),
      versionJson: () => JSON.stringify({ etcdserver: SERVER_VERSION, etcdcluster: CLUSTER_VERSION }),
    },
    listeners,
  );
  for (const p of storage.initialPeers ?? []) transport.addPeer(p.id, p.peerUrls);
  return transport;
}

/** Opens (or bootstraps) the member in `config.dataDir` and starts its raft loop. */
export async function startEtcdServerInternal(config: ServerConfig, logger: Logger): Promise<EtcdServer> {
  // A bad --auth-token fails start-up before ports are bound or the data dir is opened (WAL locked).
  createTokenProvider(config.authToken, config.authTokenTtlSeconds);
  const initialCluster = parseInitialCluster(config.initialCluster);
  const peerTls = await loadPeerTls(config);
  const listeners = await bindPeerListeners(config, initialCluster, peerTls, logger);
  let storage: OpenedStorage;
  try {
    storage = await openStorage({
    dataDir: config.dataDir,
    walDir: config.walDir,
    name: config.name,
    initialCluster,
    advertisePeerUrls: config.initialAdvertisePeerUrls,
    initialClusterToken: config.initialClusterToken,
    initialClusterState: config.initialClusterState,
    advertiseClientUrls: config.advertiseClientUrls,
    clusterVersion: CLUSTER_VERSION,
    quotaBackendBytes: config.quotaBackendBytes,
    forceNewCluster: config.forceNewCluster,
    peerFetch: createPeerFetch(peerTls),
    onForcedRestart: (plan) =>
      logger.info(
        {
          discardedEntries: plan.discarded,
          addedSelf: plan.addsSelf,
          removedMembers: plan.removedIds.map(formatId),
          commitIndex: plan.hardState.commit,
        },
        'forcing restart of member as a new one-member cluster',
      ),
    });
  } catch (err) {
    await Promise.all((listeners ?? []).map((l) => new Promise((r) => l.server.close(r))));
    throw err;
  }
  const transport = listeners === undefined ? undefined : createTransport(storage, listeners, peerTls, logger);
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
      advertiseClientUrls: config.advertiseClientUrls,
      authToken: config.authToken,
      authTokenTtlSeconds: config.authTokenTtlSeconds,
      bcryptCost: config.bcryptCost,
      watchProgressNotifyIntervalMs: config.experimentalWatchProgressNotifyIntervalMs,
    },
    storage,
    logger,
    transport,
  );
  server.start();
  return server;
}

export function startEtcdServer(config: ServerConfig, logger: Logger): Promise<EtcdServerApi> {
  return startEtcdServerInternal(config, logger);
}
