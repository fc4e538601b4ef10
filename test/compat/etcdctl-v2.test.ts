// etcdctl's v2 command line (ETCDCTL_API=2): Debian's etcdctl and tsetcdctl, each against real etcd
// --enable-v2 and against tsetcd (or a further etcd with COMPAT_TARGET=etcd), the same script on
// four fresh servers. Every side's stdout, stderr and exit code must equal etcdctl-on-etcd's after
// normalising: v2 indexes become offsets from the script's first write, member ids, ports, names,
// expiration times and TTL countdowns are masked. Then watch / exec-watch run in the background
// (tsetcdctl's bin, so the ETCDCTL_API=2 hook is exercised) while etcdctl writes.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCtlV2 } from '../../packages/client/src/ctl/v2/main';
import { freePort } from '../support/free-port';
import { REPO_ROOT, startEtcd, type ServerHandle } from '../support/server-process';
import { ETCDCTL_BIN, runCollect } from '../support/etcdctl';
import { startAll, startTarget, targetKind } from './diff/harness';
import { until } from '../support/wait';
import { settledBaseIndex } from './v2/v2-runner';

const TSETCDCTL_BIN = process.env.TSETCDCTL_BIN ?? join(REPO_ROOT, 'packages', 'client', 'dist', 'tsetcdctl.cjs');
/** A hung command is killed after this long (etcdctl's own --total-timeout is 5 s). */
const COMMAND_KILL_MS = 15_000;
const V2_ARGS = ['--enable-v2'];

interface Result {
  stdout: string;
  stderr: string;
  exitCode: number;
}

interface V2Step {
  name: string;
  /** Global flags go before the command, as etcdctl requires. `{prev}`: the last modifiedIndex printed; `{base}`: the first write's index; `{dead}`: a closed port. */
  args: string[];
  input?: string;
  /** Wait this long before the step (TTL expiry). */
  sleepMs?: number;
  /** etcd lists members from a map: compare the stdout lines as a set. */
  unordered?: boolean;
}

