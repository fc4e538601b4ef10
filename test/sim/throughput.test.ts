// Proposals per (wall-clock) second through a simulated healthy 3-member cluster. Reported, not
// asserted (no timed assertions): the test checks that every proposal is applied everywhere.

import { measureThroughput } from './throughput';

describe('simulated cluster throughput', () => {
  it('applies every proposal on every member of a healthy 3-member cluster', () => {
    const r = measureThroughput(3, 5_000, 64);
    expect(r.proposals).toBe(5_000);
    console.log(`simulated 3-member cluster: ${r.proposals} proposals in ${r.wallMs} ms wall (${r.proposalsPerWallSecond}/s), ${r.virtualMs} ms virtual`);
  });
});
