// Builds the client-facing API of one member (gRPC services + HTTP routes) and serves it on every
// --listen-client-urls entry.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { selfCert } from '../pkg/self-cert';
import type { ServerConfig } from '../config/server-config';
import { grpcMaxReceiveBytes } from '../config/limits';
import type { EtcdServerApi } from '../etcdserver/server-api';
import { bindClientUrl, type BindOptions, type BoundListener, type ClientListener, type ClientTlsOptions } from './client-listener';
import { registerAuthService } from './grpc/auth';
import { registerClusterService } from './grpc/cluster';
import { registerHealthService } from './grpc/health';
import { registerKvService } from './grpc/kv';
import { isLeaseServer, registerLeaseService } from './grpc/lease';
import { registerElectionService } from './grpc/election';
import { registerLockService } from './grpc/lock';
import { registerMaintenanceService } from './grpc/maintenance';
import { registerWatchService } from './grpc/watch';
import { registerGateway } from './gateway/gateway';
import { GrpcServer } from './grpc/server';
import { silentLogger, type ApiLogger } from './grpc/types';
import { registerUnimplementedServices } from './grpc/unimplemented';
import { healthHandler } from './http/health';
import { createServerMetrics, type ServerMetrics } from './http/metrics';
import { HttpRouter } from './http/router';
import { versionHandler } from './http/version';
import { keysHandler, KEYS_PREFIX } from './v2/keys-handler';
import { AUTH_ENABLE_PATH, AUTH_ROLES_PATH, AUTH_USERS_PATH, authHandler, v2AccessRequest } from './v2/auth-handler';
import { hasWriteRootAccess, V2SecurityStore } from '../v2auth';
import { machinesHandler, MACHINES_PATH } from './v2/machines-handler';
import { membersHandler, MEMBERS_PREFIX } from './v2/members-handler';
import { statsHandler, STATS_PREFIX } from './v2/stats-handler';

export type ClientApiConfig = Pick<ServerConfig, 'maxRequestBytes' | 'cors'> & Partial<Pick<ServerConfig, 'hostWhitelist' | 'enableV2' | 'bcryptCost'>>;

export interface ClientApi {
  readonly grpc: GrpcServer;
  readonly http: HttpRouter;
  readonly metrics: ServerMetrics;
  /** What --listen-metrics-urls serve: /metrics and /health only, no gRPC services. */
  readonly metricsGrpc: GrpcServer;
  readonly metricsHttp: HttpRouter;
}

export interface ClientApiExtensions {
  /**
   * Registers more services/routes (Watch, Lease, Auth, the /v3 gateway, /v2 ...) before the
   * UNIMPLEMENTED stubs fill in the services nobody registered.
   */
  readonly extend?: (grpc: GrpcServer, http: HttpRouter) => void;
}

