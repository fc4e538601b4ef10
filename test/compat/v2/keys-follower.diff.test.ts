// The /v2/keys sequence of keys.diff.test.ts sent to a FOLLOWER of a 3-member etcd (expected) and
// of a 3-member tsetcd (received): writes are forwarded to the leader and applied before the
// answer, quorum GETs go through raft, watches and plain GETs read the follower's own store.
// COMPAT_TARGET=etcd compares two 3-member etcds.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { targetKind } from '../diff/harness';
import { keysSteps } from './keys-steps';
import { startThreeMembers, type ThreeMemberCluster } from './three-members';
import { settledBaseIndex, V2SequenceRunner } from './v2-runner';
import { defineV2SequenceTests } from './v2-sequence-tests';
import { flattenSteps } from './v2-steps';

const ARGS = ['--enable-v2'];
const kind = targetKind();
const names = ['etcd', kind === 'etcd' ? 'etcd#2' : 'tsetcd'] as const;
const flat = flattenSteps(keysSteps);

describe(`v2 keys on a follower: 3-member ${names[0]} (expected) vs 3-member ${names[1]} (received)`, () => {
  let clusters: ThreeMemberCluster[] = [];
  const runners: V2SequenceRunner[] = [];

  beforeAll(async () => {
    const settled = await Promise.allSettled([startThreeMembers('etcd', ARGS), startThreeMembers(kind, ARGS)]);
    clusters = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const followers = await Promise.all(clusters.map((c) => c.follower()));
    // every member's bookkeeping writes first (they move the index seen by the follower)
    await Promise.all(clusters.flatMap((c) => c.urls.map((u) => settledBaseIndex(u))));
    const bases = await Promise.all(followers.map((u) => settledBaseIndex(u)));
    followers.forEach((u, i) => runners.push(new V2SequenceRunner(u, bases[i] as number, () => clusters[i]?.alive() ?? false)));
    await Promise.all(runners.map((r) => r.run(keysSteps)));
    const dumpDir = process.env.COMPAT_DUMP_DIR;
    if (dumpDir !== undefined) {
      mkdirSync(dumpDir, { recursive: true });
      const entries = flat.map(({ label }, i) => ({ step: label, [names[0]]: runners[0]?.outcomes[i], [names[1]]: runners[1]?.outcomes[i] }));
      writeFileSync(join(dumpDir, 'v2-keys-follower.json'), JSON.stringify(entries, null, 1));
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all(clusters.map((c) => c.stop()));
  }, 30_000);

  defineV2SequenceTests(flat, runners, names, ' on a follower too');
});
