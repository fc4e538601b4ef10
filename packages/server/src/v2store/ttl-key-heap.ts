// Min-heap of nodes with an expiration time, earliest first (the leader's SYNC expires from the top).

export interface Expiring {
  expireTimeMs: number;
  heapIndex: number;
}

export class TtlKeyHeap<T extends Expiring> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  top(): T | undefined {
    return this.items[0];
  }

  push(n: T): void {
    n.heapIndex = this.items.length;
    this.items.push(n);
    this.up(n.heapIndex);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  remove(n: T): void {
    const i = n.heapIndex;
    if (i < 0 || this.items[i] !== n) return;
    const last = this.items.pop() as T;
    n.heapIndex = -1;
    if (last === n) return;
    this.items[i] = last;
    last.heapIndex = i;
    this.down(i);
    this.up(last.heapIndex);
  }

  update(n: T): void {
    if (n.heapIndex < 0 || this.items[n.heapIndex] !== n) {
      this.push(n);
      return;
    }
    this.down(n.heapIndex);
    this.up(n.heapIndex);
  }

  private less(i: number, j: number): boolean {
    return (this.items[i] as T).expireTimeMs < (this.items[j] as T).expireTimeMs;
  }

  private swap(i: number, j: number): void {
    const a = this.items[i] as T;
    const b = this.items[j] as T;
    this.items[i] = b;
    this.items[j] = a;
    a.heapIndex = j;
    b.heapIndex = i;
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) return;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      let m = l;
      if (l + 1 < n && this.less(l + 1, l)) m = l + 1;
      if (!this.less(m, i)) return;
      this.swap(i, m);
      i = m;
    }
  }
}
