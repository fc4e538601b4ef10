// Durability through restarts, differentially: the same writes on etcd and tsetcd, then a clean
// stop (SIGTERM) and restart on the same data dir, then a crash (SIGKILL) and restart; after each
// restart the same reads (current, historical, compacted, future) must answer the same.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd, type ServerHandle, type ServerOptions } from '../support/server-process';
import { assertMatchesAnnotation, assertSameOutcome, runSequence, startAll, startTarget, stepLabel, targetKind, type Outcome } from './diff/harness';
import { E } from './diff/etcd-messages';
import { compact, del, fails, opPut, put, range, step, txn, type Step } from './diff/steps';

const writes: Step[] = [
  step('put p/a=1', put('p/a', '1')), // 2
  step('put p/b=1', put('p/b', '1')), // 3
  step('put p/a=2', put('p/a', '2')), // 4
  step('delete p/b', del('p/b')), // 5
  step('txn of two puts', txn({ success: [opPut('p/c', '1'), opPut('p/d', '1')] })), // 6
  step('put p/a=3', put('p/a', '3')), // 7
  step('compact at 4', compact(4n)),
];

const reads: Step[] = [
  step('range everything', range('\x00', { end: '\x00' })),
  step('p/a at revision 4', range('p/a', { revision: 4n })),
  step('p/b at revision 4 (deleted later)', range('p/b', { revision: 4n })),
  fails('below the compact revision', range('p/a', { revision: 3n }), E.compacted),
  fails('future revision', range('p/a', { revision: 100n }), E.futureRev),
  fails('compact at the old compact revision', compact(4n), E.compacted),
];

const afterCleanRestart: Step[] = [...reads, step('put after the restart continues the revisions', put('p/e', '1', { prevKv: true }))]; // 8
const moreWrites: Step[] = [
  step('put p/a=4 just before the crash', put('p/a', '4', { prevKv: true })), // 9
  step('delete p/c just before the crash', del('p/c', { prevKv: true })), // 10
];
const afterCrash: Step[] = [...reads, step('p/a after the crash', range('p/a')), step('put after the crash', put('p/f', '1'))]; // 11

type Phase = 'writes' | 'after clean restart' | 'more writes' | 'after crash';
const phases: [Phase, Step[]][] = [
  ['writes', writes],
  ['after clean restart', afterCleanRestart],
  ['more writes', moreWrites],
  ['after crash', afterCrash],
];

const kind = targetKind();
const names: [string, string] = ['etcd', kind === 'etcd' ? 'etcd#2' : 'tsetcd'];

describe(`restart: ${names[0]} (expected) vs ${names[1]} (received)`, () => {
  const dirs = [mkdtempSync(join(tmpdir(), 'restart-etcd-')), mkdtempSync(join(tmpdir(), 'restart-target-'))];
  let servers: ServerHandle[] = [];
  const outcomes = new Map<Phase, [Outcome[], Outcome[]]>();

  const starters = (previous?: ServerHandle[]): (() => Promise<ServerHandle>)[] =>
    [0, 1].map((side) => () => {
      const old = previous?.[side];
      const options: ServerOptions = { dataDir: dirs[side] as string };
      if (old !== undefined) Object.assign(options, { clientPort: old.clientPort, peerPort: old.peerPort, name: old.name });
      return side === 0 ? startEtcd(options) : startTarget(kind, options);
    });

  const run = async (phase: Phase, steps: Step[]): Promise<void> => {
    const [a, b] = await Promise.all(servers.map((server) => runSequence(server, steps)));
    outcomes.set(phase, [a ?? [], b ?? []]);
  };

  beforeAll(async () => {
    servers = await startAll(starters());
    await run('writes', writes);
    await Promise.all(servers.map((s) => s.stop()));
    servers = await startAll(starters(servers));
    await run('after clean restart', afterCleanRestart);
    await run('more writes', moreWrites);
    await Promise.all(servers.map((s) => s.kill()));
    servers = await startAll(starters(servers));
    await run('after crash', afterCrash);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  test('etcd answers every step as annotated', () => {
    for (const [phase, steps] of phases) {
      const expected = outcomes.get(phase)?.[0] ?? [];
      expect(expected).toHaveLength(steps.length);
      steps.forEach((s, i) => assertMatchesAnnotation(s, i, expected[i]));
    }
  });

  const cases = phases.flatMap(([phase, steps]) => steps.map((s, i) => [`${phase} ${stepLabel(s, i)}`, phase, i] as const));
  test.each(cases)('%s', (_label, phase, i) => {
    const steps = phases.find(([p]) => p === phase)?.[1] ?? [];
    const [expected, received] = outcomes.get(phase) ?? [[], []];
    assertSameOutcome(steps[i] as Step, i, expected[i], received[i], names);
  });
});
