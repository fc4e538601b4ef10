// parseConfig(argv, env): etcd's flag rules (Go `flag` syntax, then ETCD_* env for flags not given,
// a flag and its env var both set is fatal), --help, --version, validation. Returns what to do;
// never exits or prints itself (bin.ts does).

import { readFileSync } from 'node:fs';
import { flagValuesFromConfigFile } from './config-file';
import { CONFIG_FILE_FLAG, FLAGS, FLAGS_BY_NAME, VERSION_FLAG, flagToEnv, type FlagSpec } from './flags';
import { formatHelp, formatVersion } from './help';
import {
  DATA_DIR_SUFFIX,
  DEFAULT_BACKEND_BATCH_INTERVAL_MS,
  DEFAULT_BACKEND_BATCH_LIMIT,
  DEFAULT_MAX_CONCURRENT_STREAMS,
  DEFAULT_NAME,
  DEFAULT_QUOTA_BACKEND_BYTES,
  MAX_BCRYPT_COST,
  MAX_ELECTION_TIMEOUT_MS,
  MIN_BCRYPT_COST,
} from './limits';
import type { ServerConfig } from './server-config';
import { ValueError, parseBool, parseDurationMs, parseInteger, parseList, parseUrlList } from './values';

export type ParseOutcome =
  | { readonly action: 'run'; readonly config: ServerConfig; readonly warnings: readonly string[] }
  | { readonly action: 'exit'; readonly exitCode: number; readonly stdout: string; readonly stderr: string };

type Env = Readonly<Record<string, string | undefined>>;

/** Thrown by validateConfig; its message is etcd's text. */
export class ConfigError extends Error {}

const USAGE_HINT = "See 'tsetcd --help'.";

function usageError(message: string): ParseOutcome {
  return { action: 'exit', exitCode: 2, stdout: '', stderr: `${message}\n${formatHelp()}` };
}

function verifyError(message: string): ParseOutcome {
  return { action: 'exit', exitCode: 1, stdout: '', stderr: `tsetcd: error verifying flags, ${message}. ${USAGE_HINT}\n` };
}

function parseValue(spec: FlagSpec, text: string): unknown {
  const kind = spec.kind;
  switch (kind.type) {
    case 'string': return text;
    case 'bool': return parseBool(text);
    case 'int': return parseInteger(text, false);
    case 'uint': return parseInteger(text, true);
    case 'duration': return text === '' ? 0 : parseDurationMs(text);
    case 'list': return parseList(text);
    case 'urls': return text === '' ? [] : parseUrlList(text);
    case 'enum':
      if (!kind.values.includes(text)) {
        throw new ValueError(`valid values are ${JSON.stringify(kind.values.join(','))}, got ${JSON.stringify(text)}`);
      }
      return text;
  }
}

function defaultValue(spec: FlagSpec): unknown {
  if (spec.name === 'data-dir') return '';
  if (spec.name === 'max-concurrent-streams') return DEFAULT_MAX_CONCURRENT_STREAMS;
  return parseValue(spec, spec.defaultText);
}

/** All flags at their etcd defaults (before name-derived defaults are resolved). */
function defaults(): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const spec of FLAGS) if (spec.key) raw[spec.key] = defaultValue(spec);
  return raw;
}

interface CommandLine {
  values: Map<string, string>;
  version: boolean;
  help: boolean;
  configFile: string;
}

/** Go `flag` syntax: -f, --f, -f=v, --f v; parsing stops at the first non-flag or `--`. */
function scanArgs(argv: readonly string[]): CommandLine | ParseOutcome {
  const cl: CommandLine = { values: new Map(), version: false, help: false, configFile: '' };
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i] as string;
    if (arg.length < 2 || arg[0] !== '-') break;
    i++;
    if (arg === '--') break;
    const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    if (body === '' || body.startsWith('-') || body.startsWith('=')) return usageError(`bad flag syntax: ${arg}`);
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    let value = eq < 0 ? undefined : body.slice(eq + 1);
    if (name === 'h' || name === 'help') {
      cl.help = true;
      continue;
    }
    if (name === VERSION_FLAG) {
      try {
        cl.version = value === undefined ? true : parseBool(value);
      } catch {
        return usageError(`invalid boolean value ${JSON.stringify(value)} for -${name}: parse error`);
      }
      continue;
    }
    const spec = FLAGS_BY_NAME.get(name);
    if (!spec && name !== CONFIG_FILE_FLAG) return usageError(`flag provided but not defined: -${name}`);
    if (value === undefined) {
      if (spec?.kind.type === 'bool') value = 'true';
      else if (i < argv.length) value = argv[i++] as string;
      else return usageError(`flag needs an argument: -${name}`);
    }
    if (!spec) {
      cl.configFile = value;
      continue;
    }
    try {
      parseValue(spec, value);
    } catch (err) {
      const what = spec.kind.type === 'bool' ? 'boolean value' : 'value';
      return usageError(`invalid ${what} ${JSON.stringify(value)} for flag -${name}: ${(err as Error).message}`);
    }
    cl.values.set(name, value);
  }
  if (i < argv.length && !cl.help) return verifyError(`'${argv[i]}' is not a valid flag`);
  return cl;
}

