// The `tsetcd` executable (src/bin.ts), bundled with esbuild like tsup does and run as a child
// process: --version, --help, flag errors and their exit codes, start-up and SIGTERM shutdown.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';

const root = path.resolve(__dirname, '../../../..');
/** The bundle lives in a temp dir; its external dependencies resolve from the repository. */
const childEnv = { PATH: process.env.PATH ?? '', NODE_PATH: path.join(root, 'node_modules') };
let dir: string;
let binPath: string;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function run(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [binPath, ...args], { encoding: 'utf8', env: { ...childEnv, ...env }, timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tsetcd-cli-'));
  binPath = path.join(dir, 'bin.cjs');
  buildSync({
    entryPoints: [path.join(root, 'packages/server/src/bin.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: binPath,
    external: ['lmdb', 'pino', 'prom-client', 'ws'],
    tsconfig: path.join(root, 'tsconfig.json'),
    logLevel: 'silent',
  });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tsetcd command line', () => {
  it('--version prints etcd-style lines and exits 0', () => {
    const r = run(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^etcd Version: 3\.4\.23\nGit SHA: tsetcd-.+\nGo Version: node.+\nGo OS\/Arch: .+\/.+\n$/);
  });

  it('--help lists flags and exits 0', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("--data-dir '${name}.tsetcd'");
  });

  it('an unknown flag exits 2 with Go flag wording', () => {
    const r = run(['--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^flag provided but not defined: -bogus/);
  });

  it('a validation error exits 1', () => {
    const r = run(['--heartbeat-interval', '500']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('should be at least as 5 times as --heartbeat-interval[500ms]');
  });

  it('a flag shadowing its ETCD_ variable exits 1', () => {
    const r = run(['--name', 'a'], { ETCD_NAME: 'b' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('conflicting environment variable "ETCD_NAME"');
  });

  it('starts, serves /health, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [binPath,
      '--data-dir', path.join(dir, 'data'),
      '--listen-client-urls', url, '--advertise-client-urls', url,
      '--initial-advertise-peer-urls', 'http://127.0.0.1:2380', '--initial-cluster', 'default=http://127.0.0.1:2380',
    ], { stdio: ['ignore', 'ignore', 'pipe'], env: childEnv });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const started = Date.now();
      let health = '';
      while (Date.now() - started < 15_000) {
        health = await new Promise<string>((resolve) => {
          http.get(`${url}/health`, (res) => {
            let b = '';
            res.on('data', (c: Buffer) => (b += c.toString()));
            res.on('end', () => resolve(b));
          }).on('error', () => resolve(''));
        });
        if (health === '{"health":"true"}') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(health).toBe('{"health":"true"}');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toContain('received signal; shutting down');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
