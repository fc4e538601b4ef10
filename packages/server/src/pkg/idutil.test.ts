import { IdGenerator } from './idutil';

describe('IdGenerator', () => {
  it('puts the low 16 bits of the member id in the high 16 bits', () => {
    const g = new IdGenerator(0x12345678abcdn, 0);
    const id = g.next();
    expect(id >> 48n).toBe(0xabcdn);
    expect(id & ((1n << 48n) - 1n)).toBe(1n);
  });

  it('starts the counter at (unix ms mod 2^40) << 8 and increments by one', () => {
    const nowMs = 1_700_000_000_123;
    const g = new IdGenerator(1n, nowMs);
    const base = (BigInt(nowMs) & ((1n << 40n) - 1n)) << 8n;
    expect(g.next()).toBe((1n << 48n) | (base + 1n));
    expect(g.next()).toBe((1n << 48n) | (base + 2n));
  });

  it('matches the etcd formula for a large timestamp (mod 2^40)', () => {
    const nowMs = 2 ** 41 + 5;
    const g = new IdGenerator(0n, nowMs);
    expect(g.next()).toBe((5n << 8n) + 1n);
  });

  it('never repeats across many ids', () => {
    const g = new IdGenerator(7n, Date.now());
    const seen = new Set<bigint>();
    for (let i = 0; i < 10_000; i++) seen.add(g.next());
    expect(seen.size).toBe(10_000);
  });

  it('rejects ids outside uint64', () => {
    expect(() => new IdGenerator(-1n, 0)).toThrow(RangeError);
    expect(() => new IdGenerator(1n << 64n, 0)).toThrow(RangeError);
  });
});
