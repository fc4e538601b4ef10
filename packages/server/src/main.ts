// startServer: the start-up wiring of one tsetcd process — data dir, member, client listeners —
// and the graceful shutdown that undoes it in reverse.

import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import { bindClients, createClientApi, type ClientApi, type ClientApiExtensions } from './api/client-api';
import { createServerLogger } from './config/logger';
import type { ServerConfig } from './config/server-config';
import { startEtcdServer } from './etcdserver';
import type { EtcdServerApi } from './etcdserver/server-api';

/** etcd creates its data dir with mode 0700. */
export const DATA_DIR_MODE = 0o700;

export interface StartServerOptions {
  /** Defaults to a pino logger built from --log-level / --log-outputs. */
  readonly logger?: Logger;
  /** More gRPC services / HTTP routes on the client port (see ClientApiExtensions). */
  readonly extendApi?: ClientApiExtensions['extend'];
}

export interface RunningServer {
  readonly member: EtcdServerApi;
  readonly api: ClientApi;
  /** The client URLs actually listened on (port resolved when 0 was given). */
  readonly clientUrls: readonly string[];
  /** Stops the listeners (GOAWAY, drain), then the member. Idempotent. */
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, options: StartServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createServerLogger(config);
  logger.info({ name: config.name, 'data-dir': config.dataDir, 'listen-client-urls': config.listenClientUrls }, 'starting tsetcd member');

  // Ports first, like etcd: a taken port fails before anything touches the disk.
  const bound = await bindClients(config, logger);
  let member: EtcdServerApi;
  try {
    await mkdir(config.dataDir, { recursive: true, mode: DATA_DIR_MODE });
    if (config.walDir !== '') await mkdir(config.walDir, { recursive: true, mode: DATA_DIR_MODE });
    member = await startEtcdServer(config, logger);
  } catch (err) {
    await bound.close();
    throw err;
  }
  let serving;
  try {
    const api = createClientApi(member, config, logger, options.extendApi ? { extend: options.extendApi } : {});
    serving = bound.serve(api, member.readyNotify?.());
  } catch (err) {
    await bound.close();
    await member.close().catch((closeErr: unknown) => logger.error({ err: closeErr }, 'closing member after failed start'));
    throw err;
  }
  const clientUrls = serving.listeners.map((l) => l.url);
  logger.info({ 'client-urls': clientUrls }, 'client URLs bound; serving once the member is published (gRPC and HTTP on each URL)');

  let closing: Promise<void> | undefined;
  return {
    member,
    api: serving.api,
    clientUrls,
    close(): Promise<void> {
      closing ??= (async () => {
        await serving.close();
        await member.close();
        logger.info({ name: config.name }, 'tsetcd member stopped');
      })();
      return closing;
    },
  };
}