const steps: V2Step[] = [
  { name: 'first write (index base)', args: ['-o', 'json', 'set', '/base', '0'] },
  { name: 'set', args: ['set', '/foo', 'bar'] },
  { name: 'set over a key', args: ['set', '/foo', 'baz'] },
  { name: 'set -o extended (PrevNode)', args: ['-o', 'extended', 'set', '/foo', 'qux'] },
  { name: 'set -o json', args: ['-o', 'json', 'set', '/foo', 'q2'] },
  { name: 'set from stdin', args: ['set', '/stdin'], input: 'from-stdin' },
  { name: 'set from stdin (UTF-8, trailing newline kept)', args: ['-o', 'json', 'set', '/stdin8'], input: 'grüße\n' },
  { name: 'set a value with spaces and &', args: ['set', '/sp', 'a b&c=d'] },
  { name: 'get', args: ['get', '/foo'] },
  { name: 'get -o extended', args: ['-o', 'extended', 'get', '/foo'] },
  { name: 'get -o json', args: ['-o', 'json', 'get', '/foo'] },
  { name: 'get --quorum', args: ['get', '--quorum', '/foo'] },
  { name: 'get -q', args: ['get', '-q', '/sp'] },
  { name: 'get a missing key: 100', args: ['get', '/nope'] },
  { name: 'get -o json of a missing key: still the error line', args: ['-o', 'json', 'get', '/nope/deeper'] },
  { name: 'mk an existing key: 105', args: ['mk', '/foo', 'x'] },
  { name: 'mk -o extended', args: ['-o', 'extended', 'mk', '/new', 'v'] },
  { name: 'mk -o json', args: ['-o', 'json', 'mk', '/new2', 'v'] },
  { name: 'mkdir', args: ['mkdir', '/dir'] },
  { name: 'mkdir again: 105', args: ['mkdir', '/dir'] },
  { name: 'mkdir -o extended', args: ['-o', 'extended', 'mkdir', '/dir2'] },
  { name: 'mkdir -o json (parents created)', args: ['-o', 'json', 'mkdir', '/p/q/r'] },
  { name: 'set in a dir', args: ['set', '/dir/a', '1'] },
  { name: 'set in a dir 2', args: ['set', '/dir/b', '2'] },
  { name: 'mkdir in a dir', args: ['mkdir', '/dir/sub'] },
  { name: 'set in a subdir', args: ['set', '/dir/sub/c', '3'] },
  { name: 'set a hidden key', args: ['set', '/dir/_hidden', 'h'] },
  { name: 'get a dir: "is a directory"', args: ['get', '/dir'] },
  { name: 'ls --sort dir', args: ['ls', '--sort', '/dir'] },
  { name: 'ls -r -p --sort /', args: ['ls', '-r', '-p', '--sort', '/'] },
  { name: 'ls --sort -p (root by default)', args: ['ls', '--sort', '-p'] },
  { name: 'ls --recursive --sort dir', args: ['ls', '--recursive', '--sort', '/dir'] },
  { name: 'ls a file', args: ['ls', '/foo'] },
  { name: 'ls a missing dir: 100', args: ['ls', '/nope'] },
  { name: 'ls -o json --sort', args: ['-o', 'json', 'ls', '--sort', '/dir'] },
  { name: 'ls -o json -r --sort', args: ['-o', 'json', 'ls', '-r', '--sort', '/dir'] },
  { name: 'ls -o extended --sort', args: ['-o', 'extended', 'ls', '--sort', '/dir'] },
  { name: 'set under a file: 104', args: ['set', '/foo/bar', 'x'] },
  { name: 'set on a dir: 102', args: ['set', '/dir', 'x'] },
  { name: 'update', args: ['update', '/foo', 'u1'] },
  { name: 'update -o json', args: ['-o', 'json', 'update', '/foo', 'u2'] },
  { name: 'update a missing key: 100', args: ['update', '/nope', 'v'] },
  { name: 'set --swap-with-value mismatch: 101', args: ['set', '--swap-with-value', 'wrong', '/foo', 'n1'] },
  { name: 'set --swap-with-value', args: ['-o', 'json', 'set', '--swap-with-value', 'u2', '/foo', 'n1'] },
  { name: 'set --swap-with-index (the index just printed)', args: ['-o', 'extended', 'set', '--swap-with-index', '{prev}', '/foo', 'n2'] },
  { name: 'set --swap-with-index mismatch: 101', args: ['set', '--swap-with-index', '1', '/foo', 'n3'] },
  { name: 'set with flags after the arguments', args: ['set', '/late', 'v', '--swap-with-value', 'x'] },
  { name: 'setdir', args: ['setdir', '/sd'] },
  { name: 'setdir on an existing dir: 102', args: ['-o', 'json', 'setdir', '/sd', '--ttl', '100'] },
  { name: 'updatedir --ttl', args: ['updatedir', '/sd', '--ttl', '100'] },
  { name: 'updatedir -o extended (dir TTL)', args: ['-o', 'extended', 'updatedir', '--ttl', '200', '/sd'] },
  { name: 'updatedir a missing dir: 100', args: ['-o', 'json', 'updatedir', '/nodir'] },
  { name: 'set --ttl', args: ['set', '--ttl', '100', '/ttl', 'v'] },
  { name: 'get -o extended of a TTL key', args: ['-o', 'extended', 'get', '/ttl'] },
  { name: 'get -o json of a TTL key', args: ['-o', 'json', 'get', '/ttl'] },
  { name: 'mkdir a queue', args: ['mkdir', '/q'] },
  { name: 'mk --in-order', args: ['mk', '--in-order', '/q', 'j1'] },
  { name: 'mk --in-order -o json', args: ['-o', 'json', 'mk', '--in-order', '/q', 'j2'] },
  { name: 'mk --in-order -o extended --ttl', args: ['-o', 'extended', 'mk', '--in-order', '--ttl', '100', '/q', 'j3'] },
  { name: 'ls --sort the queue', args: ['ls', '--sort', '/q'] },
  { name: 'rm a dir without --dir: 102', args: ['rm', '/dir'] },
  { name: 'rmdir a non-empty dir: 108', args: ['rmdir', '/dir'] },
  { name: 'rm --dir a non-empty dir: 108', args: ['rm', '--dir', '/dir'] },
  { name: 'rm', args: ['rm', '/dir/a'] },
  { name: 'rm -o extended', args: ['-o', 'extended', 'rm', '/dir/b'] },
  { name: 'rm --with-value mismatch: 101', args: ['rm', '--with-value', 'wrong', '/foo'] },
  { name: 'rm --with-index mismatch: 101', args: ['rm', '--with-index', '1', '/foo'] },
  { name: 'rm --with-value (compareAndDelete)', args: ['rm', '--with-value', 'n2', '/foo'] },
  { name: 'rm --with-index (compareAndDelete)', args: ['-o', 'json', 'rm', '--with-index', '{prev:/new}', '/new'] },
  { name: 'rm -r -o json', args: ['-o', 'json', 'rm', '-r', '/dir'] },
  { name: 'rm --recursive a missing key: 100', args: ['rm', '--recursive', '/nope'] },
  { name: 'rm -r the root: 107', args: ['rm', '-r', '/'] },
  { name: 'rmdir an empty dir (prints nothing)', args: ['rmdir', '/sd'] },
  { name: 'rmdir -o json', args: ['-o', 'json', 'rmdir', '/dir2'] },
  { name: 'rm --dir a file', args: ['rm', '--dir', '/new2'] },
  { name: 'watch --after-index (from history)', args: ['watch', '--after-index', '{base}', '/foo'] },
  { name: 'watch -r --after-index -o json (dir events skipped)', args: ['-o', 'json', 'watch', '-r', '--after-index', '{base}', '/dir'] },
  { name: 'watch -r --after-index (the [action] key line)', args: ['watch', '--recursive', '--after-index', '{base}', '/q'] },
  { name: 'watch -o extended --after-index', args: ['-o', 'extended', 'watch', '--after-index', '{base}', '/stdin'] },
  { name: '--debug get (curl lines)', args: ['--debug', 'get', '/sp'] },
  { name: '--debug --no-sync set (form body)', args: ['--debug', '--no-sync', 'set', '--ttl', '1000', '/dbg', 'a b&c~*'] },
  { name: '-o unsupported', args: ['-o', 'bad', 'set', '/x', '1'] },
  { name: 'ETCDCTL_ENDPOINTS (a closed port) beats --endpoint: exit 2', args: ['--endpoint', '{url}', 'get', '/sp'] },
  { name: '--peers', args: ['--no-sync', '--endpoints', '{url}', '--peers', 'http://127.0.0.1:{dead}', 'get', '/sp'] },
  { name: 'member list', args: ['member', 'list'], unordered: true },
  { name: 'cluster-health', args: ['cluster-health'], unordered: true },
  { name: 'usage: get without a key', args: ['get'] },
  { name: 'usage: set without a value', args: ['set', '/k'] },
  { name: 'usage: set without arguments', args: ['set'] },
  { name: 'usage: mk without arguments', args: ['mk'] },
  { name: 'usage: rm without arguments', args: ['rm'] },
  { name: 'usage: watch without a key', args: ['watch'] },
  { name: 'usage: exec-watch without a command', args: ['exec-watch', '/k'] },
  { name: 'usage: unknown command flag', args: ['get', '--bogus', '/x'] },
  { name: 'usage: bad int flag', args: ['set', '--ttl', 'abc', '/k', 'v'] },
  { name: 'usage: unknown command', args: ['bogus'] },
  { name: 'usage: member list with an argument', args: ['member', 'list', 'extra'] },
  { name: 'usage: member remove of an unknown id', args: ['member', 'remove', '1234'] },
  { name: 'usage: member remove without an id', args: ['member', 'remove'] },
  { name: 'usage: member add with a bad URL', args: ['member', 'add', 'x', 'foo'] },
  { name: 'usage: member add with one argument', args: ['member', 'add', 'x'] },
  { name: 'usage: member update with one argument', args: ['member', 'update', 'x'] },
  { name: 'usage: unknown member subcommand', args: ['member', 'bogus'] },
  { name: 'help: no command (app help)', args: [] },
  { name: '--version', args: ['--version'] },
  { name: 'set -- for a value starting with -', args: ['set', '--', '/dash', '-value'] },
  { name: 'set a key with spaces and non-ASCII', args: ['-o', 'json', 'set', '/ü ß/a?b', 'wert <&>'] },
  { name: 'get -o json of it (path escaping, JSON escaping)', args: ['-o', 'json', 'get', '/ü ß/a?b'] },
  { name: '--debug get of it (escaped URL)', args: ['--debug', '--no-sync', 'get', '/ü ß/a?b'] },
  { name: 'ls -p --sort of the dir', args: ['ls', '-p', '--sort', '/ü ß'] },
  { name: 'get a key with dot segments (cleaned)', args: ['get', '/x/../dash'] },
  { name: 'help: member', args: ['member'] },
  { name: 'help: set --help', args: ['set', '--help'] },
  { name: 'help: help ls', args: ['help', 'ls'] },
  { name: 'connection refused (sync): exit 2', args: ['--endpoints', 'http://127.0.0.1:{dead}', 'get', '/x'] },
  { name: 'connection refused (--no-sync): exit 4', args: ['--no-sync', '--endpoints', 'http://127.0.0.1:{dead}', 'get', '/x'] },
  { name: 'backup of a missing data dir (log line, exit 1)', args: ['backup', '--data-dir', '{tmp}/missing', '--backup-dir', '{tmp}/bk'] },
  { name: '--total-timeout 1ns: context deadline exceeded in the sync, exit 2', args: ['--total-timeout', '1ns', 'get', '/sp'] },
  { name: '--no-sync --total-timeout 1ns: exit 4', args: ['--no-sync', '--total-timeout', '1ns', 'get', '/sp'] },
  { name: '--timeout 1ns: header timeout, exit 4', args: ['--timeout', '1ns', 'get', '/sp'] },
  { name: 'two endpoints, the first refused (sync fails over)', args: ['--endpoints', 'http://127.0.0.1:{dead},{url}', 'get', '/sp'] },
  { name: 'two endpoints, the first refused, --no-sync', args: ['--no-sync', '--endpoints', 'http://127.0.0.1:{dead},{url}', '-o', 'extended', 'get', '/sp'] },
  { name: 'set --ttl 1 (to expire)', args: ['set', '--ttl', '1', '/exp', 'v'] },
  { name: 'the expired key is gone: 100 (expiry took an index)', args: ['get', '/exp'], sleepMs: 2_600 },
  { name: 'set after the expiry', args: ['-o', 'extended', 'set', '/after', 'v'] },
  // last: a second (never started) member leaves a 1-member cluster without quorum
  { name: 'member add', args: ['member', 'add', 'newbie', 'http://127.0.0.1:{dead}'] },
  { name: 'member list with an unstarted member', args: ['member', 'list'], unordered: true },
];

