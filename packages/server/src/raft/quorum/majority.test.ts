import fc from 'fast-check';
import { committedIndex, majoritySize, voteResult } from './majority';

// Naive versions: try every candidate index / count directly.
function naiveCommitted(voters: bigint[], acked: Map<bigint, number>): number {
  if (voters.length === 0) return Infinity;
  let best = 0;
  const candidates = new Set<number>([0, ...voters.map((v) => acked.get(v) ?? 0)]);
  for (const idx of candidates) {
    const n = voters.filter((v) => (acked.get(v) ?? 0) >= idx).length;
    if (n > voters.length / 2 && idx > best) best = idx;
  }
  return best;
}

function naiveVote(voters: bigint[], votes: Map<bigint, boolean>): string {
  if (voters.length === 0) return 'won';
  const yes = voters.filter((v) => votes.get(v) === true).length;
  const no = voters.filter((v) => votes.get(v) === false).length;
  if (2 * yes > voters.length) return 'won';
  if (2 * no >= voters.length) return 'lost';
  return 'pending';
}

const votersArb = fc.uniqueArray(fc.bigInt({ min: 1n, max: 12n }), { maxLength: 7 });

describe('majority quorum', () => {
  it('majoritySize', () => {
    expect([1, 2, 3, 4, 5].map(majoritySize)).toEqual([1, 2, 2, 3, 3]);
  });

  it('committedIndex matches the naive definition', () => {
    fc.assert(
      fc.property(votersArb, fc.array(fc.tuple(fc.bigInt({ min: 1n, max: 12n }), fc.nat(20))), (voters, acks) => {
        const acked = new Map(acks);
        expect(committedIndex(voters, (id) => acked.get(id))).toBe(naiveCommitted(voters, acked));
      }),
    );
  });

  it('voteResult matches the naive definition', () => {
    fc.assert(
      fc.property(votersArb, fc.array(fc.tuple(fc.bigInt({ min: 1n, max: 12n }), fc.boolean())), (voters, vs) => {
        const votes = new Map(vs);
        expect(voteResult(voters, votes)).toBe(naiveVote(voters, votes));
      }),
    );
  });

  it('examples', () => {
    expect(committedIndex([1n, 2n, 3n], (id) => ({ '1': 5, '2': 3 })[String(id)])).toBe(3);
    expect(committedIndex([1n, 2n, 3n, 4n], (id) => ({ '1': 5, '2': 3, '3': 9 })[String(id)])).toBe(3);
    expect(voteResult([1n, 2n, 3n], new Map([[1n, true]]))).toBe('pending');
    expect(voteResult([1n, 2n, 3n], new Map([[1n, false], [2n, false]]))).toBe('lost');
  });
});
