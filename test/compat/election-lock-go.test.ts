// Go's clientv3/concurrency (Debian's golang-etcd-server-dev, GOPATH mode) against the target
// (tsetcd by default, COMPAT_TARGET=etcd for the reference): of 3 Election campaigners exactly one
// leads; SIGKILL it and another leads once its session lease expires; N Mutex lockers incrementing
// a counter lose no update. The probe is written to a temp dir and built once (cached under /tmp).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEtcdctl } from '../support/etcdctl';
import type { ServerHandle } from '../support/server-process';
import { startTarget, targetKind } from './diff/harness';

const GOPATH_SYSTEM = '/usr/share/gocode';
const CONCURRENCY_SRC = join(GOPATH_SYSTEM, 'src/go.etcd.io/etcd/clientv3/concurrency/election.go');
const SESSION_TTL_SECONDS = 3;
const LOCKERS = 4;
const INCREMENTS_EACH = 10;
const BUILD_TIMEOUT_MS = 300_000;

const PROBE_SOURCE = `package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"go.etcd.io/etcd/clientv3"
	"go.etcd.io/etcd/clientv3/concurrency"
)

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "ERROR", err)
		os.Exit(1)
	}
}

// probe <endpoint> campaign <name> <value> <ttl> | probe <endpoint> incr <lock> <counterKey> <n>
func main() {
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{os.Args[1]}, DialTimeout: 5 * time.Second})
	must(err)
	defer cli.Close()
	ctx := context.Background()
	switch os.Args[2] {
	case "campaign":
		ttl, _ := strconv.Atoi(os.Args[5])
		s, err := concurrency.NewSession(cli, concurrency.WithTTL(ttl))
		must(err)
		e := concurrency.NewElection(s, os.Args[3])
		must(e.Campaign(ctx, os.Args[4]))
		fmt.Println("LEADER", os.Args[4])
		select {}
	case "incr":
		n, _ := strconv.Atoi(os.Args[5])
		s, err := concurrency.NewSession(cli, concurrency.WithTTL(10))
		must(err)
		m := concurrency.NewMutex(s, os.Args[3])
		for i := 0; i < n; i++ {
			must(m.Lock(ctx))
			r, err := cli.Get(ctx, os.Args[4])
			must(err)
			v := 0
			if len(r.Kvs) > 0 {
				v, _ = strconv.Atoi(string(r.Kvs[0].Value))
			}
			_, err = cli.Put(ctx, os.Args[4], strconv.Itoa(v+1))
			must(err)
			must(m.Unlock(ctx))
		}
		fmt.Println("DONE")
	}
}
`;

const goMissing = spawnSync('go', ['version']).status !== 0 ? 'go is not installed (apt-get install golang-go)' : !existsSync(CONCURRENCY_SRC) ? `${CONCURRENCY_SRC} is missing (apt-get install golang-etcd-server-dev)` : undefined;
if (goMissing !== undefined) {
  // A loud skip: the reason is printed in every run that lacks the toolchain.
  console.warn(`SKIPPING Go clientv3/concurrency interop: ${goMissing}`);
}
const maybe = goMissing === undefined ? describe : describe.skip;

function buildProbe(): string {
  const hash = createHash('sha256').update(PROBE_SOURCE).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), 'tsetcd-go-probe', hash);
  const bin = join(dir, 'probe');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const src = mkdtempSync(join(tmpdir(), 'tsetcd-go-src-'));
  writeFileSync(join(src, 'main.go'), PROBE_SOURCE);
  const gopath = mkdtempSync(join(tmpdir(), 'tsetcd-gopath-'));
  const r = spawnSync('go', ['build', '-o', bin, '.'], {
    cwd: src,
    env: { ...process.env, GO111MODULE: 'off', GOPATH: `${GOPATH_SYSTEM}:${gopath}`, GOCACHE: join(tmpdir(), 'tsetcd-go-cache') },
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
  });
  if (r.status !== 0) throw new Error(`go build of the probe failed: ${r.stderr}`);
  return bin;
}

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

async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

maybe(`Go clientv3/concurrency against ${targetKind()}`, () => {
  let server: ServerHandle;
  let bin: string;
  const probes: Probe[] = [];
  beforeAll(async () => {
    bin = buildProbe();
    server = await startTarget(targetKind());
  }, BUILD_TIMEOUT_MS + 30_000);
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