type Tool = 'etcdctl' | 'tsetcdctl';

interface Side {
  label: string;
  tool: Tool;
  server: ServerHandle;
  results: Result[];
  tmp: string;
}


/** The environment both tools run in: no ETCDCTL_* from the caller, API 2, the server in ETCDCTL_ENDPOINTS. */
function ctlEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ETCDCTL_')) env[k] = v;
  return { ...env, ETCDCTL_API: '2', ETCDCTL_ENDPOINTS: 'http://127.0.0.1:1', ...extra };
}

async function runTool(tool: Tool, args: string[], input: string): Promise<Result> {
  if (tool === 'etcdctl') return runCollect(ETCDCTL_BIN, args, ctlEnv(), input, COMMAND_KILL_MS);
  let stdout = '';
  let stderr = '';
  const exitCode = await runCtlV2(args, {
    out: (s) => (stdout += s),
    err: (s) => (stderr += s),
    // bin-ctl hands stdin over as its bytes in a latin1 string
    stdin: () => Promise.resolve(Buffer.from(input, 'utf8').toString('latin1')),
    env: ctlEnv(),
    // a watch that never sees its event ends like Ctrl+C (the comparison then shows the gap)
    signal: AbortSignal.timeout(COMMAND_KILL_MS),
  });
  return { stdout, stderr, exitCode };
}

