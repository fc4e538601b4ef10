import { parseConfig, defaultConfig, type ParseOutcome } from './parse-config';
import type { ServerConfig } from './server-config';
import { parseDurationMs, parseInteger, parseUrlList } from './values';
import { FLAGS } from './flags';

function run(argv: string[], env: Record<string, string> = {}): ServerConfig {
  const out = parseConfig(argv, env);
  if (out.action !== 'run') throw new Error(`expected run, got exit ${out.exitCode}: ${out.stderr}`);
  return out.config;
}

function exit(argv: string[], env: Record<string, string> = {}): Extract<ParseOutcome, { action: 'exit' }> {
  const out = parseConfig(argv, env);
  if (out.action !== 'exit') throw new Error('expected exit');
  return out;
}

describe('parseConfig defaults', () => {
  it('uses etcd 3.4 defaults, data dir ${name}.tsetcd', () => {
    const c = run([]);
    expect(c.name).toBe('default');
    expect(c.dataDir).toBe('default.tsetcd');
    expect(c.snapshotCount).toBe(100000);
    expect(c.heartbeatIntervalMs).toBe(100);
    expect(c.electionTimeoutMs).toBe(1000);
    expect(c.listenClientUrls).toEqual(['http://localhost:2379']);
    expect(c.advertiseClientUrls).toEqual(['http://localhost:2379']);
    expect(c.listenPeerUrls).toEqual(['http://localhost:2380']);
    expect(c.initialCluster).toBe('default=http://localhost:2380');
    expect(c.initialClusterState).toBe('new');
    expect(c.initialClusterToken).toBe('etcd-cluster');
    expect(c.quotaBackendBytes).toBe(2 * 1024 ** 3);
    expect(c.maxRequestBytes).toBe(1572864);
    expect(c.maxTxnOps).toBe(128);
    expect(c.maxConcurrentStreams).toBe(4294967295);
    expect(c.grpcKeepaliveMinTimeMs).toBe(5000);
    expect(c.grpcKeepaliveIntervalMs).toBe(7_200_000);
    expect(c.grpcKeepaliveTimeoutMs).toBe(20_000);
    expect(c.backendBatchIntervalMs).toBe(100);
    expect(c.backendBatchLimit).toBe(10000);
    expect(c.enableV2).toBe(true); // tsetcd serves v2 by default (etcd 3.4: false)
    expect(c.enableGrpcGateway).toBe(true);
    expect(c.strictReconfigCheck).toBe(true);
    expect(c.autoCompactionMode).toBe('periodic');
    expect(c.autoCompactionPeriodMs).toBe(0);
    expect(c.authToken).toBe('simple');
    expect(c.authTokenTtlSeconds).toBe(300);
    expect(c.bcryptCost).toBe(10);
    expect(c.cors).toEqual(['*']);
    expect(c.logLevel).toBe('info');
    expect(c.listenMetricsUrls).toEqual([]);
    expect(c.experimentalWatchProgressNotifyIntervalMs).toBe(600_000);
    expect(c.experimentalCompactionBatchLimit).toBe(1000);
  });

  it('every flag of the table lands in the config', () => {
    const c = run([]) as unknown as Record<string, unknown>;
    for (const f of FLAGS) if (f.key) expect(c[f.key]).not.toBeUndefined();
  });

  it('defaultConfig derives the data dir from an overridden name', () => {
    expect(defaultConfig({ name: 'n1' }).dataDir).toBe('n1.tsetcd');
    expect(defaultConfig({ name: 'n1', dataDir: '/d' }).dataDir).toBe('/d');
  });
});

