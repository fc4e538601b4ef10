// The simulation's self-check: each deliberately broken raft behaviour (RaftMutation) must be
// caught within the CI budget of seeds. A mutation that survives means the simulation is blind to
// that bug class, and the test fails.

import type { RaftMutation } from '../../packages/server/src/raft/types';
import { runSeeds } from './run-seeds';
import type { SimFailure } from './simulate';

/** Every RaftMutation in raft/types.ts (the `satisfies` keeps this list in step with the type). */
const MUTATIONS = {
  'commit-prior-term-by-count': true,
  'vote-without-log-check': true,
  'ack-append-before-persist': true,
  'forget-vote-on-restart': true,
  'read-index-without-quorum': true,
  'apply-beyond-commit': true,
  'no-term-check-on-append': true,
} satisfies Record<RaftMutation, true>;

/** Seeds per mutation and cluster size before the mutation counts as having survived. */
const SEED_BUDGET = Number(process.env.SIM_MUTATION_SEEDS ?? 1000);
const TIMEOUT_MS = 600_000;

describe('mutation self-check: the simulation catches every broken raft behaviour', () => {
  const rows: string[] = [];
  afterAll(() => console.log(`mutation detection (seed budget ${SEED_BUDGET} per size):\n${rows.join('\n')}`));

  for (const mutation of Object.keys(MUTATIONS) as RaftMutation[]) {
    for (const size of [3, 5]) {
      it(`catches ${mutation} in a ${size}-member cluster`, () => {
        // A history the checker could not decide within its budget is not a catch: keep hunting.
        let seedsRun = 0;
        let caught: SimFailure | undefined;
        while (seedsRun < SEED_BUDGET && caught === undefined) {
          const part = runSeeds({ size, firstSeed: 1 + seedsRun, count: SEED_BUDGET - seedsRun, mutations: new Set([mutation]), stopAtFirstFailure: true });
          seedsRun += part.seeds;
          const f = part.failures[0];
          if (f && f.kind !== 'checker-unknown') caught = f;
        }
        const summary = { seeds: seedsRun };
        rows.push(
          caught
            ? `  ${mutation} size ${size}: caught at seed ${caught.seed} (${summary.seeds} seeds) by ${caught.kind}${caught.property ? ` [${caught.property}]` : ''}`
            : `  ${mutation} size ${size}: SURVIVED ${summary.seeds} seeds`,
        );
        expect(caught).toBeDefined();
        // A crash inside the core is not the simulation catching anything.
        expect(caught!.kind).not.toBe('exception');
      }, TIMEOUT_MS);
    }
  }
});