const MODIFIED_INDEX = /(?:"modifiedIndex":|Modified-Index: )(\d+)/g;

function lastModifiedIndex(results: Result[], key?: string): string {
  for (let i = results.length - 1; i >= 0; i--) {
    const r = results[i] as Result;
    if (key !== undefined && !r.stdout.includes(`"key":"${key}"`) && !r.stdout.includes(`Key: ${key}\n`)) continue;
    const all = [...r.stdout.matchAll(MODIFIED_INDEX)];
    const last = all[all.length - 1];
    if (last?.[1] !== undefined) return last[1];
  }
  return '0';
}

function baseIndex(side: Side): bigint {
  const m = /"createdIndex":(\d+)/.exec(side.results[0]?.stdout ?? '');
  return m?.[1] !== undefined ? BigInt(m[1]) : 0n;
}

async function runSide(side: Side, deadPort: number): Promise<void> {
  for (const s of steps) {
    if (s.sleepMs !== undefined) await new Promise((r) => setTimeout(r, s.sleepMs));
    const args = s.args.map((a) =>
      a
        .replace(/\{prev:([^}]+)\}/, (_m, key: string) => lastModifiedIndex(side.results, key))
        .replace('{prev}', lastModifiedIndex(side.results))
        .replace('{base}', baseIndex(side).toString())
        .replace('{dead}', String(deadPort))
        .replace('{url}', side.server.url)
        .replace('{tmp}', side.tmp),
    );
    const globals = args.includes('--endpoints') || args.includes('--endpoint') ? [] : ['--endpoints', side.server.url];
    side.results.push(await runTool(side.tool, [...globals, ...args], s.input ?? ''));
  }
}