describe('parseConfig flag syntax', () => {
  it('accepts --flag value, --flag=value, -flag value', () => {
    const c = run(['--name', 'n1', '--data-dir=/tmp/x', '-snapshot-count', '42']);
    expect(c.name).toBe('n1');
    expect(c.dataDir).toBe('/tmp/x');
    expect(c.snapshotCount).toBe(42);
  });

  it('derives data dir and initial cluster from --name', () => {
    const c = run(['--name', 'n1', '--initial-advertise-peer-urls', 'http://127.0.0.1:2380']);
    expect(c.dataDir).toBe('n1.tsetcd');
    expect(c.initialCluster).toBe('n1=http://127.0.0.1:2380');
  });

  it('booleans: bare means true, =false turns off, and do not eat the next arg', () => {
    expect(run(['--enable-v2']).enableV2).toBe(true);
    expect(run(['--enable-v2=false']).enableV2).toBe(false);
    expect(run(['--strict-reconfig-check=false']).strictReconfigCheck).toBe(false);
    const out = exit(['--enable-v2', 'false']);
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toContain("'false' is not a valid flag");
  });

  it('parses Go durations and lists', () => {
    const c = run(['--grpc-keepalive-min-time', '1m30s', '--backend-batch-interval', '10ms', '--cors', 'http://a,http://b']);
    expect(c.grpcKeepaliveMinTimeMs).toBe(90_000);
    expect(c.backendBatchIntervalMs).toBe(10);
    expect(c.cors).toEqual(['http://a', 'http://b']);
  });

  it('last occurrence of a flag wins', () => {
    expect(run(['--name', 'a', '--name', 'b']).name).toBe('b');
  });

  it('--listen-client-urls without --advertise-client-urls is an error like etcd', () => {
    const out = exit(['--listen-client-urls', 'http://127.0.0.1:12379']);
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toContain('--advertise-client-urls is required when --listen-client-urls is set explicitly');
    const c = run(['--listen-client-urls', 'http://127.0.0.1:12379', '--advertise-client-urls', 'http://127.0.0.1:12379']);
    expect(c.listenClientUrls).toEqual(['http://127.0.0.1:12379']);
  });

  it('resolves auto compaction retention by mode', () => {
    expect(run(['--auto-compaction-retention', '2']).autoCompactionPeriodMs).toBe(2 * 3_600_000);
    expect(run(['--auto-compaction-retention', '30m']).autoCompactionPeriodMs).toBe(1_800_000);
    const r = run(['--auto-compaction-mode', 'revision', '--auto-compaction-retention', '1000']);
    expect(r.autoCompactionRetentionRevisions).toBe(1000);
    expect(r.autoCompactionPeriodMs).toBe(0);
    expect(exit(['--auto-compaction-retention', 'soon']).stderr).toContain('error parsing CompactionRetention');
  });

  it('--debug raises the log level', () => {
    expect(run(['--debug']).logLevel).toBe('debug');
  });
});

describe('parseConfig errors', () => {
  it('unknown flag: exit 2 with Go flag message and usage', () => {
    const out = exit(['--bogus']);
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toMatch(/^flag provided but not defined: -bogus\n/);
    expect(out.stderr).toContain('Usage:');
  });

  it('bad value: exit 2 naming the flag', () => {
    const out = exit(['--snapshot-count', 'abc']);
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toContain('invalid value "abc" for flag -snapshot-count: parse error');
    expect(exit(['--snapshot-count=-1']).exitCode).toBe(2);
    expect(exit(['--enable-v2=maybe']).stderr).toContain('invalid boolean value "maybe" for flag -enable-v2');
    expect(exit(['--initial-cluster-state', 'old']).stderr).toContain('-initial-cluster-state');
    expect(exit(['--listen-client-urls', 'ftp://x:1']).stderr).toContain('URL scheme must be http, https, unix, or unixs');
  });

  it('missing argument', () => {
    const out = exit(['--name']);
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toContain('flag needs an argument: -name');
  });

  it('election timeout must be >= 5x heartbeat, <= 50 s, both > 0', () => {
    const out = exit(['--heartbeat-interval', '300']);
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toContain('--election-timeout[1000ms] should be at least as 5 times as --heartbeat-interval[300ms]');
    expect(exit(['--election-timeout', '60000']).stderr).toContain('--election-timeout[60000ms] is too long, and should be set less than 50000ms');
    expect(exit(['--heartbeat-interval', '0']).stderr).toContain('--heartbeat-interval must be >0 (set to 0ms)');
    expect(run(['--heartbeat-interval', '200']).heartbeatIntervalMs).toBe(200);
  });

  it('bind URLs must be IPs or localhost', () => {
    const out = exit(['--listen-peer-urls', 'http://example.com:2380']);
    expect(out.stderr).toContain('expected IP in URL for binding (http://example.com:2380)');
  });

  it('conflicting bootstrap flags', () => {
    expect(exit(['--discovery', 'http://d/x', '--initial-cluster', 'a=http://1.2.3.4:2380']).stderr)
      .toContain('multiple discovery or bootstrap flags are set');
  });

  it('lease checkpoint persist needs checkpoint', () => {
    expect(exit(['--experimental-enable-lease-checkpoint-persist']).stderr)
      .toContain('setting experimental-enable-lease-checkpoint-persist requires experimental-enable-lease-checkpoint');
  });

  it('a missing config file is reported like etcd', () => {
    const out = exit(['--config-file', '/nonexistent/x.yml']);
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toContain('open /nonexistent/x.yml: no such file or directory');
  });
});

