import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { flagValuesFromConfigFile } from './config-file';
import { parseConfig } from './parse-config';
import { parseYaml, YamlError } from './yaml-lite';

describe('yaml-lite', () => {
  it('parses mappings, scalars, lists and comments', () => {
    const doc = parseYaml([
      '# etcd config',
      'name: "n1"   # member name',
      "data-dir: '/var/lib/it''s'",
      'snapshot-count: 10000',
      'enable-v2: true',
      'discovery:',
      'log-outputs: [stderr, "stdout"]',
      'cipher-suites:',
      '  - TLS_A',
      '  - TLS_B',
      'client-transport-security:',
      '  cert-file: /c.pem',
      '  client-cert-auth: false',
      'url: http://a:1#not-a-comment',
    ].join('\n'));
    expect(doc).toEqual({
      name: 'n1',
      'data-dir': "/var/lib/it's",
      'snapshot-count': 10000,
      'enable-v2': true,
      discovery: null,
      'log-outputs': ['stderr', 'stdout'],
      'cipher-suites': ['TLS_A', 'TLS_B'],
      'client-transport-security': { 'cert-file': '/c.pem', 'client-cert-auth': false },
      url: 'http://a:1#not-a-comment',
    });
  });

  it('refuses what it does not understand', () => {
    expect(() => parseYaml('name: [x')).toThrow(YamlError);
    expect(() => parseYaml('a: 1\n   b: 2')).toThrow(YamlError);
    expect(() => parseYaml('a: &anchor 1')).toThrow(YamlError);
    expect(() => parseYaml('just text')).toThrow(YamlError);
  });
});

describe('--config-file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tsetcd-cfg-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function write(name: string, text: string): string {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  }

  it('maps keys to flags, TLS sections to (peer-)cert flags, durations from nanoseconds', () => {
    const values = flagValuesFromConfigFile([
      'name: n1',
      'grpc-keepalive-min-time: 3000000000',
      'client-transport-security:',
      '  cert-file: /c.pem',
      '  key-file: /k.pem',
      'peer-transport-security:',
      '  trusted-ca-file: /ca.pem',
      'not-a-flag: 1',
    ].join('\n'));
    expect(Object.fromEntries(values)).toEqual({
      name: 'n1',
      'grpc-keepalive-min-time': '3000ms',
      'cert-file': '/c.pem',
      'key-file': '/k.pem',
      'peer-trusted-ca-file': '/ca.pem',
    });
  });

  it('the file wins over flags and environment, which are ignored', () => {
    const file = write('a.yml', 'name: fromfile\nlisten-client-urls: http://127.0.0.1:12379\nsnapshot-count: 5\n');
    const out = parseConfig(['--config-file', file, '--name', 'fromflag'], { ETCD_SNAPSHOT_COUNT: '9' });
    expect(out.action).toBe('run');
    if (out.action !== 'run') return;
    expect(out.config.name).toBe('fromfile');
    expect(out.config.dataDir).toBe('fromfile.tsetcd');
    expect(out.config.snapshotCount).toBe(5);
    expect(out.config.listenClientUrls).toEqual(['http://127.0.0.1:12379']);
    expect(out.config.advertiseClientUrls).toEqual(['http://localhost:2379']);
  });

  it('ETCD_CONFIG_FILE works like the flag', () => {
    const file = write('b.yml', 'name: envfile\n');
    const out = parseConfig([], { ETCD_CONFIG_FILE: file });
    expect(out.action === 'run' && out.config.name).toBe('envfile');
  });

  it('validation applies to file values', () => {
    const file = write('c.yml', 'heartbeat-interval: 300\n');
    const out = parseConfig(['--config-file', file]);
    expect(out.action === 'exit' && out.stderr).toContain('--election-timeout[1000ms] should be at least as 5 times as --heartbeat-interval[300ms]');
  });

  it('malformed YAML exits 1 with a YAML error', () => {
    const file = write('d.yml', 'name: [x\n');
    const out = parseConfig(['--config-file', file]);
    expect(out.action).toBe('exit');
    if (out.action === 'exit') {
      expect(out.exitCode).toBe(1);
      expect(out.stderr).toContain('error converting YAML to JSON');
    }
  });
});
