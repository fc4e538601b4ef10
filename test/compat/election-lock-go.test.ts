// Go's clientv3/concurrency (Debian's golang-etcd-server-dev, GOPATH mode) against the target
// (tsetcd by default, COMPAT_TARGET=etcd for the reference): of 3 Election campaigners exactly one
// leads; SIGKILL it and another leads once its session lease expires; N Mutex lockers incrementing
// a counter lose no update. The Go program is test/support/go-concurrency.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { runEtcdctl } from '../support/etcdctl';
import { GO_BUILD_TIMEOUT_MS, buildGoConcurrencyProbe } from '../support/go-concurrency';
import type { ServerHandle } from '../support/server-process';
import { startTarget, targetKind } from './diff/harness';
import { until } from '../support/wait';

const SESSION_TTL_SECONDS = 3;
const LOCKERS = 4;
const INCREMENTS_EACH = 10;

interface Probe {
  child: ChildProcess;
  out: string;
  exited: Promise<number | null>;
}

function runProbe(bin: string, args: string[]): Probe {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Probe = { child, out: '', exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  child.stdout!.on('data', (c: Buffer) => (p.out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (p.out += c.toString()));
  return p;
}


describe(`Go clientv3/concurrency against ${targetKind()}`, () => {
  let server: ServerHandle;
  let bin: string;
  const probes: Probe[] = [];
  beforeAll(async () => {
    bin = buildGoConcurrencyProbe();
    server = await startTarget(targetKind());
  }, GO_BUILD_TIMEOUT_MS + 30_000);
  afterAll(async () => {
    for (const p of probes) p.child.kill('SIGKILL');
    await server?.stop();
  });

  it('of 3 campaigners exactly one leads; SIGKILL it and another leads once its lease expires', async () => {
    const campaigners = [1, 2, 3].map((i) => runProbe(bin, [server.endpoint, 'campaign', 'go-election', `c${i}`, String(SESSION_TTL_SECONDS)]));
    probes.push(...campaigners);
    const leaders = (): Probe[] => campaigners.filter((p) => p.out.includes('LEADER'));
    expect(await until(() => leaders().length > 0, 10_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 1_000)); // give a wrong second leader time to show up
    expect(leaders()).toHaveLength(1);
    const first = leaders()[0]!;
    first.child.kill('SIGKILL');
    await first.exited;
    const killedAt = Date.now();
    const others = campaigners.filter((p) => p !== first);
    expect(await until(() => others.some((p) => p.out.includes('LEADER')), 20_000)).toBe(true);
    // not before the killed session's lease could expire (TTL, less a keep-alive period of slack)
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(((SESSION_TTL_SECONDS * 2) / 3) * 1000 - 100);
    expect(others.filter((p) => p.out.includes('LEADER'))).toHaveLength(1);
  }, 60_000);

  it(`${LOCKERS} Mutex lockers incrementing a counter lose no update`, async () => {
    expect((await runEtcdctl(server.endpoint, ['put', 'go-counter', '0'])).exitCode).toBe(0);
    const lockers = Array.from({ length: LOCKERS }, () => runProbe(bin, [server.endpoint, 'incr', 'go-mutex', 'go-counter', String(INCREMENTS_EACH)]));
    probes.push(...lockers);
    const codes = await Promise.all(lockers.map((p) => p.exited));
    expect(lockers.map((p) => p.out.trim())).toEqual(lockers.map(() => 'DONE'));
    expect(codes).toEqual(lockers.map(() => 0));
    const got = await runEtcdctl(server.endpoint, ['get', 'go-counter', '--print-value-only']);
    expect(got.stdout.trim()).toBe(String(LOCKERS * INCREMENTS_EACH));
  }, 60_000);
});
