// A binary min-heap of (lease id, expiry) ordered by expiry. Entries are never updated in place:
// a renewed lease pushes a new entry and the lessor skips stale ones when it pops (lazy deletion,
// like etcd's LeaseQueue whose items are checked against the lease's current expiry).

export interface LeaseHeapItem {
  readonly id: bigint;
  readonly expiryMs: number;
}

export class LeaseHeap {
  private readonly items: LeaseHeapItem[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: LeaseHeapItem): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]!.expiryMs <= item.expiryMs) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = item;
  }

  peek(): LeaseHeapItem | undefined {
    return this.items[0];
  }

  pop(): LeaseHeapItem | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const child = r < a.length && a[r]!.expiryMs < a[l]!.expiryMs ? r : l;
      if (a[child]!.expiryMs >= last.expiryMs) break;
      a[i] = a[child]!;
      i = child;
    }
    a[i] = last;
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }
}
