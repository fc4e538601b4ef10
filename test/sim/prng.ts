// A small seeded PRNG (xoshiro128**, seeded through splitmix32): one seed decides everything.

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    const st = { s: seed | 0 };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1;
  }

  /** Next 32-bit unsigned value. */
  next(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    if (!(n > 0) || !Number.isInteger(n)) throw new Error(`Prng.int: bad bound ${n}`);
    return Math.floor((this.next() / 0x1_0000_0000) * n);
  }

  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Prng.pick: empty');
    return items[this.int(items.length)]!;
  }

  /** An independent stream derived from this one (e.g. one per member). */
  fork(): Prng {
    return new Prng(this.next() ^ Math.imul(this.next(), 0x27d4eb2d));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export type TraceFn = (a: number, b?: number, c?: number, d?: number, e?: number, f?: number) => void;

/** FNV-1a style running hash, to compare two replays of one seed. */
export class TraceHash {
  private h = 0x811c9dc5;

  /** Mixes up to six 32-bit integers (callers pass small integers: ids, types, terms, indexes). */
  add(a: number, b = 0, c = 0, d = 0, e = 0, f = 0): void {
    let h = this.h;
    h = Math.imul(h ^ a, 0x01000193);
    h = Math.imul(h ^ b, 0x01000193);
    h = Math.imul(h ^ c, 0x01000193);
    h = Math.imul(h ^ d, 0x01000193);
    h = Math.imul(h ^ e, 0x01000193);
    this.h = Math.imul(h ^ f, 0x01000193);
  }

  hex(): string {
    return (this.h >>> 0).toString(16).padStart(8, '0');
  }
}
