// Spawning recipe processes for the fault and interop tests: the TS child is bundled once with
// esbuild (cached under /tmp by source hash); the Go probe is built in GOPATH mode from Debian's
// golang-etcd-server-dev (cached under /tmp).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support';

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

export async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return true;
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

const GOPATH_SYSTEM = '/usr/share/gocode';
const CONCURRENCY_SRC = join(GOPATH_SYSTEM, 'src/go.etcd.io/etcd/clientv3/concurrency/mutex.go');
export const GO_BUILD_TIMEOUT_MS = 300_000;

const GO_SOURCE = `package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"go.etcd.io/etcd/clientv3"
	"go.etcd.io/etcd/clientv3/concurrency"
)

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "ERROR", err)
		os.Exit(1)
	}
}

// recipes-go <endpoint> campaign <prefix> <value> <ttl> | recipes-go <endpoint> incr <prefix> <counterKey> <n>
func main() {
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{os.Args[1]}, DialTimeout: 5 * time.Second})
	check(err)
	defer cli.Close()
	ctx := context.Background()
	switch os.Args[2] {
	case "campaign":
		ttl, _ := strconv.Atoi(os.Args[5])
		s, err := concurrency.NewSession(cli, concurrency.WithTTL(ttl))
		check(err)
		e := concurrency.NewElection(s, os.Args[3])
		check(e.Campaign(ctx, os.Args[4]))
		fmt.Println("LEADER", os.Args[4])
		<-s.Done()
	case "incr":
		n, _ := strconv.Atoi(os.Args[5])
		s, err := concurrency.NewSession(cli, concurrency.WithTTL(10))
		check(err)
		m := concurrency.NewMutex(s, os.Args[3])
		for i := 0; i < n; i++ {
			check(m.Lock(ctx))
			r, err := cli.Get(ctx, os.Args[4])
			check(err)
			v := 0
			if len(r.Kvs) > 0 {
				v, _ = strconv.Atoi(string(r.Kvs[0].Value))
			}
			_, err = cli.Put(ctx, os.Args[4], strconv.Itoa(v+1))
			check(err)
			check(m.Unlock(ctx))
		}
		s.Close()
		fmt.Println("DONE")
	}
}
`;

/** Builds the Go program; throws a clear error when the toolchain or etcd's Go sources are missing. */
export function buildGoProbe(): string {
  if (spawnSync('go', ['version']).status !== 0 || !existsSync(CONCURRENCY_SRC)) {
    throw new Error(
      `Go interop needs the Go toolchain and etcd's Go sources: apt-get install -y golang-go golang-etcd-server-dev (missing: ${
        spawnSync('go', ['version']).status !== 0 ? 'go' : CONCURRENCY_SRC
      })`,
    );
  }
  const dir = join(tmpdir(), 'tsetcd-recipes-go', hashOf(GO_SOURCE));
  const bin = join(dir, 'recipes-go');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const src = mkdtempSync(join(tmpdir(), 'tsetcd-recipes-go-src-'));
  writeFileSync(join(src, 'main.go'), GO_SOURCE);
  const gopath = mkdtempSync(join(tmpdir(), 'tsetcd-recipes-gopath-'));
  const r = spawnSync('go', ['build', '-o', bin, '.'], {
    cwd: src,
    env: { ...process.env, GO111MODULE: 'off', GOPATH: `${GOPATH_SYSTEM}:${gopath}`, GOCACHE: join(tmpdir(), 'tsetcd-go-cache') },
    encoding: 'utf8',
    timeout: GO_BUILD_TIMEOUT_MS,
  });
  if (r.status !== 0) throw new Error(`go build of the recipes probe failed: ${r.stderr}`);
  return bin;
}
