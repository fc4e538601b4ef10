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

  test('etcd answers every step as annotated on a follower too', () => {
    const wrong = flat.flatMap(({ step, label }, i) => {
      const got = runners[0]?.raw[i];
      const [status, code] = Array.isArray(step.expect) ? step.expect : [step.expect, undefined];
      return got?.status === status && (code === undefined || got.errorCode === code) ? [] : [`${label}: etcd answered ${got?.status}/${got?.errorCode ?? '-'}`];
    });
    expect(wrong).toEqual([]);
  });

  test.each(flat.map(({ label }, i) => [label, i] as const))('%s', (label, i) => {
    const expected = runners[0]?.outcomes[i];
    const received = runners[1]?.outcomes[i];
    if (expected === undefined || received === undefined) throw new Error('no outcome recorded (did both clusters start?)');
    try {
      expect(received).toEqual(expected);
    } catch (err) {
      throw new Error(`${label} differs (Expected = ${names[0]}, Received = ${names[1]})\n${(err as Error).message}`);
    }
  });
});
