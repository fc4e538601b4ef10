// Random sequences of saves (appends, overwrites of the uncommitted suffix by a new term,
// commit-only HardStates, snapshot markers followed by releaseLockTo + purge), with reopen in
// between (at the latest snapshot), on tiny segments: the WAL must always read back what a simple
// model of raft's log says.

import * as fs from 'node:fs';
import fc from 'fast-check';
import type { Entry, HardState } from '../raft/types';
import { Wal } from './index';
import { entries, tempDir } from './testing/fixtures';

type Op =
  | { kind: 'append'; n: number; size: number }
  | { kind: 'overwrite'; back: number; n: number }
  | { kind: 'commit'; by: number }
  | { kind: 'snapshot' }
  | { kind: 'reopen' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), n: fc.integer({ min: 1, max: 12 }), size: fc.integer({ min: 0, max: 700 }) }),
  fc.record({ kind: fc.constant('overwrite' as const), back: fc.integer({ min: 1, max: 8 }), n: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant('commit' as const), by: fc.integer({ min: 1, max: 10 }) }),
  fc.record({ kind: fc.constant('snapshot' as const) }),
  fc.record({ kind: fc.constant('reopen' as const) }),
);

describe('Wal against a model of the raft log', () => {
  it('reads back the model after any sequence of saves, cuts and reopens', async () => {
    const root = tempDir('wal-model');
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 256, max: 4096 }), fc.array(opArb, { minLength: 1, maxLength: 25 }), async (segmentSizeBytes, ops) => {
          const dir = `${root}/${run++}`;
          const opts = { segmentSizeBytes };
          let wal = await Wal.create(dir, new Uint8Array([1, 2, 3]), opts);
          let log: Entry[] = [];
          let hs: HardState = { term: 1, vote: 1n, commit: 0 };
          let snap = { index: 0, term: 0 };
          const check = async (): Promise<void> => {
            await wal.close();
            wal = await Wal.open(dir, snap, opts);
            const got = await wal.readAll();
            expect(got.entries).toEqual(log.slice(snap.index));
            if (hs.commit > 0 || log.length > 0) expect(got.hardState).toEqual(hs);
          };
          for (const op of ops) {
            if (op.kind === 'append') {
              const add = entries(log.length + 1, log.length + op.n, hs.term, op.size);
              log = [...log, ...add];
              await wal.save(hs, add);
            } else if (op.kind === 'overwrite') {
              const first = Math.max(hs.commit + 1, log.length - op.back + 1);
              hs = { ...hs, term: hs.term + 1, vote: BigInt(hs.term + 1) };
              const add = entries(first, first + op.n - 1, hs.term);
              log = [...log.slice(0, first - 1), ...add];
              await wal.save(hs, add);
            } else if (op.kind === 'commit') {
              hs = { ...hs, commit: Math.min(log.length, hs.commit + op.by) };
              await wal.save(hs, []);
            } else if (op.kind === 'snapshot') {
              if (hs.commit <= snap.index) continue;
              snap = { index: hs.commit, term: log[hs.commit - 1]!.term };
              await wal.saveSnapshot(snap);
              wal.releaseLockTo(snap.index);
              await wal.purge(1);
            } else {
              await check();
            }
          }
          await check();
          await wal.close();
          fs.rmSync(dir, { recursive: true, force: true });
        }),
        { numRuns: Number(process.env.WAL_MODEL_RUNS ?? 25) },
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