export function createClientApi(
  member: EtcdServerApi,
  config: ClientApiConfig,
  logger: ApiLogger = silentLogger,
  extensions: ClientApiExtensions = {},
): ClientApi {
  const http = new HttpRouter({ cors: config.cors, hostWhitelist: config.hostWhitelist ?? ['*'], logger });
  const grpc = new GrpcServer({
    maxReceiveBytes: grpcMaxReceiveBytes(config.maxRequestBytes),
    logger,
    fallback: (stream, headers) => http.handleHttp2(stream, headers),
  });
  registerKvService(grpc, member);
  registerMaintenanceService(grpc, member);
  registerClusterService(grpc, member);
  if (member.auth !== undefined) registerAuthService(grpc, member.auth);
  registerWatchService(grpc, member);
  if (isLeaseServer(member)) {
    registerLeaseService(grpc, member);
    registerElectionService(grpc, member);
    registerLockService(grpc, member);
  }
  registerHealthService(grpc);
  extensions.extend?.(grpc, http);
  registerUnimplementedServices(grpc);
  registerGateway(grpc, http);

  const metrics = createServerMetrics(member, grpc);
  const health = healthHandler(member, metrics);
  http.add('/health', health);
  http.add('/version', versionHandler);
  http.add('/metrics', metrics.handler);
  if (member.v2 !== undefined && config.enableV2 !== false) {
    // v2 auth (H9): one security store per member over the v2 request path (/2 in the v2 store).
    const security = new V2SecurityStore(member.v2, config.bcryptCost !== undefined ? { bcryptCost: config.bcryptCost } : {});
    const keys = keysHandler(member.v2, security);
    http.add(KEYS_PREFIX, keys).addPrefix(`${KEYS_PREFIX}/`, keys);
    http.add(MACHINES_PATH, machinesHandler(member));
    const v2 = member.v2;
    const members = membersHandler({
      memberList: (ctx) => member.memberList(ctx),
      ...(member.memberAdd !== undefined ? { memberAdd: member.memberAdd.bind(member) } : {}),
      ...(member.memberRemove !== undefined ? { memberRemove: member.memberRemove.bind(member) } : {}),
      ...(member.memberUpdate !== undefined ? { memberUpdate: member.memberUpdate.bind(member) } : {}),
      leaderId: () => v2.leaderId(),
      clusterIdHex: () => v2.clusterIdHex(),
      isRemoved: (id) => v2.isMemberRemoved(id),
      detectV2Auth: () => void v2.v2AuthEnabled(),
      hasWriteRootAccess: (req) => hasWriteRootAccess(security, v2AccessRequest(req)),
    });
    http.add(MEMBERS_PREFIX, members).addPrefix(`${MEMBERS_PREFIX}/`, members);
    http.addPrefix(`${STATS_PREFIX}/`, statsHandler(v2));
    const auth = authHandler({ security, clusterIdHex: () => v2.clusterIdHex() });
    http.add(AUTH_ENABLE_PATH, auth).add(AUTH_USERS_PATH, auth).addPrefix(`${AUTH_USERS_PATH}/`, auth);
    http.add(AUTH_ROLES_PATH, auth).addPrefix(`${AUTH_ROLES_PATH}/`, auth);
  }

  const metricsHttp = new HttpRouter({ cors: config.cors, logger }).add('/metrics', metrics.handler).add('/health', health);
  const metricsGrpc = new GrpcServer({
    maxReceiveBytes: grpcMaxReceiveBytes(config.maxRequestBytes),
    logger,
    fallback: (stream, headers) => metricsHttp.handleHttp2(stream, headers),
  });
  return { grpc, http, metrics, metricsGrpc, metricsHttp };
}

export type ClientListenConfig = Pick<
  ServerConfig,
  'listenClientUrls' | 'maxConcurrentStreams' | 'grpcKeepaliveIntervalMs' | 'grpcKeepaliveTimeoutMs'
> & Partial<Pick<ServerConfig, 'certFile' | 'keyFile' | 'trustedCaFile' | 'clientCertAuth' | 'autoTls' | 'listenMetricsUrls' | 'dataDir'>>;

function isSecureUrl(url: string): boolean {
  return url.startsWith('https://') || url.startsWith('unixs://');
}

/** Reads --cert-file/--key-file/--trusted-ca-file when some client URL is https. */
export async function loadClientTls(config: ClientListenConfig): Promise<ClientTlsOptions | undefined> {
  if (![...config.listenClientUrls, ...(config.listenMetricsUrls ?? [])].some(isSecureUrl)) return undefined;
  const certFile = config.certFile ?? '';
  const keyFile = config.keyFile ?? '';
  let files = { certFile, keyFile };
  if (certFile === '' || keyFile === '') {
    if (config.autoTls !== true) return undefined;
    // etcd's ClientSelfCert: <data-dir>/fixtures/client, for the hosts of every client URL
    const hosts = config.listenClientUrls.filter((u) => /^https?:/.test(u)).map((u) => new URL(u).host);
    files = await selfCert(path.join(config.dataDir ?? '.', 'fixtures', 'client'), hosts);
  }
  const trustedCaFile = config.trustedCaFile ?? '';
  const [cert, key, ca] = await Promise.all([
    readFile(files.certFile),
    readFile(files.keyFile),
    trustedCaFile !== '' ? readFile(trustedCaFile) : Promise.resolve(undefined),
  ]);
  return { cert, key, ...(ca !== undefined ? { ca } : {}), clientCertAuth: config.clientCertAuth === true };
}