/** Indexes as offsets from `base`, and the per-server values (ports, ids, names, times) masked. */
function normalizeV2(text: string, server: ServerHandle, base: bigint, tmp = ''): string {
  const rel = (n: string): string => {
    const d = BigInt(n) - base;
    return d >= 0n ? `i+${d}` : `i${d}`;
  };
  return (tmp === '' ? text : text.split(tmp).join('<tmp>'))
    .replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} ([A-Z]) \| /gm, '<log time> $1 | ')
    .split(`127.0.0.1:${server.clientPort}`)
    .join('<client>')
    .split(`127.0.0.1:${server.peerPort}`)
    .join('<peer>')
    .split(server.name)
    .join('<name>')
    .replace(/("createdIndex":|"modifiedIndex":|Created-Index: |Modified-Index: |^Index: )(\d+)/gm, (_m, p: string, n: string) => p + rel(n))
    .replace(/(\) \[)(\d+)(\]$)/gm, (_m, a: string, n: string, b: string) => a + rel(n) + b)
    .replace(/(\[[^\]]* != )(\d+)(\])/g, (_m, a: string, n: string, b: string) => a + rel(n) + b)
    .replace(/\/(\d{20})\b/g, (_m, n: string) => `/<inorder ${rel(n)}>`)
    .replace(/"expiration":"[^"]+"/g, '"expiration":"<time>"')
    .replace(/("ttl":|^TTL: )([1-9]\d*)/gm, '$1<ttl>')
    .replace(/\b[0-9a-f]{1,16}\b(?=(: name=|\[unstarted\]| is (healthy|unhealthy|unreachable)| to cluster))/g, '<member-id>')
    .replace(/^ETCD_INITIAL_CLUSTER="([^"]*)"$/m, (_m, list: string) => `ETCD_INITIAL_CLUSTER="${list.split(',').sort().join(',')}"`);
}

function normalized(side: Side, i: number): Result {
  const r = side.results[i] as Result;
  const base = baseIndex(side);
  let stdout = normalizeV2(r.stdout, side.server, base, side.tmp);
  if (steps[i]?.unordered) stdout = stdout.split('\n').sort().join('\n');
  return { stdout, stderr: normalizeV2(r.stderr, side.server, base, side.tmp), exitCode: r.exitCode };
}

