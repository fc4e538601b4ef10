// Inflights: a ring buffer of the MsgApp messages in flight to one follower, bounded by count and bytes.
import { assert } from '../assert';

export class Inflights {
  private start = 0;
  private countValue = 0;
  private bytesValue = 0;
  private readonly indexes: number[];
  private readonly sizes: number[];

  /** sizeMax: most messages in flight; bytesMax: most payload bytes in flight (0 = no byte limit). */
  constructor(
    readonly sizeMax: number,
    readonly bytesMax = 0,
  ) {
    assert(sizeMax > 0, 'inflights size must be > 0');
    this.indexes = new Array<number>(sizeMax).fill(0);
    this.sizes = new Array<number>(sizeMax).fill(0);
  }

  get count(): number {
    return this.countValue;
  }

  get bytes(): number {
    return this.bytesValue;
  }

  /** Records a message whose last entry has `index` and whose payload is `bytes` long. Indexes must increase. */
  add(index: number, bytes: number): void {
    assert(!this.full(), 'cannot add into a full inflights');
    if (this.countValue > 0) {
      const lastIdx = (this.start + this.countValue - 1) % this.sizeMax;
      assert(this.indexes[lastIdx]! < index, () => `inflights index ${index} must be above ${this.indexes[lastIdx]}`);
    }
    const next = (this.start + this.countValue) % this.sizeMax;
    this.indexes[next] = index;
    this.sizes[next] = bytes;
    this.countValue++;
    this.bytesValue += bytes;
  }

  /** Frees every inflight message whose index is <= to. */
  freeLE(to: number): void {
    if (this.countValue === 0 || to < this.indexes[this.start]!) return;
    let i = 0;
    let idx = this.start;
    let freedBytes = 0;
    for (; i < this.countValue; i++) {
      if (to < this.indexes[idx]!) break;
      freedBytes += this.sizes[idx]!;
      idx = (idx + 1) % this.sizeMax;
    }
    this.countValue -= i;
    this.bytesValue -= freedBytes;
    this.start = idx;
    if (this.countValue === 0) this.start = 0;
    assert(this.bytesValue >= 0, 'inflight bytes went negative');
  }

  freeFirstOne(): void {
    if (this.countValue === 0) return;
    this.freeLE(this.indexes[this.start]!);
  }

  full(): boolean {
    return this.countValue === this.sizeMax || (this.bytesMax !== 0 && this.bytesValue >= this.bytesMax);
  }

  reset(): void {
    this.countValue = 0;
    this.bytesValue = 0;
    this.start = 0;
  }

  /** Indexes in flight, oldest first (for tests and status). */
  toArray(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.countValue; i++) out.push(this.indexes[(this.start + i) % this.sizeMax]!);
    return out;
  }
}
