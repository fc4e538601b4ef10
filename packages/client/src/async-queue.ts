// A single-consumer async queue: producers push items or a terminal error; the consumer pulls with
// for-await. Closing from the consumer side runs onReturn once.

export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  #items: T[] = [];
  #waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  #done = false;
  #error: unknown;
  #hasError = false;

  constructor(private readonly onReturn: () => void = () => undefined) {}

  get ended(): boolean {
    return this.#done || this.#hasError;
  }

  push(item: T): void {
    if (this.ended) return;
    if (this.#waiting) {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting.resolve({ value: item, done: false });
    } else {
      this.#items.push(item);
    }
  }

  /** No more items: the consumer sees the buffered ones, then the end (or the error). */
  finish(error?: unknown): void {
    if (this.ended) return;
    if (error !== undefined) {
      this.#hasError = true;
      this.#error = error;
    } else {
      this.#done = true;
    }
    if (this.#waiting && this.#items.length === 0) {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      if (error !== undefined) waiting.reject(error);
      else waiting.resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#items.length > 0) return Promise.resolve({ value: this.#items.shift() as T, done: false });
    if (this.#hasError) {
      const error = this.#error;
      this.#hasError = false;
      this.#done = true;
      return Promise.reject(error);
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    const wasEnded = this.ended;
    this.#items = [];
    this.#done = true;
    this.#hasError = false;
    if (this.#waiting) {
      this.#waiting.resolve({ value: undefined, done: true });
      this.#waiting = undefined;
    }
    if (!wasEnded) this.onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
