// Registries where a caller waits for something the apply loop produces (etcd pkg/wait).

/** One waiter per id; `trigger` resolves it with the apply result. */
export class Wait<T> {
  private readonly waiters = new Map<bigint, (value: T) => void>();

  /** Registers `id`; the promise resolves when `trigger(id, value)` runs. Duplicate ids are a bug. */
  register(id: bigint): Promise<T> {
    if (this.waiters.has(id)) throw new Error(`wait: duplicate id ${id.toString(16)}`);
    return new Promise<T>((resolve) => {
      this.waiters.set(id, resolve);
    });
  }

  /** Resolves and forgets the waiter for `id`; returns false when nobody waits (e.g. another member's proposal). */
  trigger(id: bigint, value: T): boolean {
    const resolve = this.waiters.get(id);
    if (resolve === undefined) return false;
    this.waiters.delete(id);
    resolve(value);
    return true;
  }

  /** Forgets the waiter without resolving it (the caller gave up: timeout or cancel). */
  cancel(id: bigint): void {
    this.waiters.delete(id);
  }

  isRegistered(id: bigint): boolean {
    return this.waiters.has(id);
  }

  get size(): number {
    return this.waiters.size;
  }

  /** Resolves every waiter with `value(id)` (server stopping). */
  triggerAll(value: (id: bigint) => T): void {
    const entries = [...this.waiters];
    this.waiters.clear();
    for (const [id, resolve] of entries) resolve(value(id));
  }
}

/**
 * Waits on a monotonically increasing number (the applied index): `wait(n)` resolves once
 * `trigger(m)` has been called with some m >= n.
 */
export class WaitTime {
  private last = 0;
  private readonly waiters = new Map<number, { promise: Promise<void>; resolve: () => void }>();

  constructor(initial = 0) {
    this.last = initial;
  }

  get lastTriggered(): number {
    return this.last;
  }

  wait(deadline: number): Promise<void> {
    if (deadline <= this.last) return Promise.resolve();
    const existing = this.waiters.get(deadline);
    if (existing !== undefined) return existing.promise;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    this.waiters.set(deadline, { promise, resolve });
    return promise;
  }

  trigger(deadline: number): void {
    if (deadline < this.last) throw new Error(`wait-time: went backwards ${this.last} -> ${deadline}`);
    this.last = deadline;
    for (const [d, w] of this.waiters) {
      if (d <= deadline) {
        this.waiters.delete(d);
        w.resolve();
      }
    }
  }
}
