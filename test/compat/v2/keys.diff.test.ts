// /v2/keys, /version and /health with curl-like HTTP requests, sent to Debian's etcd 3.4
// (--enable-v2, expected) and to tsetcd (received); status, the compared headers and the JSON body
// are compared after normalising indexes (delta from each side's base), raft numbers, cluster id,
// times and TTL buckets. COMPAT_TARGET=etcd compares two etcds (must show zero differences).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEtcd, type ServerHandle } from '../../support/server-process';
import { startAll, startTarget, targetKind } from '../diff/harness';
import { keysSteps } from './keys-steps';
import { settledBaseIndex, V2SequenceRunner } from './v2-runner';
import { defineV2SequenceTests } from './v2-sequence-tests';
import { flattenSteps } from './v2-steps';

const V2_ARGS = ['--enable-v2'];
const kind = targetKind();
const names = ['etcd', kind === 'etcd' ? 'etcd#2' : 'tsetcd'] as const;
const flat = flattenSteps(keysSteps);

describe(`v2 keys: ${names[0]} (expected) vs ${names[1]} (received)`, () => {
  let servers: ServerHandle[] = [];
  const runners: V2SequenceRunner[] = [];

  beforeAll(async () => {
    servers = await startAll([() => startEtcd({ extraArgs: V2_ARGS }), () => startTarget(kind, { extraArgs: V2_ARGS })]);
    const bases = await Promise.all(servers.map((s) => settledBaseIndex(s.url)));
    servers.forEach((s, i) => runners.push(new V2SequenceRunner(s.url, bases[i] as number, () => s.alive())));
    await Promise.all(runners.map((r) => r.run(keysSteps)));
    const dumpDir = process.env.COMPAT_DUMP_DIR;
    if (dumpDir !== undefined) {
      mkdirSync(dumpDir, { recursive: true });
      const entries = flat.map(({ label }, i) => ({ step: label, [names[0]]: runners[0]?.outcomes[i], [names[1]]: runners[1]?.outcomes[i] }));
      writeFileSync(join(dumpDir, 'v2-keys.json'), JSON.stringify(entries, null, 1));
    }
  }, 150_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  }, 30_000);

  defineV2SequenceTests(flat, runners, names);
});
