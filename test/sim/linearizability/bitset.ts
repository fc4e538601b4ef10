// A fixed-size set of small integers, with a cheap string key for the memoization cache.

export class Bitset {
  private readonly words: Uint32Array;

  constructor(readonly size: number, words?: Uint32Array) {
    this.words = words ?? new Uint32Array(Math.ceil(size / 32));
  }

  set(i: number): void {
    this.words[i >>> 5]! |= 1 << (i & 31);
  }

  clear(i: number): void {
    this.words[i >>> 5]! &= ~(1 << (i & 31));
  }

  has(i: number): boolean {
    return (this.words[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  clone(): Bitset {
    return new Bitset(this.size, this.words.slice());
  }

  /** A canonical key: equal sets give equal keys. */
  key(): string {
    let s = '';
    for (let i = 0; i < this.words.length; i++) s += this.words[i]!.toString(36) + ',';
    return s;
  }
}
