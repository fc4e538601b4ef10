// The inbound side of a streaming call: an async iterable with one consumer. The producer pauses
// the HTTP/2 stream when more than `highWaterMark` decoded requests wait unread.

export class RequestQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiter: ((result: IteratorResult<T>) => void) | undefined;
  private failWaiter: ((err: unknown) => void) | undefined;
  private ended = false;
  private error: unknown;
  private failed = false;

  constructor(
    private readonly highWaterMark: number,
    private readonly onPressure: (paused: boolean) => void,
  ) {}

  push(item: T): void {
    if (this.ended || this.failed) return;
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      this.failWaiter = undefined;
      waiter({ value: item, done: false });
      return;
    }
    this.items.push(item);
    if (this.items.length === this.highWaterMark) this.onPressure(true);
  }

  end(): void {
    if (this.ended || this.failed) return;
    this.ended = true;
    if (this.waiter !== undefined && this.items.length === 0) {
      const waiter = this.waiter;
      this.waiter = undefined;
      this.failWaiter = undefined;
      waiter({ value: undefined, done: true });
    }
  }

  fail(err: unknown): void {
    if (this.ended || this.failed) return;
    this.failed = true;
    this.error = err;
    this.items.length = 0;
    const failWaiter = this.failWaiter;
    this.waiter = undefined;
    this.failWaiter = undefined;
    failWaiter?.(err);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) {
      const value = this.items.shift() as T;
      if (this.items.length === this.highWaterMark - 1) this.onPressure(false);
      return Promise.resolve({ value, done: false });
    }
    if (this.failed) return Promise.reject(this.error);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.failWaiter = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.ended = true;
    this.items.length = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
