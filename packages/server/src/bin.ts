// The `tsetcd` executable: parse etcd's flags and ETCD_* env, start the member and its listeners,
// close gracefully on SIGINT/SIGTERM (a second signal exits at once); when the member stops by
// itself the process ends like etcd's: exit 0 once removed from the cluster, 1 on a fatal error.

import { createServerLogger } from './config/logger';
import { parseConfig } from './config/parse-config';
import { MemberRemovedError } from './etcdserver';
import { startServer } from './main';

async function main(): Promise<void> {
  const outcome = parseConfig(process.argv.slice(2), process.env);
  if (outcome.action === 'exit') {
    if (outcome.stdout !== '') process.stdout.write(outcome.stdout);
    if (outcome.stderr !== '') process.stderr.write(outcome.stderr);
    process.exitCode = outcome.exitCode;
    return;
  }
  const { config, warnings } = outcome;
  const logger = createServerLogger(config);
  for (const warning of warnings) logger.warn(warning);

  let server;
  try {
    server = await startServer(config, { logger });
  } catch (err) {
    logger.fatal({ err }, 'failed to start tsetcd');
    process.exit(1);
  }

  let signalled = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (signalled) {
      logger.warn({ signal }, 'second signal; exiting now');
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, 'received signal; shutting down');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  void server.member.stopped?.().then((err) => {
    if (signalled || err === undefined) return; // closed by a signal, not by itself
    signalled = true;
    const removed = err instanceof MemberRemovedError;
    if (removed) logger.warn('member removed from the cluster; shutting down');
    else logger.fatal({ err }, 'member stopped on a fatal error; shutting down');
    void server.close().finally(() => process.exit(removed ? 0 : 1));
  });
}

void main();
