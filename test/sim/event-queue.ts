// The virtual clock: a min-heap of timed actions, ordered by (time, insertion order) so that a
// seed replays exactly.

export type Action = () => void;

interface Item {
  readonly time: number;
  readonly seq: number;
  readonly action: Action;
}

export class EventQueue {
  private heap: Item[] = [];
  private seq = 0;
  now = 0;

  at(time: number, action: Action): void {
    if (time < this.now) throw new Error(`scheduling in the past: ${time} < ${this.now}`);
    this.push({ time, seq: this.seq++, action });
  }

  after(delay: number, action: Action): void {
    this.at(this.now + delay, action);
  }

  get size(): number {
    return this.heap.length;
  }

  /** Runs every action due at or before `until`; returns false if the queue ran dry first. */
  runUntil(until: number): void {
    while (this.heap.length > 0 && this.heap[0]!.time <= until) {
      const item = this.pop();
      this.now = item.time;
      item.action();
    }
    this.now = Math.max(this.now, until);
  }

  private push(item: Item): void {
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Item {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function less(a: Item, b: Item): boolean {
  return a.time !== b.time ? a.time < b.time : a.seq < b.seq;
}