describe('parseConfig environment', () => {
  it('ETCD_* sets flags not given on the command line', () => {
    const c = run([], { ETCD_DATA_DIR: '/var/x', ETCD_ENABLE_V2: 'true', ETCD_SNAPSHOT_COUNT: '7' });
    expect(c.dataDir).toBe('/var/x');
    expect(c.enableV2).toBe(true);
    expect(c.snapshotCount).toBe(7);
  });

  it('a flag and its env var both set is fatal', () => {
    const out = exit(['--name', 'y'], { ETCD_NAME: 'x' });
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toContain('conflicting environment variable "ETCD_NAME" is shadowed by corresponding command-line flag');
  });

  it('bad env value names the variable', () => {
    const out = exit([], { ETCD_SNAPSHOT_COUNT: 'abc' });
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toContain('invalid value "abc" for ETCD_SNAPSHOT_COUNT: parse error');
  });

  it('unknown ETCD_* only warns; non-ETCD vars are ignored', () => {
    const out = parseConfig([], { ETCD_FOO: '1', PATH: '/bin', ETCDCTL_API: '3' });
    expect(out.action).toBe('run');
    if (out.action === 'run') {
      expect(out.warnings).toContain('unrecognized environment variable ETCD_FOO=1');
      expect(out.warnings.some((w) => w.includes('ETCDCTL'))).toBe(false);
    }
  });

  it('env listen-client-urls counts as explicitly set', () => {
    expect(exit([], { ETCD_LISTEN_CLIENT_URLS: 'http://127.0.0.1:1' }).stderr).toContain('--advertise-client-urls is required');
  });
});

describe('--help and --version', () => {
  it('--help lists every visible flag and exits 0', () => {
    for (const arg of ['--help', '-h', '-help']) {
      const out = exit([arg]);
      expect(out.exitCode).toBe(0);
      for (const f of FLAGS) if (!f.hidden) expect(out.stdout).toContain(`--${f.name} '`);
    }
  });

  it('--version prints etcd-parseable lines', () => {
    const out = exit(['--version']);
    expect(out.exitCode).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines[0]).toBe('etcd Version: 3.4.23');
    expect(lines[1]).toMatch(/^Git SHA: tsetcd-/);
    expect(lines[2]).toMatch(/^Go Version: node\d+\./);
    expect(lines[3]).toMatch(/^Go OS\/Arch: \w+\/\w+$/);
  });
});

describe('value parsers', () => {
  it('Go durations', () => {
    expect(parseDurationMs('2h')).toBe(7_200_000);
    expect(parseDurationMs('1.5s')).toBe(1500);
    expect(parseDurationMs('0')).toBe(0);
    expect(parseDurationMs('100us')).toBeCloseTo(0.1);
    expect(() => parseDurationMs('5')).toThrow('missing unit');
    expect(() => parseDurationMs('5x')).toThrow('invalid duration');
    expect(() => parseDurationMs('')).toThrow();
  });

  it('integers like strconv base 0', () => {
    expect(parseInteger('0x10', true)).toBe(16);
    expect(parseInteger('1_000', true)).toBe(1000);
    expect(parseInteger('-5', false)).toBe(-5);
    expect(() => parseInteger('-5', true)).toThrow();
    expect(() => parseInteger('1e3', false)).toThrow();
  });

  it('URL lists are deduplicated, sorted and need host:port', () => {
    expect(parseUrlList('http://b:1,http://a:1,http://b:1')).toEqual(['http://a:1', 'http://b:1']);
    expect(() => parseUrlList('http://a')).toThrow('host:port');
    expect(() => parseUrlList('http://a:1/path')).toThrow();
  });
});
