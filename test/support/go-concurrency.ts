// A Go program on etcd 3.4's clientv3/concurrency (Debian's golang-etcd-server-dev), built once per
// source version in GOPATH mode and cached under the temp dir: the interop tests run it beside
// TypeScript processes against etcd and tsetcd.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/**
 * Builds the program (`<bin> <endpoint> campaign <prefix> <value> <ttlSeconds>` prints
 * "LEADER <value>" once elected; `<bin> <endpoint> incr <prefix> <counterKey> <n>` increments the
 * counter n times under a Mutex and prints "DONE"). Throws a clear error when the Go toolchain or
 * etcd's Go sources are missing.
 */
export function buildGoConcurrencyProbe(): string {
  const goMissing = spawnSync('go', ['version']).status !== 0;
  if (goMissing || !existsSync(CONCURRENCY_SRC)) {
    throw new Error(
      `Go interop needs the Go toolchain and etcd's Go sources: apt-get install -y golang-go golang-etcd-server-dev (missing: ${goMissing ? 'go' : CONCURRENCY_SRC})`,
    );
  }
  const dir = join(tmpdir(), 'tsetcd-go-concurrency', createHash('sha256').update(GO_SOURCE).digest('hex').slice(0, 12));
  const bin = join(dir, 'go-concurrency');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const src = mkdtempSync(join(tmpdir(), 'tsetcd-go-src-'));
  writeFileSync(join(src, 'main.go'), GO_SOURCE);
  const gopath = mkdtempSync(join(tmpdir(), 'tsetcd-gopath-'));
  const r = spawnSync('go', ['build', '-o', bin, '.'], {
    cwd: src,
    env: { ...process.env, GO111MODULE: 'off', GOPATH: `${GOPATH_SYSTEM}:${gopath}`, GOCACHE: join(tmpdir(), 'tsetcd-go-cache') },
    encoding: 'utf8',
    timeout: GO_BUILD_TIMEOUT_MS,
  });
  if (r.status !== 0) throw new Error(`go build of the clientv3/concurrency program failed: ${r.stderr}`);
  return bin;
}
