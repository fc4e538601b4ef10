// The server's pino logger, shaped like etcd's zap output: {"level":"info","ts":"...","msg":"..."}.
// --log-level maps onto pino levels (panic -> fatal); --log-outputs: default/stderr, stdout, files.

import pino, { type Logger } from 'pino';
import type { LogLevel, ServerConfig } from './server-config';

const PINO_LEVEL: Record<LogLevel, pino.Level> = {
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  error: 'error',
  panic: 'fatal',
  fatal: 'fatal',
};

export function createServerLogger(config: Pick<ServerConfig, 'logLevel' | 'logOutputs'>): Logger {
  const options: pino.LoggerOptions = {
    level: PINO_LEVEL[config.logLevel],
    base: null,
    messageKey: 'msg',
    timestamp: () => `,"ts":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }) },
  };
  const outputs = config.logOutputs.length === 0 ? ['default'] : config.logOutputs;
  const streams = outputs.map((out) => {
    if (out === 'default' || out === 'stderr') return { stream: pino.destination({ fd: 2, sync: true }) };
    if (out === 'stdout') return { stream: pino.destination({ fd: 1, sync: true }) };
    return { stream: pino.destination({ dest: out, mkdir: true, sync: true }) };
  });
  if (streams.length === 1) return pino(options, (streams[0] as { stream: pino.DestinationStream }).stream);
  return pino(options, pino.multistream(streams.map((s) => ({ ...s, level: options.level as pino.Level }))));
}
