// tsetcdctl lock / elect against Debian's etcdctl 3.4.23 on real etcd and on tsetcd: the same output
// and exit codes for lock with an exec command and for argument errors; locks and elections taken by
// one tool are honoured by the other (a waiter runs only once the holder is interrupted; an observer
// prints the leader etcdctl elected, then the next one); Ctrl-C releases and exits 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { ETCDCTL_BIN, runEtcdctl, type EtcdctlResult } from '../../support/etcdctl';
import { stderrLines } from './ctl-normalize';
import { runTsetcdctl, TSETCDCTL_BIN, useCtlServer } from './run-ctl';
import { waitFor } from '../../support/wait';

jest.setTimeout(60_000);

function view(r: EtcdctlResult): { stdout: string; stderr: string[]; exitCode: number } {
  return { stdout: r.stdout, stderr: stderrLines(r.stderr), exitCode: r.exitCode };
}

interface Running {
  child: ChildProcess;
  output(): string;
  exited: Promise<number>;
}

const running = new Set<ChildProcess>();

function start(tool: 'etcdctl' | 'tsetcdctl', endpoint: string, args: string[]): Running {
  const [file, pre] = tool === 'etcdctl' ? [ETCDCTL_BIN, []] : [process.execPath, [TSETCDCTL_BIN]];
  const child = spawn(file, [...pre, '--endpoints', endpoint, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ETCDCTL_API: '3' } });
  running.add(child);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<number>((resolve) => child.once('close', (code, signal) => {
    running.delete(child);
    resolve(code ?? (signal ? 128 : -1));
  }));
  return { child, output: () => out, exited };
}


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

afterAll(() => {
  for (const c of running) c.kill('SIGKILL');
});

describe.each(['etcd', 'tsetcd'] as const)('lock and elect match etcdctl against %s', (kind) => {
  const ep = useCtlServer(kind);

  test.each([
    [['lock', 'l1', 'echo', 'held']],
    [['lock', 'l1', '--', 'sh', '-c', 'echo "$ETCD_LOCK_KEY" | cut -d/ -f1; test -n "$ETCD_LOCK_REV"']],
    [['lock', 'l1', '--', 'sh', '-c', 'exit 3']],
    [['lock', 'l1', 'no-such-command-here']],
    [['lock']],
    [['elect']],
    [['elect', 'e0']],
    [['elect', '-l', 'e0', 'p']],
  ])('%j', async (args) => {
    const e = await runEtcdctl(ep(), args);
    const t = await runTsetcdctl(ep(), args);
    const v = (r: EtcdctlResult) => ({ ...view(r), stdout: r.exitCode === 0 ? r.stdout : '<usage?>', stderr: view(r).stderr.filter((l) => l.startsWith('Error:')) });
    expect(v(t)).toEqual(v(e));
  });

  test.each([
    ['etcdctl', 'tsetcdctl'],
    ['tsetcdctl', 'etcdctl'],
  ] as const)('a lock held by %s (released by SIGINT) blocks %s until released', async (holderTool, waiterTool) => {
    const name = `hold-${holderTool}`;
    const holder = start(holderTool, ep(), ['lock', name]);
    await waitFor(() => holder.output().includes('\n\n'), undefined, 'the holder to print its key', 50);
    expect(holder.output()).toMatch(new RegExp(`^${name}/[0-9a-f]+\\n\\n$`));
    const waiter = start(waiterTool, ep(), ['lock', name, 'echo', 'got it']);
    await sleep(1_000);
    expect(waiter.output()).toBe('');
    holder.child.kill('SIGINT');
    expect(await holder.exited).toBe(0);
    expect(await waiter.exited).toBe(0);
    expect(waiter.output()).toBe('got it\n');
  });

  test('elect -l observes leaders elected by etcdctl and tsetcdctl, like etcdctl elect -l', async () => {
    const name = 'e1';
    const obsT = start('tsetcdctl', ep(), ['elect', '-l', name]);
    const obsE = start('etcdctl', ep(), ['elect', '-l', name]);
    await sleep(500);
    const first = start('etcdctl', ep(), ['elect', name, 'p1']);
    await waitFor(() => first.output().includes('p1\n'), undefined, 'etcdctl to be elected', 50);
    const second = start('tsetcdctl', ep(), ['elect', name, 'p2']);
    await waitFor(() => obsT.output().includes('p1\n') && obsE.output().includes('p1\n'), undefined, 'observers to see p1', 50);
    await sleep(500);
    expect(second.output()).toBe('');
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    await waitFor(() => second.output().includes('p2\n'), undefined, 'tsetcdctl to be elected', 50);
    expect(second.output()).toMatch(new RegExp(`^${name}/[0-9a-f]+\\np2\\n$`));
    await waitFor(() => obsT.output().includes('p2\n') && obsE.output().includes('p2\n'), undefined, 'observers to see p2', 50);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
    await sleep(300);
    obsT.child.kill('SIGINT');
    obsE.child.kill('SIGINT');
    expect(await obsT.exited).toBe(0);
    expect(await obsE.exited).toBe(0);
    expect(obsT.output()).toBe(obsE.output());
    expect(obsT.output()).toMatch(new RegExp(`^${name}/[0-9a-f]+\\np1\\n${name}/[0-9a-f]+\\np2\\n$`));
  });
});