export function parseConfig(argv: readonly string[], env: Env = {}): ParseOutcome {
  const scanned = scanArgs(argv);
  if ('action' in scanned) return scanned;
  if (scanned.help) return { action: 'exit', exitCode: 0, stdout: formatHelp(), stderr: '' };
  if (scanned.version) return { action: 'exit', exitCode: 0, stdout: formatVersion(), stderr: '' };

  const configFile = scanned.configFile || env[flagToEnv(CONFIG_FILE_FLAG)] || '';
  const warnings: string[] = [];
  const raw = defaults();
  const given = new Set<string>();

  if (configFile !== '') {
    // etcd: with a config file, every other flag and environment variable is ignored.
    let values: Map<string, string>;
    try {
      values = flagValuesFromConfigFile(readFileSync(configFile, 'utf8'));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') return verifyError(`open ${configFile}: no such file or directory`);
      return verifyError(`error converting YAML to JSON: ${e.message}`);
    }
    warnings.push(`loaded server configuration from ${JSON.stringify(configFile)}; other command line flags and environment variables are ignored`);
    for (const [name, text] of values) {
      const spec = FLAGS_BY_NAME.get(name) as FlagSpec;
      try {
        raw[spec.key as string] = parseValue(spec, text);
      } catch (err) {
        return verifyError(`${configFile}: invalid value ${JSON.stringify(text)} for ${name}: ${(err as Error).message}`);
      }
    }
    return finish(raw, new Set(), warnings);
  }

  for (const [name, text] of scanned.values) {
    const spec = FLAGS_BY_NAME.get(name) as FlagSpec;
    raw[spec.key as string] = parseValue(spec, text);
    given.add(name);
  }

  const known = new Set<string>([flagToEnv(VERSION_FLAG), flagToEnv(CONFIG_FILE_FLAG)]);
  for (const spec of FLAGS) {
    const envName = flagToEnv(spec.name);
    known.add(envName);
    const text = env[envName];
    if (text === undefined) continue;
    if (given.has(spec.name)) {
      return verifyError(`conflicting environment variable ${JSON.stringify(envName)} is shadowed by corresponding command-line flag (either unset environment variable or disable flag)`);
    }
    try {
      raw[spec.key as string] = parseValue(spec, text);
    } catch (err) {
      return verifyError(`invalid value ${JSON.stringify(text)} for ${envName}: ${(err as Error).message}`);
    }
    given.add(spec.name);
  }
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith('ETCD_') && !known.has(name)) warnings.push(`unrecognized environment variable ${name}=${value ?? ''}`);
  }

  return finish(raw, given, warnings);
}

function finish(raw: Record<string, unknown>, given: ReadonlySet<string>, warnings: string[]): ParseOutcome {
  const config = raw as unknown as ServerConfig;
  try {
    resolveDerived(config, given);
    validateConfig(config);
  } catch (err) {
    if (err instanceof ConfigError) return verifyError(err.message);
    throw err;
  }
  return { action: 'run', config, warnings };
}

/** Defaults that depend on other flags (etcd resolves these after parsing). */
function resolveDerived(config: ServerConfig, given: ReadonlySet<string>): void {
  if (config.dataDir === '') config.dataDir = `${config.name}${DATA_DIR_SUFFIX}`;
  const defaultCluster = FLAGS_BY_NAME.get('initial-cluster')?.defaultText;
  if (config.name !== DEFAULT_NAME && config.initialCluster === defaultCluster) {
    config.initialCluster = config.initialAdvertisePeerUrls.map((u) => `${config.name}=${u}`).join(',');
  }
  const discovering = config.discovery !== '' || config.discoverySrv !== '' || config.discoverySrvName !== '';
  if (discovering && !given.has('initial-cluster')) config.initialCluster = '';
  if (given.has('listen-client-urls') && !given.has('advertise-client-urls') && !mayBeProxy(config)) {
    config.advertiseClientUrls = [];
  }
  if (config.quotaBackendBytes === 0) config.quotaBackendBytes = DEFAULT_QUOTA_BACKEND_BYTES;
  if (config.backendBatchIntervalMs === 0) config.backendBatchIntervalMs = DEFAULT_BACKEND_BATCH_INTERVAL_MS;
  if (config.backendBatchLimit === 0) config.backendBatchLimit = DEFAULT_BACKEND_BATCH_LIMIT;
  if (config.debug) config.logLevel = 'debug';
  const retention = config.autoCompactionRetention;
  config.autoCompactionPeriodMs = 0;
  config.autoCompactionRetentionRevisions = 0;
  const asInt = /^[0-9]+$/.test(retention) ? Number(retention) : Number.NaN;
  if (Number.isSafeInteger(asInt)) {
    if (config.autoCompactionMode === 'revision') config.autoCompactionRetentionRevisions = asInt;
    else config.autoCompactionPeriodMs = asInt * 3_600_000;
  } else {
    try {
      config.autoCompactionPeriodMs = parseDurationMs(retention);
    } catch (err) {
      throw new ConfigError(`error parsing CompactionRetention: ${(err as Error).message}`);
    }
  }
}

