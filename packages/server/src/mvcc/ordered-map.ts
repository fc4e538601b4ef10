// An ordered map keyed by byte strings: a skip list with O(log n) get/set/delete and
// O(log n + k) range scans. Level choice uses a fixed-seed xorshift so runs are reproducible.

const LEVEL_MAX = 32;
const LEVEL_P_INV = 4; // each level holds ~1/4 of the one below

interface Node<V> {
  key: Uint8Array;
  value: V;
  next: Array<Node<V> | undefined>;
}

/** Keys shorter than this compare in JS (cheaper than a native call for short keys). */
const NATIVE_COMPARE_MIN_BYTES = 64;

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  if (n >= NATIVE_COMPARE_MIN_BYTES) return Buffer.compare(a, b);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export class OrderedMap<V> {
  private readonly head: Node<V> = { key: new Uint8Array(0), value: undefined as V, next: [] };
  private level = 1;
  private count = 0;
  private seed = 0x2545f491;

  get size(): number {
    return this.count;
  }

  private randomLevel(): number {
    let lvl = 1;
    for (;;) {
      let x = this.seed;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.seed = x >>> 0;
      if (this.seed % LEVEL_P_INV !== 0 || lvl >= LEVEL_MAX) return lvl;
      lvl++;
    }
  }

  /** Last node with key < `key` at each level. */
  private findPredecessors(key: Uint8Array): Array<Node<V>> {
    const update: Array<Node<V>> = new Array<Node<V>>(this.level);
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let n = x.next[i]; n !== undefined && compareBytes(n.key, key) < 0; n = x.next[i]) x = n;
      update[i] = x;
    }
    return update;
  }

  /** First node with key >= `key`. */
  private lowerBound(key: Uint8Array): Node<V> | undefined {
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let n = x.next[i]; n !== undefined && compareBytes(n.key, key) < 0; n = x.next[i]) x = n;
    }
    return x.next[0];
  }

  get(key: Uint8Array): V | undefined {
    const n = this.lowerBound(key);
    return n !== undefined && compareBytes(n.key, key) === 0 ? n.value : undefined;
  }

  set(key: Uint8Array, value: V): void {
    const update = this.findPredecessors(key);
    const found = update[0]!.next[0];
    if (found !== undefined && compareBytes(found.key, key) === 0) {
      found.value = value;
      return;
    }
    const lvl = this.randomLevel();
    for (let i = this.level; i < lvl; i++) update[i] = this.head;
    if (lvl > this.level) this.level = lvl;
    const node: Node<V> = { key, value, next: new Array<Node<V> | undefined>(lvl) };
    for (let i = 0; i < lvl; i++) {
      const prev = update[i]!;
      node.next[i] = prev.next[i];
      prev.next[i] = node;
    }
    this.count++;
  }

  delete(key: Uint8Array): boolean {
    const update = this.findPredecessors(key);
    const found = update[0]!.next[0];
    if (found === undefined || compareBytes(found.key, key) !== 0) return false;
    for (let i = 0; i < this.level; i++) {
      const prev = update[i]!;
      if (prev.next[i] !== found) break;
      prev.next[i] = found.next[i];
    }
    while (this.level > 1 && this.head.next[this.level - 1] === undefined) this.level--;
    this.count--;
    return true;
  }

  /** Entries with start <= key < end (end undefined = no upper bound), ascending. */
  *range(start: Uint8Array, end?: Uint8Array): Generator<[Uint8Array, V]> {
    for (let n = this.lowerBound(start); n !== undefined; n = n.next[0]) {
      if (end !== undefined && compareBytes(n.key, end) >= 0) return;
      yield [n.key, n.value];
    }
  }

  /** Calls fn for entries with start <= key < end (end undefined = no upper bound), ascending, until fn returns false. */
  forEachInRange(start: Uint8Array, end: Uint8Array | undefined, fn: (key: Uint8Array, value: V) => boolean | void): void {
    for (let n = this.lowerBound(start); n !== undefined; n = n.next[0]) {
      if (end !== undefined && compareBytes(n.key, end) >= 0) return;
      if (fn(n.key, n.value) === false) return;
    }
  }

  *entries(): Generator<[Uint8Array, V]> {
    for (let n = this.head.next[0]; n !== undefined; n = n.next[0]) yield [n.key, n.value];
  }
}
