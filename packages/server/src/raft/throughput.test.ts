// Prints the core's proposal throughput through a 3-member in-memory cluster (no timing assertion).
import { measureThroughput } from './testing/throughput';

it('commits every proposal through a 3-member in-memory cluster (prints proposals/s)', () => {
  for (const batch of [1, 64]) {
    const r = measureThroughput({ proposals: batch === 1 ? 2000 : 20000, batch, payloadBytes: 128 });
    expect(r.proposals).toBe(batch === 1 ? 2000 : 20000);
    // eslint-disable-next-line no-console
    console.log(`raft core, 3 members, 128-byte proposals, batch ${batch}: ${r.proposalsPerSecond} proposals/s wall, ${r.proposalsPerCpuSecond} per CPU-second (${r.readies} Readys)`);
  }
});