const kind = targetKind();
const targetName = kind === 'etcd' ? 'etcd#3' : 'tsetcd';

describe(`ETCDCTL_API=2: etcdctl on etcd (expected) vs tsetcdctl on etcd, etcdctl on ${targetName}, tsetcdctl on ${targetName}`, () => {
  const sides: Side[] = [];
  let deadPort = 0;

  beforeAll(async () => {
    deadPort = await freePort();
    const servers = await startAll([
      () => startEtcd({ extraArgs: V2_ARGS }),
      () => startEtcd({ extraArgs: V2_ARGS }),
      () => startTarget(kind, { extraArgs: V2_ARGS }),
      () => startTarget(kind, { extraArgs: V2_ARGS }),
    ]);
    const [e1, e2, t1, t2] = servers as [ServerHandle, ServerHandle, ServerHandle, ServerHandle];
    const tmp = (): string => mkdtempSync(join(tmpdir(), 'etcdctl-v2-'));
    sides.push(
      { label: 'etcdctl on etcd', tool: 'etcdctl', server: e1, results: [], tmp: tmp() },
      { label: 'tsetcdctl on etcd', tool: 'tsetcdctl', server: e2, results: [], tmp: tmp() },
      { label: `etcdctl on ${targetName}`, tool: 'etcdctl', server: t1, results: [], tmp: tmp() },
      { label: `tsetcdctl on ${targetName}`, tool: 'tsetcdctl', server: t2, results: [], tmp: tmp() },
    );
    // the members' own bookkeeping (publish, cluster version) takes v2 indexes: let it land first
    await Promise.all(sides.map((side) => settledBaseIndex(side.server.url)));
    await Promise.all(sides.map((side) => runSide(side, deadPort)));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(sides.map((s) => s.server.stop()));
    for (const s of sides) rmSync(s.tmp, { recursive: true, force: true });
  }, 30_000);

  const cases = steps.map((s, i) => [`#${String(i + 1).padStart(3, '0')} ${s.name}`, i] as const);
  for (const sideIndex of [1, 2, 3]) {
    const title = ['', 'tsetcdctl on etcd', `etcdctl on ${targetName}`, `tsetcdctl on ${targetName}`][sideIndex];
    describe(`${title}`, () => {
      test.each(cases)('%s', (_label, i) => {
        const reference = sides[0];
        const side = sides[sideIndex];
        if (reference === undefined || side === undefined) throw new Error('servers did not start');
        const step = steps[i] as V2Step;
        try {
          expect(normalized(side, i)).toEqual(normalized(reference, i));
        } catch (err) {
          throw new Error(`${step.args.join(' ')}: ${side.label} differs from etcdctl on etcd\n${(err as Error).message}`);
        }
      });
    });
  }

  test('the reference run shows the errors and outputs this script is about', () => {
    const ref = sides[0];
    if (ref === undefined) throw new Error('servers did not start');
    const byName = (name: string): Result => ref.results[steps.findIndex((s) => s.name === name)] as Result;
    expect(byName('get a missing key: 100')).toMatchObject({ exitCode: 4, stdout: '' });
    expect(byName('get a missing key: 100').stderr).toMatch(/^Error: {2}100: Key not found \(\/nope\) \[\d+\]\n$/);
    expect(byName('mk an existing key: 105').stderr).toMatch(/^Error: {2}105: Key already exists \(\/foo\)/);
    expect(byName('rm a dir without --dir: 102').stderr).toMatch(/^Error: {2}102: Not a file \(\/dir\)/);
    expect(byName('rmdir a non-empty dir: 108').stderr).toMatch(/^Error: {2}108: Directory not empty \(\/dir\)/);
    expect(byName('set --swap-with-value mismatch: 101').stderr).toMatch(/^Error: {2}101: Compare failed \(\[wrong != u2\]\)/);
    expect(byName('set under a file: 104').stderr).toMatch(/^Error: {2}104: Not a directory \(\/foo\)/);
    expect(byName('rm -r the root: 107').stderr).toMatch(/^Error: {2}107: Root is read only \(\/\)/);
    expect(byName('ls -r -p --sort /').stdout).toContain('/dir/\n/dir/a\n/dir/b\n/dir/sub/\n/dir/sub/c\n');
    expect(byName('ls -r -p --sort /').stdout).not.toContain('_hidden');
    expect(byName('get -o extended of a TTL key').stdout).toMatch(/^TTL: (99|100)$/m);
    expect(byName('the expired key is gone: 100 (expiry took an index)').exitCode).toBe(4);
    expect(byName('connection refused (sync): exit 2').exitCode).toBe(2);
    expect(byName('connection refused (--no-sync): exit 4').exitCode).toBe(4);
    expect(byName('usage: unknown command').exitCode).toBe(3);
    expect(byName('get a dir: "is a directory"')).toMatchObject({ exitCode: 1, stderr: '/dir: is a directory\n' });
  });
});

