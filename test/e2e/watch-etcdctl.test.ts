// Real etcdctl (Go clientv3) watching a real tsetcd process: history from a past revision, live
// events, and prev_kv through the Go client's watch machinery.

import { spawn, type ChildProcess } from 'node:child_process';
import { ETCDCTL_BIN, runEtcdctl } from '../support/etcdctl';
import { startTsetcd, type ServerHandle } from '../support/server-process';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);


describe('e2e: etcdctl watch against tsetcd', () => {
  let server: ServerHandle;
  const watchers: ChildProcess[] = [];

  beforeAll(async () => {
    server = await startTsetcd();
  });

  afterAll(async () => {
    for (const w of watchers) w.kill('SIGKILL');
    await server?.stop();
  });

  function watch(args: string[]): { output: () => string } {
    const child = spawn(ETCDCTL_BIN, ['--endpoints', server.endpoint, 'watch', ...args], { env: { ...process.env, ETCDCTL_API: '3' }, stdio: ['ignore', 'pipe', 'pipe'] });
    watchers.push(child);
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
    return { output: () => out };
  }

  test('history from revision 1, then live puts and deletes with prev_kv', async () => {
    expect((await runEtcdctl(server.endpoint, ['put', 'w/a', '1'])).exitCode).toBe(0);
    expect((await runEtcdctl(server.endpoint, ['put', 'w/b', '2'])).exitCode).toBe(0);
    const history = watch(['--prefix', 'w/', '--rev', '1']);
    const live = watch(['--prev-kv', 'w/a']);
    await waitFor(() => history.output().includes('w/b'));
    // Give the live watcher's create a moment to be acknowledged before writing.
    await new Promise((r) => setTimeout(r, 500));
    expect((await runEtcdctl(server.endpoint, ['put', 'w/a', '3'])).exitCode).toBe(0);
    expect((await runEtcdctl(server.endpoint, ['del', 'w/a'])).exitCode).toBe(0);
    await waitFor(() => history.output().split('\n').filter((l) => l === 'DELETE').length === 1);
    await waitFor(() => live.output().includes('DELETE'));
    expect(history.output().split('\n')).toEqual(['PUT', 'w/a', '1', 'PUT', 'w/b', '2', 'PUT', 'w/a', '3', 'DELETE', 'w/a', '', '']);
    // --prev-kv prints the previous kv before the new one.
    expect(live.output().split('\n')).toEqual(['PUT', 'w/a', '1', 'w/a', '3', 'DELETE', 'w/a', '3', 'w/a', '', '']);
  });
});
