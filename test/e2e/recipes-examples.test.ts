// The examples run as documented (esbuild bundle, then node) against a tsetcd process: the
// campaign example elects exactly one master of two instances and hands over on Ctrl-C; the lock
// counter example loses no update.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, startTsetcd, type ServerHandle } from '../support';
import { until } from '../support/wait';

jest.setTimeout(60_000);

const bundleDir = mkdtempSync(join(tmpdir(), 'tsetcd-examples-'));

function bundle(name: string): string {
  const out = join(bundleDir, `${name}.cjs`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  esbuild.buildSync({
    entryPoints: [join(REPO_ROOT, 'examples', `${name}.ts`)],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile: out,
    tsconfig: join(REPO_ROOT, 'tsconfig.json'),
    logLevel: 'error',
  });
  return out;
}

interface Run {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function start(file: string, endpoint: string): Run {
  let out = '';
  const child = spawn(process.execPath, [file], { env: { ...process.env, ETCD_ENDPOINTS: endpoint }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return { child, out: () => out, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}


const lastLine = (text: string): string => text.trim().split('\n').pop() ?? '';

describe('recipes examples against tsetcd', () => {
  let server: ServerHandle;
  const runs: Run[] = [];
  beforeAll(async () => {
    server = await startTsetcd();
  });
  afterAll(async () => {
    for (const r of runs) r.child.kill('SIGKILL');
    await server?.stop();
    rmSync(bundleDir, { recursive: true, force: true });
  });

  test('campaign: one master of two; Ctrl-C on the master hands over', async () => {
    const file = bundle('campaign');
    const first = start(file, server.endpoint);
    runs.push(first);
    expect(await until(() => first.out().includes('[info] Service master'), 15_000)).toBe(true);
    const second = start(file, server.endpoint);
    runs.push(second);
    expect(await until(() => second.out().split('\n').filter((l) => l.startsWith('[info]')).length >= 2, 15_000)).toBe(true);
    expect(lastLine(second.out())).toBe('[info] Service is not master');
    expect(lastLine(first.out())).toBe('[info] Service master');
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(await until(() => lastLine(second.out()) === '[info] Service master', 10_000)).toBe(true);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  test('lock counter: 4 workers x 10 fenced increments', async () => {
    const run = start(bundle('lock-counter'), server.endpoint);
    runs.push(run);
    expect(await run.exited).toBe(0);
    expect(run.out()).toContain('counter = 40 (expected 40)');
  });
});
