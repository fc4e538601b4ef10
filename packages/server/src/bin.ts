// The `tsetcd` executable: parse etcd's flags and ETCD_* env, start the member and its listeners,
// close gracefully on SIGINT/SIGTERM (a second signal exits at once).

import { createServerLogger } from './config/logger';
import { parseConfig } from './config/parse-config';
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
}

void main();
