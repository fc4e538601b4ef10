// The v2 store through restarts, differentially: the same v2 writes on etcd and tsetcd (both with
// --snapshot-count 10, so the restarts recover from a snapshot plus WAL entries), a clean stop
// (SIGTERM) and restart, more writes, a crash (SIGKILL) and restart; after each restart the same
// reads: the tree, TTLs, indexes (which continue, bookkeeping included), watch history, stats.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd, type ServerHandle, type ServerOptions } from '../../support/server-process';
import { startAll, startTarget, targetKind } from '../diff/harness';
import { settledBaseIndex, V2SequenceRunner } from './v2-runner';
import { defineV2SequenceTests } from './v2-sequence-tests';
import { flattenSteps, type V2Step } from './v2-steps';

const PUT = 'PUT';
const POST = 'POST';
const DELETE = 'DELETE';
const ARGS = ['--enable-v2', '--snapshot-count', '10'];

const writes: V2Step[] = [
  { name: 'set r/a', method: PUT, path: '/v2/keys/r/a', form: { value: '1' }, expect: 201 },
  { name: 'set r/ttl (300 s)', method: PUT, path: '/v2/keys/r/ttl', form: { value: 't', ttl: '300' }, expect: 201 },
  { name: 'mkdir r/d', method: PUT, path: '/v2/keys/r/d?dir=true&prevExist=false', expect: 201 },
  { name: 'POST r/q', method: POST, path: '/v2/keys/r/q', form: { value: 'job' }, expect: 201 },
  { name: 'set r/b', method: PUT, path: '/v2/keys/r/b', form: { value: '1' }, expect: 201 },
  { name: 'delete r/b', method: DELETE, path: '/v2/keys/r/b', expect: 200 },
  { name: 'CAS r/a', method: PUT, path: '/v2/keys/r/a?prevValue=1', form: { value: '2' }, expect: 200 },
  ...Array.from({ length: 12 }, (_, i): V2Step => ({ name: `set r/n${i}`, method: PUT, path: `/v2/keys/r/n${i}`, form: { value: String(i) }, expect: 201 })),
  { name: 'hidden r/_h', method: PUT, path: '/v2/keys/r/_h', form: { value: 'h' }, expect: 201 },
];

const reads = (phase: string): V2Step[] => [
  { name: `${phase}: the index (bookkeeping writes at start included)`, path: '/v2/keys/', expect: 200 },
  { name: `${phase}: the tree`, path: '/v2/keys/r?recursive=true&sorted=true', ordered: true, expect: 200 },
  { name: `${phase}: the TTL key`, path: '/v2/keys/r/ttl', expect: 200 },
  { name: `${phase}: the hidden key`, path: '/v2/keys/r/_h', expect: 200 },
  { name: `${phase}: wait from the first write (history)`, path: (c) => `/v2/keys/r?wait=true&recursive=true&waitIndex=${c.rel(1)}`, expect: 200, watch: {} },
  { name: `${phase}: wait on r/b from its set (history)`, path: (c) => `/v2/keys/r/b?wait=true&waitIndex=${c.rel(6)}`, expect: 200, watch: {} },
  { name: `${phase}: /v2/stats/store (restored from the snapshot, replay counted)`, path: '/v2/stats/store', expect: 200, stats: 'without-gets' },
];

const afterClean: V2Step[] = [...reads('after SIGTERM'), { name: 'set after the clean restart', method: PUT, path: '/v2/keys/r/after1', form: { value: 'x' }, expect: 201 }];
const moreWrites: V2Step[] = [
  { name: 'update r/a before the crash', method: PUT, path: '/v2/keys/r/a?prevExist=true', form: { value: '3' }, expect: 200 },
  { name: 'rm -r r/d before the crash', method: DELETE, path: '/v2/keys/r/d?dir=true', expect: 200 },
];
const afterCrash: V2Step[] = [...reads('after SIGKILL'), { name: 'set after the crash', method: PUT, path: '/v2/keys/r/after2', form: { value: 'y' }, expect: 201 }];

const allSteps = [...writes, ...afterClean, ...moreWrites, ...afterCrash];
const flat = flattenSteps(allSteps);
const kind = targetKind();
const names = ['etcd', kind === 'etcd' ? 'etcd#2' : 'tsetcd'] as const;

describe(`v2 restart: ${names[0]} (expected) vs ${names[1]} (received)`, () => {
  const dirs = [mkdtempSync(join(tmpdir(), 'v2-restart-etcd-')), mkdtempSync(join(tmpdir(), 'v2-restart-target-'))];
  let servers: ServerHandle[] = [];
  const runners: V2SequenceRunner[] = [];

  const starters = (previous?: ServerHandle[]): (() => Promise<ServerHandle>)[] =>
    [0, 1].map((side) => () => {
      const old = previous?.[side];
      const options: ServerOptions = { dataDir: dirs[side] as string, extraArgs: ARGS };
      if (old !== undefined) Object.assign(options, { clientPort: old.clientPort, peerPort: old.peerPort, name: old.name });
      return side === 0 ? startEtcd(options) : startTarget(kind, options);
    });

  const run = (steps: V2Step[]): Promise<unknown> => Promise.all(runners.map((r) => r.run(steps)));
  const settle = (): Promise<unknown> => Promise.all(servers.map((s) => settledBaseIndex(s.url)));

  beforeAll(async () => {
    servers = await startAll(starters());
    const bases = await Promise.all(servers.map((s) => settledBaseIndex(s.url)));
    [0, 1].forEach((side) => runners.push(new V2SequenceRunner(servers[side]!.url, bases[side]!, () => servers[side]?.alive() ?? false)));
    await run(writes);
    await Promise.all(servers.map((s) => s.stop()));
    servers = await startAll(starters(servers));
    await settle();
    await run(afterClean);
    await run(moreWrites);
    await Promise.all(servers.map((s) => s.kill()));
    servers = await startAll(starters(servers));
    await settle();
    await run(afterCrash);
  }, 150_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }, 30_000);

  defineV2SequenceTests(flat, runners, names);
});
