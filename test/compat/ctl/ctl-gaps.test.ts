// The etcdctl commands tsetcdctl gained last (move-leader, watch -- exec, watch -i, -w fields of the
// auth commands) against Debian's etcdctl 3.4.23, each step with both tools on the SAME server (real etcd,
// then tsetcd): stdout, stderr lines (minus the Go client's JSON warn logs) and exit code must match.
// move-leader's transfer itself runs on a 3-member cluster of each kind (make-mirror: make-mirror.test.ts).
import { spawn } from 'node:child_process';
import { ETCDCTL_BIN, runEtcdctl, type EtcdctlResult } from '../../support/etcdctl';
import { freePort } from '../../support/free-port';
import { startEtcd, startTsetcd, type ServerHandle } from '../../support/server-process';
import { normalizeWrite, stderrLines } from './ctl-normalize';
import { assertTsetcdctlBuilt, runTsetcdctl, TSETCDCTL_BIN, useCtlServer } from './run-ctl';

jest.setTimeout(60_000);

/** A watch never ends by itself: both tools are killed after this long (the history from --rev is printed by then). */
const WATCH_MS = 1_500;
/** Pause between request lines of a `watch -i` session, so each line's watch prints before the next line. */
const LINE_GAP_MS = 400;

type Kind = 'etcd' | 'tsetcd';
const start = (kind: Kind, options = {}): Promise<ServerHandle> => (kind === 'etcd' ? startEtcd(options) : startTsetcd(options));

interface Step {
  args: string[];
  timeoutMs?: number;
}

const ENV_PRINT = 'echo "rev=$ETCD_WATCH_REVISION type=$ETCD_WATCH_EVENT_TYPE key=$ETCD_WATCH_KEY value=$ETCD_WATCH_VALUE"';

const SEED: string[][] = [
  ['put', 'w', '1'],
  ['put', 'w', 'two words'],
  ['put', 'w/x', '"quoted"'],
  ['del', 'w'],
];

const READ_STEPS: Step[] = [
  { args: ['get', 'w/x', '-w', 'protobuf'] },
  { args: ['get', 'w', '--prefix', '-w', 'protobuf'] },
  { args: ['get', 'nothing-here', '-w', 'protobuf'] },
  { args: ['del', 'nothing-here', '-w', 'protobuf'] },
  { args: ['lease', 'list', '-w', 'protobuf'] },
  { args: ['lease', 'timetolive', '1234', '--keys', '-w', 'protobuf'] },
  { args: ['move-leader'] },
  { args: ['move-leader', 'zz'] },
  { args: ['move-leader', '1ffffffffffffffff'] },
  { args: ['move-leader', '1234'] },
  { args: ['watch', 'w', '--'] },
  { args: ['watch', '--rev', '1', '--', 'echo', 'x'] },
  { args: ['watch', 'w', '--prefix', '--rev', '1', '--', 'sh', '-c', ENV_PRINT], timeoutMs: WATCH_MS },
  { args: ['watch', 'w', '--rev', '1', '--prev-kv', '--', 'sh', '-c', 'echo "$ETCD_WATCH_EVENT_TYPE $ETCD_WATCH_KEY" >&2'], timeoutMs: WATCH_MS },
  { args: ['watch', 'w', '--rev', '1', '--', 'false'] },
  { args: ['watch', 'w', '--rev', '1', '--', 'no-such-command-h8'] },
  { args: ['watch', 'w', '--rev', '1', '--', '/no/such/file'] },
  { args: ['watch', 'w', '--prefix', '--rev', '1', '-w', 'json'], timeoutMs: WATCH_MS },
  { args: ['watch', 'w', '--rev', '1', '--prev-kv', '-w', 'fields'], timeoutMs: WATCH_MS },
  { args: ['watch', 'w', '--prefix', '--rev', '1', '--prev-kv', '-w', 'protobuf'], timeoutMs: WATCH_MS },
  { args: ['watch', 'w', '--rev', '1', '-w', 'json', '--', 'sh', '-c', ENV_PRINT], timeoutMs: WATCH_MS },
  { args: ['watch', 'w', '--rev', '1', '-w', 'table'], timeoutMs: WATCH_MS },
];