// ---- watch / exec-watch in the background, tsetcdctl through its bin ----

interface Background {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<number>;
}

function startBackground(file: string, args: string[]): Background {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: ctlEnv() });
  const bg: Background = { child, stdout: '', stderr: '', exit: Promise.resolve(-1) };
  child.stdout?.on('data', (c: Buffer) => (bg.stdout += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (bg.stderr += c.toString('utf8')));
  bg.exit = new Promise((resolve) => child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : -1))));
  return bg;
}


const EXEC_SCRIPT = 'echo "action=$ETCD_WATCH_ACTION key=$ETCD_WATCH_KEY value=$ETCD_WATCH_VALUE index=$ETCD_WATCH_MODIFIED_INDEX api=$ETCDCTL_API"';
/** Writes made while the watchers run (one non-dir event each, plus one dir event). */
const WRITES = [
  ['-o', 'json', 'set', '/w/base', '0'],
  ['mkdir', '/w/sub'],
  ['set', '/w/k1', 'v1'],
  ['set', '/w/sub/k2', 'v 2'],
  ['update', '/w/k1', 'v1b'],
  ['rm', '/w/k1'],
];
const NON_DIR_EVENTS = WRITES.length - 1;

interface WatchRun {
  server: ServerHandle;
  base: bigint;
  outputs: Map<string, { stdout: string; stderr: string; exitCode: number }>;
}

async function watchScenario(server: ServerHandle): Promise<WatchRun> {
  const bins: [string, string, string[]][] = [
    ['etcdctl', ETCDCTL_BIN, []],
    ['tsetcdctl', process.execPath, [TSETCDCTL_BIN]],
  ];
  const ep = ['--endpoints', server.url];
  const running = new Map<string, Background>();
  for (const [name, file, lead] of bins) {
    running.set(`${name} watch --forever -r`, startBackground(file, [...lead, ...ep, 'watch', '--forever', '-r', '/w']));
    running.set(`${name} watch (one event)`, startBackground(file, [...lead, ...ep, 'watch', '/w/k1']));
    running.set(`${name} exec-watch -r -- sh -c`, startBackground(file, [...lead, ...ep, 'exec-watch', '-r', '/w', '--', 'sh', '-c', EXEC_SCRIPT]));
  }
  const outputs = new Map<string, { stdout: string; stderr: string; exitCode: number }>();
  try {
    // the watchers poll from the next index: give them time to be waiting before the first write
    await new Promise((r) => setTimeout(r, 1_500));
    let base = 0n;
    for (const w of WRITES) {
      const r = await runCollect(ETCDCTL_BIN, [...ep, ...w], ctlEnv(), '', COMMAND_KILL_MS);
      const m = /"createdIndex":(\d+)/.exec(r.stdout);
      if (base === 0n && m?.[1] !== undefined) base = BigInt(m[1]);
    }
    await until(
      () => [...running.entries()].every(([name, bg]) => !name.includes('exec-watch') || bg.stdout.split('\n').length > NON_DIR_EVENTS),
      10_000,
    );
    await until(() => [...running.entries()].every(([name, bg]) => !name.includes('--forever') || bg.stdout.includes('[delete] /w/k1')), 10_000);
    for (const [name, bg] of running) {
      if (name.includes('(one event)')) continue;
      bg.child.kill('SIGINT');
    }
    for (const [name, bg] of running) {
      const timer = setTimeout(() => bg.child.kill('SIGKILL'), 5_000);
      const exitCode = await bg.exit;
      clearTimeout(timer);
      outputs.set(name, { stdout: bg.stdout, stderr: bg.stderr, exitCode });
    }
    return { server, base, outputs };
  } finally {
    for (const bg of running.values()) if (bg.child.exitCode === null && bg.child.signalCode === null) bg.child.kill('SIGKILL');
  }
}

