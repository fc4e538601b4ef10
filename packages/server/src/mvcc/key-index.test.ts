import { KeyIndex, type AvailableSet } from './key-index';
import { revId, type Revision } from './revision';

const mains = (revs: Revision[]): number[] => revs.map((r) => Number(r.main));
const availableMains = (a: AvailableSet): number[] => [...a.values()].map((r) => Number(r.main)).sort((x, y) => x - y);

/** put 2, put 4, delete 6, put 8, put 10, delete 12, put 14 */
function history(): KeyIndex {
  const ki = new KeyIndex(Buffer.from('foo'));
  ki.put(2n, 0);
  ki.put(4n, 0);
  ki.tombstone(6n, 0);
  ki.put(8n, 0);
  ki.put(10n, 0);
  ki.tombstone(12n, 0);
  ki.put(14n, 0);
  return ki;
}

describe('KeyIndex', () => {
  it('splits the history into generations ended by tombstones', () => {
    const ki = history();
    expect(ki.generations.map((g) => [Number(g.created.main), Number(g.ver), mains(g.revs)])).toEqual([
      [2, 3, [2, 4, 6]],
      [8, 3, [8, 10, 12]],
      [14, 1, [14]],
    ]);
    expect(ki.modified.main).toBe(14n);
  });

  it('get answers modified/created/version as of a revision, and nothing when deleted', () => {
    const ki = history();
    const at = (rev: number): [number, number, number] | undefined => {
      const g = ki.get(BigInt(rev));
      return g && [Number(g.modified.main), Number(g.created.main), Number(g.ver)];
    };
    expect(at(1)).toBeUndefined();
    expect(at(2)).toEqual([2, 2, 1]);
    expect(at(5)).toEqual([4, 2, 2]);
    expect(at(6)).toBeUndefined();
    expect(at(7)).toBeUndefined();
    expect(at(8)).toEqual([8, 8, 1]);
    expect(at(11)).toEqual([10, 8, 2]);
    expect(at(12)).toBeUndefined();
    expect(at(100)).toEqual([14, 14, 1]);
  });

  it('tombstone on a deleted key reports false and changes nothing', () => {
    const ki = new KeyIndex(Buffer.from('k'));
    ki.put(2n, 0);
    expect(ki.tombstone(3n, 0)).toBe(true);
    expect(ki.tombstone(4n, 0)).toBe(false);
    expect(ki.generations.length).toBe(2);
    expect(() => ki.put(3n, 0)).toThrow(/smaller revision/);
  });

  it('since returns revisions from the generation that covers rev on', () => {
    const ki = history();
    expect(mains(ki.since(1n))).toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(mains(ki.since(9n))).toEqual([10, 12, 14]);
    expect(mains(ki.since(15n))).toEqual([]);
  });

  it('since keeps only the last sub revision of a main revision', () => {
    const ki = new KeyIndex(Buffer.from('k'));
    ki.put(2n, 0);
    ki.put(2n, 1);
    ki.put(3n, 0);
    expect(ki.since(1n).map(revId)).toEqual(['2_1', '3_0']);
  });

  // [atRev, kept revisions, generation revs after compaction]
  const cases: Array<[number, number[], number[][]]> = [
    [1, [], [[2, 4, 6], [8, 10, 12], [14]]],
    [2, [2], [[2, 4, 6], [8, 10, 12], [14]]],
    [3, [2], [[2, 4, 6], [8, 10, 12], [14]]],
    [4, [4], [[4, 6], [8, 10, 12], [14]]],
    [5, [4], [[4, 6], [8, 10, 12], [14]]],
    [6, [], [[8, 10, 12], [14]]], // the tombstone and everything before it go
    [7, [], [[8, 10, 12], [14]]],
    [8, [8], [[8, 10, 12], [14]]],
    [10, [10], [[10, 12], [14]]],
    [11, [10], [[10, 12], [14]]],
    [12, [], [[14]]],
    [13, [], [[14]]],
    [14, [14], [[14]]],
    [20, [14], [[14]]],
  ];

  it.each(cases)('compact(%i) keeps %j, and keep() predicts it without changing the index', (atRev, kept, gens) => {
    const ki = history();
    const predicted: AvailableSet = new Map();
    ki.keep(BigInt(atRev), predicted);
    expect(ki.generations.length).toBe(3);
    const available: AvailableSet = new Map();
    ki.compact(BigInt(atRev), available);
    expect(availableMains(available)).toEqual(kept);
    expect(availableMains(predicted)).toEqual(kept);
    expect(ki.generations.map((g) => mains(g.revs))).toEqual(gens);
  });

  it('compacting step by step equals compacting once', () => {
    for (const target of [4, 7, 11, 13]) {
      const once = history();
      once.compact(BigInt(target), new Map());
      const steps = history();
      for (let r = 1; r <= target; r++) steps.compact(BigInt(r), new Map());
      expect(steps.generations.map((g) => mains(g.revs))).toEqual(once.generations.map((g) => mains(g.revs)));
    }
  });

  it('a key deleted at or below the compact revision becomes empty', () => {
    const ki = new KeyIndex(Buffer.from('k'));
    ki.put(2n, 0);
    ki.tombstone(3n, 0);
    const available: AvailableSet = new Map();
    ki.compact(3n, available);
    expect(ki.isEmpty()).toBe(true);
    expect(available.size).toBe(0);
  });

  it('restore starts from the oldest surviving revision with its version', () => {
    const ki = new KeyIndex(Buffer.from('k'));
    ki.restore({ main: 5n, sub: 0 }, { main: 9n, sub: 0 }, 3n);
    ki.put(11n, 0);
    const g = ki.get(11n)!;
    expect([g.created.main, g.ver]).toEqual([5n, 4n]);
  });
});