function mayBeProxy(config: ServerConfig): boolean {
  return config.proxy !== 'off' || (config.discovery !== '' && config.discoveryFallback === 'proxy');
}

function checkBindUrls(urls: readonly string[]): void {
  for (const raw of urls) {
    const url = new URL(raw);
    if (url.protocol === 'unix:' || url.protocol === 'unixs:') continue;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (host === 'localhost') continue;
    if (!isIp(host)) throw new ConfigError(`expected IP in URL for binding (${raw})`);
  }
}

function isIp(host: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(host)) {
    return host.split('.').every((p) => Number(p) <= 255);
  }
  return host.includes(':') && /^[0-9a-fA-F:.]+$/.test(host);
}

/** etcd's embed.Config.Validate rules, in etcd's order; throws ConfigError. */
export function validateConfig(config: ServerConfig): void {
  checkBindUrls(config.listenPeerUrls);
  checkBindUrls(config.listenClientUrls);
  checkBindUrls(config.listenMetricsUrls);
  for (const [flag, urls] of [['--initial-advertise-peer-urls', config.initialAdvertisePeerUrls], ['--advertise-client-urls', config.advertiseClientUrls]] as const) {
    for (const raw of urls) {
      if (new URL(raw).hostname === '' && !raw.startsWith('unix')) {
        throw new ConfigError(`${flag} ${JSON.stringify(urls.join(','))} must be "host:port" (unexpected empty host (${raw}))`);
      }
    }
  }
  const bootstraps = [config.discovery !== '', config.initialCluster !== '', config.discoverySrv !== ''].filter(Boolean).length;
  if (bootstraps > 1) {
    throw new ConfigError('multiple discovery or bootstrap flags are set. Choose one of "initial-cluster", "discovery" or "discovery-srv"');
  }
  if (config.heartbeatIntervalMs <= 0) throw new ConfigError(`--heartbeat-interval must be >0 (set to ${config.heartbeatIntervalMs}ms)`);
  if (config.electionTimeoutMs <= 0) throw new ConfigError(`--election-timeout must be >0 (set to ${config.electionTimeoutMs}ms)`);
  if (5 * config.heartbeatIntervalMs > config.electionTimeoutMs) {
    throw new ConfigError(`--election-timeout[${config.electionTimeoutMs}ms] should be at least as 5 times as --heartbeat-interval[${config.heartbeatIntervalMs}ms]`);
  }
  if (config.electionTimeoutMs > MAX_ELECTION_TIMEOUT_MS) {
    throw new ConfigError(`--election-timeout[${config.electionTimeoutMs}ms] is too long, and should be set less than ${MAX_ELECTION_TIMEOUT_MS}ms`);
  }
  if (config.listenClientUrls.length > 0 && config.advertiseClientUrls.length === 0 && !mayBeProxy(config)) {
    throw new ConfigError('--advertise-client-urls is required when --listen-client-urls is set explicitly');
  }
  if (config.experimentalEnableLeaseCheckpointPersist && !config.experimentalEnableLeaseCheckpoint) {
    throw new ConfigError('setting experimental-enable-lease-checkpoint-persist requires experimental-enable-lease-checkpoint');
  }
  if (config.bcryptCost < MIN_BCRYPT_COST || config.bcryptCost > MAX_BCRYPT_COST) {
    throw new ConfigError(`invalid bcrypt-cost ${config.bcryptCost}: valid values are between ${MIN_BCRYPT_COST} and ${MAX_BCRYPT_COST}`);
  }
  if (config.maxConcurrentStreams > DEFAULT_MAX_CONCURRENT_STREAMS) {
    throw new ConfigError(`invalid max-concurrent-streams ${config.maxConcurrentStreams}: must fit in uint32`);
  }
}

/** The etcd defaults, resolved for `name` (handy for tests and in-process members). */
export function defaultConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  const outcome = parseConfig([], {});
  if (outcome.action !== 'run') throw new Error('default configuration does not validate');
  const config = { ...outcome.config, ...overrides };
  if (overrides.name !== undefined && overrides.dataDir === undefined) config.dataDir = `${config.name}${DATA_DIR_SUFFIX}`;
  return config;
}