describe(`ETCDCTL_API=2 watch / exec-watch in the background (etcdctl vs tsetcdctl's bin), etcd vs ${targetName}`, () => {
  const runs: WatchRun[] = [];
  const servers: ServerHandle[] = [];

  beforeAll(async () => {
    if (!existsSync(TSETCDCTL_BIN)) throw new Error(`tsetcdctl build not found at ${TSETCDCTL_BIN}: run npm run build first`);
    servers.push(...(await startAll([() => startEtcd({ extraArgs: V2_ARGS }), () => startTarget(kind, { extraArgs: V2_ARGS })])));
    runs.push(...(await Promise.all(servers.map(watchScenario))));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  }, 30_000);

  const names = ['watch --forever -r', 'watch (one event)', 'exec-watch -r -- sh -c'];
  // exec-watch runs one child per event concurrently: their lines may interleave in any order
  const sortLines = (s: string): string => s.split('\n').filter((l) => l !== '').sort().join('\n');

  test.each(names)('on etcd, tsetcdctl %s prints what etcdctl prints (and exits 0 on SIGINT)', (name) => {
    const run = runs[0];
    if (run === undefined) throw new Error('servers did not start');
    const a = run.outputs.get(`etcdctl ${name}`);
    const b = run.outputs.get(`tsetcdctl ${name}`);
    const fix = (o: typeof a) => (name.startsWith('exec') ? { ...o, stdout: sortLines(o?.stdout ?? '') } : o);
    expect(fix(b)).toEqual(fix(a));
  });

  test('on etcd, the reference outputs hold the events (so the comparison is not of two empty outputs)', () => {
    const run = runs[0];
    if (run === undefined) throw new Error('servers did not start');
    expect(run.outputs.get('etcdctl watch --forever -r')).toMatchObject({ exitCode: 0 });
    expect(run.outputs.get('etcdctl watch --forever -r')?.stdout).toBe(
      '[set] /w/base\n0\n[set] /w/k1\nv1\n[set] /w/sub/k2\nv 2\n[update] /w/k1\nv1b\n[delete] /w/k1\nPrevNode.Value: v1b\n',
    );
    expect(run.outputs.get('etcdctl watch (one event)')).toEqual({ stdout: 'v1\n', stderr: '', exitCode: 0 });
    const exec = run.outputs.get('etcdctl exec-watch -r -- sh -c');
    expect(exec?.stderr).toBe('Ignored dir /w/sub change\n');
    expect(sortLines(exec?.stdout ?? '')).toContain(`action=delete key=/w/k1 value= index=${run.base + 5n} api=`);
  });

  test.each(names.flatMap((n) => [`etcdctl ${n}`, `tsetcdctl ${n}`]))(`%s on ${targetName} equals etcdctl on etcd (indexes as offsets)`, (name) => {
    const [ref, target] = runs;
    if (ref === undefined || target === undefined) throw new Error('servers did not start');
    const norm = (run: WatchRun, o: { stdout: string; stderr: string; exitCode: number } | undefined) => ({
      stdout: sortLines(normalizeV2(o?.stdout ?? '', run.server, run.base).replace(/index=(\d+)/g, (_m, n: string) => `index=i+${BigInt(n) - run.base}`)),
      stderr: o?.stderr,
      exitCode: o?.exitCode,
    });
    const refName = `etcdctl ${name.replace(/^(etcdctl|tsetcdctl) /, '')}`;
    expect(norm(target, target.outputs.get(name))).toEqual(norm(ref, ref.outputs.get(refName)));
  });
});
