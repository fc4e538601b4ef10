// The CI run of the deterministic simulation: SIM_SEEDS seeds (default 2000) for 3- and
// 5-member clusters; every seed must keep raft's invariants, stay live after the faults heal and
// produce a linearizable client history. `SEED=n [SIZE=3|5]` replays one seed and prints its trace.

import { formatSummary, runSeeds } from './run-seeds';
import { simulate } from './simulate';

const DEFAULT_SEEDS_PER_SIZE = 2000;
const CHUNK_SEEDS = 250;
const SEEDS = Number(process.env.SIM_SEEDS ?? DEFAULT_SEEDS_PER_SIZE);
const FIRST_SEED = Number(process.env.SIM_FIRST_SEED ?? 1);
const SIZES = process.env.SIZE ? [Number(process.env.SIZE)] : [3, 5];
const CHUNK_TIMEOUT_MS = 600_000;

if (process.env.SEED !== undefined) {
  describe('replay one seed', () => {
    for (const size of SIZES) {
      it(`seed ${process.env.SEED} size ${size}`, () => {
        const report = simulate({ seed: Number(process.env.SEED), size });
        console.log(JSON.stringify(report, null, 1));
      });
    }
  });
} else {
  for (const size of SIZES) {
    describe(`simulated ${size}-member cluster`, () => {
      const chunks = Math.ceil(SEEDS / CHUNK_SEEDS);
      for (let c = 0; c < chunks; c++) {
        const first = FIRST_SEED + c * CHUNK_SEEDS;
        const count = Math.min(CHUNK_SEEDS, SEEDS - c * CHUNK_SEEDS);
        it(`seeds ${first}..${first + count - 1}: safe, live and linearizable`, () => {
          const summary = runSeeds({ size, firstSeed: first, count });
          console.log(formatSummary(summary));
          expect(summary.seeds).toBe(count);
          // Show the first failure whole: it carries the seed and the replay command.
          expect(summary.failures.map((f) => f.message).slice(0, 1)).toEqual([]);
          // The run must actually have exercised the cluster.
          expect(summary.ops.ok).toBeGreaterThan(count);
          expect(summary.faults.crash + summary.faults['crash-leader'] + summary.faults['quick-restart']).toBeGreaterThan(0);
        }, CHUNK_TIMEOUT_MS);
      }
    });
  }
}