/** `{p}` is the tool's name prefix (both tools write on one server). */
const WRITE_STEPS: Step[] = [
  { args: ['lease', 'grant', '100', '-w', 'protobuf'] },
  { args: ['role', 'add', '{p}r'] },
  { args: ['role', 'grant-permission', '{p}r', 'read', '/a', '--prefix'] },
  { args: ['role', 'grant-permission', '{p}r', 'readwrite', '/b'] },
  { args: ['role', 'grant-permission', '{p}r', 'write', '/c', '--from-key'] },
  { args: ['role', 'get', '{p}r', '-w', 'fields'] },
  { args: ['role', 'revoke-permission', '{p}r', '/b', '-w', 'fields'] },
  { args: ['role', 'get', '{p}r', '-w', 'fields'] },
  { args: ['user', 'add', '{p}u:pw', '-w', 'fields'] },
  { args: ['user', 'get', '{p}u', '-w', 'fields'] },
  { args: ['user', 'get', '{p}u', '-w', 'table'] },
  { args: ['user', 'list', '-w', 'fields'] },
  { args: ['user', 'delete', '{p}u'] },
  { args: ['role', 'delete', '{p}r'] },
];

function view(r: EtcdctlResult, norm: (s: string) => string = (s) => s): { stdout: string; stderr: string[]; exitCode: number } {
  return { stdout: norm(r.stdout), stderr: stderrLines(r.stderr).map(norm), exitCode: r.exitCode };
}

/** A `watch -i` session: the lines are written one by one, LINE_GAP_MS apart, then stdin closes (etcdctl exits 3 at EOF). */
function interactive(bin: 'etcdctl' | 'tsetcdctl', endpoint: string, lines: string[]): Promise<EtcdctlResult> {
  const [file, pre] = bin === 'etcdctl' ? [ETCDCTL_BIN, []] : [process.execPath, [TSETCDCTL_BIN]];
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...pre, '--endpoints', endpoint, 'watch', '-i'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ETCDCTL_API: '3' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.stdin.on('error', () => undefined);
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const timers: NodeJS.Timeout[] = [];
    lines.forEach((l, i) => timers.push(setTimeout(() => child.stdin.write(`${l}\n`), i * LINE_GAP_MS)));
    timers.push(setTimeout(() => child.stdin.end(), lines.length * LINE_GAP_MS));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(killTimer);
      for (const t of timers) clearTimeout(t);
      resolve({ stdout, stderr, exitCode: code ?? (signal ? 128 : -1) });
    });
  });
}

describe.each(['etcd', 'tsetcd'] as const)('new tsetcdctl commands match etcdctl 3.4.23 against %s', (kind) => {
  const ep = useCtlServer(kind, SEED);

  test.each(READ_STEPS.map((s) => [s.args.join(' '), s] as const))('read: %s', async (_name, step) => {
    const e = await runEtcdctl(ep(), step.args, {}, step.timeoutMs ? { timeoutMs: step.timeoutMs } : {});
    const t = await runTsetcdctl(ep(), step.args, {}, '', step.timeoutMs);
    expect(view(t)).toEqual(view(e));
  });

  test('alarm list -w fields: etcdctl 3.4 crashes on the headerless Alarm answer (exit 2); tsetcdctl refuses with exit 2', async () => {
    const e = await runEtcdctl(ep(), ['alarm', 'list', '-w', 'fields']);
    const t = await runTsetcdctl(ep(), ['alarm', 'list', '-w', 'fields']);
    expect(e.stderr).toContain('nil pointer dereference');
    expect([t.stdout, t.exitCode]).toEqual(['', e.exitCode]);
    expect(stderrLines(t.stderr)).toEqual(['Error: alarm list -w fields: the Alarm response carries no header (etcdctl 3.4 crashes here with a nil pointer panic)']);
  });

  test('move-leader to its own single member: the transferee is refused the same way', async () => {
    const status = await runEtcdctl(ep(), ['endpoint', 'status', '-w', 'json']);
    const id = BigInt(/"member_id":(\d+)/.exec(status.stdout)?.[1] ?? '0').toString(16);
    const e = await runEtcdctl(ep(), ['move-leader', id]);
    const t = await runTsetcdctl(ep(), ['move-leader', id]);
    expect(view(t)).toEqual(view(e));
  });

  test('write steps: -w fields of the auth commands (per-tool prefix, revisions normalised)', async () => {
    const prefixes = { e: 'ectl', t: 'tctl' };
    for (const step of WRITE_STEPS) {
      const sub = (p: string) => step.args.map((a) => a.replace('{p}', p));
      const e = await runEtcdctl(ep(), sub(prefixes.e));
      const t = await runTsetcdctl(ep(), sub(prefixes.t));
      const name = step.args.join(' ');
      expect({ name, ...view(t, (s) => normalizeWrite(s, prefixes.t)) }).toEqual({ name, ...view(e, (s) => normalizeWrite(s, prefixes.e)) });
    }
  });

  test('watch -i: request lines, bad lines, per-line flags, EOF exit', async () => {
    const lines = [
      'watch w --rev 1',
      'bogus',
      '',
      'watch',
      'watch a b --prefix',
      'watch w/x --rev=2 --prev-kv',
      'watch -- echo',
      'watch w/ --prefix --rev 1 -- sh -c "echo exec $ETCD_WATCH_KEY"',
    ];
    const e = await interactive('etcdctl', ep(), lines);
    const t = await interactive('tsetcdctl', ep(), lines);
    expect(view(t)).toEqual(view(e));
    expect(e.exitCode).toBe(3);
  });

  test('watch -i: a bad flag on a request line ends the session (exit 128)', async () => {
    const e = await interactive('etcdctl', ep(), ['watch w --bogus', 'watch w']);
    const t = await interactive('tsetcdctl', ep(), ['watch w --bogus', 'watch w']);
    expect(view(t)).toEqual(view(e));
    expect(e.exitCode).toBe(128);
  });
});

