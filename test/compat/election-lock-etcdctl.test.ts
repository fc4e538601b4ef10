// Debian's etcdctl `elect`, `elect -l`, `lock` and `lease keep-alive` against the target (tsetcd by
// default; COMPAT_TARGET=etcd runs the same checks on real etcd): one leader of three campaigners,
// the next one leads after the leader is interrupted (it resigns), an observer sees the leader,
// lockers running a read-increment-write command lose no update, keep-alive renews the TTL.
import { spawn, type ChildProcess } from 'node:child_process';
import { ETCDCTL_BIN, runEtcdctl } from '../support/etcdctl';
import type { ServerHandle } from '../support/server-process';
import { startTarget, targetKind } from './diff/harness';
import { until } from '../support/wait';

const LOCKERS = 3;
const ROUNDS_EACH = 3;

interface Ctl {
  child: ChildProcess;
  out: string;
  exited: Promise<number | null>;
}

function ctl(endpoint: string, args: string[]): Ctl {
  const child = spawn(ETCDCTL_BIN, ['--endpoints', endpoint, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ETCDCTL_API: '3' },
  });
  const c: Ctl = { child, out: '', exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  child.stdout!.on('data', (d: Buffer) => (c.out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (c.out += d.toString()));
  return c;
}


describe(`etcdctl elect / lock / lease keep-alive against ${targetKind()}`, () => {
  let server: ServerHandle;
  const spawned: Ctl[] = [];
  beforeAll(async () => {
    server = await startTarget(targetKind());
  }, 60_000);
  afterAll(async () => {
    for (const c of spawned) c.child.kill('SIGKILL');
    await server?.stop();
  });

  it('elect: one of three leads; interrupting it hands over; elect -l shows the leader', async () => {
    const cands = ['p1', 'p2', 'p3'].map((v) => ctl(server.endpoint, ['elect', 'ctl-election', v]));
    spawned.push(...cands);
    const leading = (): Ctl[] => cands.filter((c) => /^ctl-election\/[0-9a-f]+\np\d\n/m.test(c.out));
    expect(await until(() => leading().length > 0, 10_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(leading()).toHaveLength(1);
    const first = leading()[0]!;
    const firstValue = /\n(p\d)\n/.exec(first.out)![1]!;

    const observer = ctl(server.endpoint, ['elect', '-l', 'ctl-election']);
    spawned.push(observer);
    expect(await until(() => observer.out.includes(`\n${firstValue}\n`), 10_000)).toBe(true);

    first.child.kill('SIGINT'); // etcdctl resigns and exits on an interrupt
    await first.exited;
    const rest = cands.filter((c) => c !== first);
    expect(await until(() => rest.some((c) => leading().includes(c)), 10_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    const second = rest.filter((c) => leading().includes(c));
    expect(second).toHaveLength(1);
    const secondValue = /\n(p\d)\n/.exec(second[0]!.out)![1]!;
    expect(await until(() => observer.out.includes(`\n${secondValue}\n`), 10_000)).toBe(true);
  }, 60_000);

  it(`lock: ${LOCKERS} lockers running read-increment-write commands lose no update`, async () => {
    expect((await runEtcdctl(server.endpoint, ['put', 'ctl-counter', '0'])).exitCode).toBe(0);
    const e = `${ETCDCTL_BIN} --endpoints ${server.endpoint}`;
    const script = `v=$(${e} get ctl-counter --print-value-only); sleep 0.05; ${e} put ctl-counter $((v+1)) >/dev/null`;
    await Promise.all(
      Array.from({ length: LOCKERS }, async () => {
        for (let r = 0; r < ROUNDS_EACH; r++) {
          const c = ctl(server.endpoint, ['lock', '--ttl', '5', 'ctl-lock', '--', 'sh', '-c', script]);
          spawned.push(c);
          expect(await c.exited).toBe(0);
        }
      }),
    );
    const got = await runEtcdctl(server.endpoint, ['get', 'ctl-counter', '--print-value-only']);
    expect(got.stdout.trim()).toBe(String(LOCKERS * ROUNDS_EACH));
    // every lock key is gone once its holder finished
    expect((await runEtcdctl(server.endpoint, ['get', 'ctl-lock/', '--prefix', '--keys-only'])).stdout.trim()).toBe('');
  }, 90_000);

  it('lease keep-alive --once renews; keep-alive streams renewals; timetolive --keys lists keys', async () => {
    const granted = await runEtcdctl(server.endpoint, ['lease', 'grant', '30']);
    const id = /^lease ([0-9a-f]+) granted with TTL\(30s\)$/m.exec(granted.stdout)?.[1];
    expect(id).toBeDefined();
    await runEtcdctl(server.endpoint, ['put', 'ka/k', 'v', `--lease=${id}`]);
    await new Promise((r) => setTimeout(r, 2_100));
    const before = await runEtcdctl(server.endpoint, ['lease', 'timetolive', id!, '--keys']);
    const remainingBefore = Number(/remaining\((\d+)s\)/.exec(before.stdout)?.[1]);
    expect(remainingBefore).toBeLessThanOrEqual(28);
    expect(before.stdout).toContain('attached keys([ka/k])');
    const once = await runEtcdctl(server.endpoint, ['lease', 'keep-alive', '--once', id!]);
    expect(once.stdout.trim()).toBe(`lease ${id} keepalived with TTL(30)`);
    const after = await runEtcdctl(server.endpoint, ['lease', 'timetolive', id!]);
    expect(Number(/remaining\((\d+)s\)/.exec(after.stdout)?.[1])).toBeGreaterThan(remainingBefore);
    const stream = ctl(server.endpoint, ['lease', 'keep-alive', id!]);
    spawned.push(stream);
    expect(await until(() => stream.out.includes(`lease ${id} keepalived with TTL(30)`), 10_000)).toBe(true);
    stream.child.kill('SIGINT');
    await stream.exited;
    await runEtcdctl(server.endpoint, ['lease', 'revoke', id!]);
    const gone = await runEtcdctl(server.endpoint, ['lease', 'keep-alive', '--once', id!]);
    expect(gone.exitCode).not.toBe(0);
    expect(gone.stderr).toContain('etcdserver: requested lease not found'); // as etcd 3.4 answers
  }, 60_000);
});
