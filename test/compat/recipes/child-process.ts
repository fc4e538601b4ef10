// Spawning recipe processes for the fault and interop tests: the TS child is bundled once with
// esbuild (cached under /tmp by source hash); the Go probe is built in GOPATH mode from Debian's
// golang-etcd-server-dev (cached under /tmp).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support';
export { until } from '../../support/wait';

export interface Proc {
  child: ChildProcess;
  out: string;
  exited: Promise<number | null>;
  send(line: string): void;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export function run(command: string, args: string[]): Proc {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  const p: Proc = {
    child,
    out: '',
    exited: new Promise((resolve) => child.once('exit', (code) => (running.delete(child), resolve(code)))),
    send: (line) => void child.stdin!.write(`${line}\n`),
  };
  child.stdout!.on('data', (chunk: Buffer) => (p.out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (p.out += chunk.toString()));
  child.stdin!.on('error', () => undefined);
  return p;
}

export async function killAll(procs: Proc[]): Promise<void> {
  for (const p of procs) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGCONT');
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }
}


function hashOf(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex').slice(0, 12);
}

/** The bundled TS child (holder-child.ts with the recipes and client sources). */
export function buildTsChild(): string {
  const sources = [join(__dirname, 'holder-child.ts')];
  for (const pkg of ['recipes', 'client']) {
    const dir = join(REPO_ROOT, 'packages', pkg, 'src');
    for (const f of readdirSync(dir)) if (f.endsWith('.ts') && !f.endsWith('.test.ts')) sources.push(join(dir, f));
  }
  const out = join(tmpdir(), `tsetcd-recipes-child-${hashOf(...sources.map((f) => readFileSync(f, 'utf8')))}.cjs`);
  if (existsSync(out)) return out;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  esbuild.buildSync({
    entryPoints: [sources[0]!],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: out,
    tsconfig: join(REPO_ROOT, 'tsconfig.json'),
    logLevel: 'error',
  });
  return out;
}

export function runTs(args: string[]): Proc {
  return run(process.execPath, [buildTsChild(), ...args]);
}

export { GO_BUILD_TIMEOUT_MS, buildGoConcurrencyProbe as buildGoProbe } from '../../support/go-concurrency';