/** Three members of one kind, started together (each waits for a quorum). */
async function startCluster(kind: Kind): Promise<ServerHandle[]> {
  const names = ['m0', 'm1', 'm2'];
  const peers = await Promise.all(names.map(() => freePort()));
  const clients = await Promise.all(names.map(() => freePort()));
  const initial = names.map((n, i) => `${n}=http://127.0.0.1:${peers[i] ?? 0}`).join(',');
  return Promise.all(
    names.map((name, i) => start(kind, { name, clientPort: clients[i], peerPort: peers[i], extraArgs: ['--initial-cluster', initial, '--initial-cluster-state', 'new', '--initial-cluster-token', `h8-${kind}`] })),
  );
}

interface MemberStatus {
  endpoint: string;
  id: bigint;
  leader: bigint;
}

async function statuses(endpoints: string[]): Promise<MemberStatus[]> {
  const r = await runEtcdctl(endpoints.join(','), ['endpoint', 'status', '-w', 'json']);
  const out: MemberStatus[] = [];
  for (const m of r.stdout.matchAll(/"Endpoint":"([^"]+)".*?"member_id":(\d+).*?"leader":(\d+)/g)) {
    out.push({ endpoint: m[1] ?? '', id: BigInt(m[2] ?? '0'), leader: BigInt(m[3] ?? '0') });
  }
  return out;
}

async function waitForLeader(endpoints: string[], want?: bigint): Promise<MemberStatus[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const s = await statuses(endpoints);
    const leader = s[0]?.leader ?? 0n;
    if (s.length === endpoints.length && leader !== 0n && s.every((m) => m.leader === leader) && (want === undefined || leader === want)) return s;
    if (Date.now() > deadline) throw new Error(`no agreed leader: ${JSON.stringify(s, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.each(['etcd', 'tsetcd'] as const)('move-leader on a 3-member %s cluster', (kind) => {
  let members: ServerHandle[] = [];

  beforeAll(async () => {
    assertTsetcdctlBuilt();
    members = await startCluster(kind);
  });

  afterAll(async () => {
    await Promise.all(members.map((m) => m.stop()));
  });

  test('both tools transfer leadership and print the same line; a follower-only endpoint list fails the same way', async () => {
    const eps = members.map((m) => m.endpoint);
    const before = await waitForLeader(eps);
    const leader = before.find((m) => m.id === m.leader);
    const follower = before.find((m) => m.id !== m.leader);
    if (!leader || !follower) throw new Error('no leader/follower');
    const hex = (n: bigint): string => n.toString(16);

    const e = await runEtcdctl(eps.join(','), ['move-leader', hex(follower.id)]);
    expect(view(e)).toEqual({ stdout: `Leadership transferred from ${hex(leader.id)} to ${hex(follower.id)}\n`, stderr: [], exitCode: 0 });
    await waitForLeader(eps, follower.id);

    const t = await runTsetcdctl(eps.join(','), ['move-leader', hex(leader.id)]);
    expect(view(t)).toEqual({ stdout: `Leadership transferred from ${hex(follower.id)} to ${hex(leader.id)}\n`, stderr: [], exitCode: 0 });
    await waitForLeader(eps, leader.id);

    const onlyFollower = follower.endpoint;
    const ef = await runEtcdctl(onlyFollower, ['move-leader', hex(follower.id)]);
    const tf = await runTsetcdctl(onlyFollower, ['move-leader', hex(follower.id)]);
    expect(view(tf)).toEqual(view(ef));
    expect(ef.exitCode).toBe(128);
  });
});
