// Randomized safety runs of the core (seeded, so a failure replays): election safety, state
// machine safety, applied <= committed, and progress once the network heals.
import { FuzzCluster } from './testing/fuzz-cluster';

const SEEDS = Array.from({ length: 12 }, (_, i) => i + 1);

describe('randomized cluster', () => {
  for (const [name, extra] of [
    ['plain', {}],
    ['pre-vote + check-quorum', { preVote: true, checkQuorum: true }],
  ] as const) {
    it(`${name}: safe under loss, reordering, duplication and crashes; converges after healing`, () => {
      let commits = 0;
      for (const seed of SEEDS) {
        const c = new FuzzCluster({ seed, nodes: seed % 2 === 0 ? 3 : 5, steps: 4000, crashRate: 0.003, ...extra });
        try {
          c.run();
          expect(c.converge(40000)).toBe(true);
        } catch (e) {
          throw new Error(`seed ${seed}: ${(e as Error).message}`);
        }
        commits += c.result().commits;
      }
      // The runs did real work: entries were committed and applied.
      expect(commits).toBeGreaterThan(SEEDS.length * 10);
    });
  }
});