export interface ClientServing {
  readonly api: ClientApi;
  readonly listeners: readonly ClientListener[];
  /** --listen-metrics-urls listeners (/metrics and /health only). */
  readonly metricsListeners: readonly ClientListener[];
  close(): Promise<void>;
}

/** Client ports bound (connections held) but not yet served; see bindClients. */
export interface BoundClients {
  readonly urls: readonly string[];
  /**
   * Serves the metrics URLs at once and the client URLs once `ready` resolves (etcd serves client
   * traffic after ReadyNotify; connections made before are held, not refused). Without `ready`,
   * everything serves at once; if `ready` rejects, the client URLs never serve.
   */
  serve(api: ClientApi, ready?: Promise<void>): ClientServing;
  close(): Promise<void>;
}

/**
 * Binds every client URL and --listen-metrics-urls entry before the member starts (etcd's order:
 * a taken port fails fast, before the data dir is touched). If one bind fails, the others close.
 */
export async function bindClients(config: ClientListenConfig, logger: ApiLogger = silentLogger): Promise<BoundClients> {
  const clients: BoundListener[] = [];
  const metrics: BoundListener[] = [];
  const tls = await loadClientTls(config);
  const options = (url: string): BindOptions => ({
    url,
    maxConcurrentStreams: config.maxConcurrentStreams,
    keepaliveIntervalMs: config.grpcKeepaliveIntervalMs,
    keepaliveTimeoutMs: config.grpcKeepaliveTimeoutMs,
    logger,
    ...(isSecureUrl(url) && tls !== undefined ? { tls } : {}),
  });
  try {
    for (const url of config.listenClientUrls) {
      if (!isSecureUrl(url) && (config.certFile ?? '') !== '') {
        logger.warn({ 'client-url': url }, 'scheme is HTTP while key and cert files are present; ignoring key and cert files');
      }
      clients.push(await bindClientUrl(options(url)));
    }
    for (const url of config.listenMetricsUrls ?? []) metrics.push(await bindClientUrl(options(url)));
  } catch (err) {
    await Promise.all([...clients, ...metrics].map((l) => l.close()));
    throw err;
  }
  const closeAll = async (): Promise<void> => {
    await Promise.all([...clients, ...metrics].map((l) => l.close()));
  };
  return {
    urls: clients.map((l) => l.url),
    close: closeAll,
    serve(api: ClientApi, ready?: Promise<void>): ClientServing {
      const metricsListeners = metrics.map((l) => l.serve(api.metricsGrpc, api.metricsHttp));
      if (ready === undefined) {
        return { api, listeners: clients.map((l) => l.serve(api.grpc, api.http)), metricsListeners, close: closeAll };
      }
      let closed = false;
      ready.then(
        () => {
          if (closed) return;
          for (const l of clients) l.serve(api.grpc, api.http);
          logger.info({ 'client-urls': clients.map((l) => l.url) }, 'ready to serve client requests');
        },
        () => undefined,
      );
      const listeners = clients.map(({ url, port, close }) => ({ url, port, close }));
      return {
        api,
        listeners,
        metricsListeners,
        close: () => {
          closed = true;
          return closeAll();
        },
      };
    },
  };
}

/** Binds and serves at once (tests, embedders that already have a member). */
export async function serveClients(api: ClientApi, config: ClientListenConfig, logger: ApiLogger = silentLogger): Promise<ClientServing> {
  const bound = await bindClients(config, logger);
  return bound.serve(api);
}
