// EventEmitter with typed event names and listener signatures (typed-emitter style, no runtime dep).
import { EventEmitter } from 'node:events';

export type EventMap<E> = { [K in keyof E]: (...args: any[]) => void };

export class TypedEmitter<E extends EventMap<E>> {
  readonly #inner = new EventEmitter();

  on<K extends keyof E & string>(event: K, listener: E[K]): this {
    this.#inner.on(event, listener);
    return this;
  }

  once<K extends keyof E & string>(event: K, listener: E[K]): this {
    this.#inner.once(event, listener);
    return this;
  }

  off<K extends keyof E & string>(event: K, listener: E[K]): this {
    this.#inner.off(event, listener);
    return this;
  }

  listenerCount<K extends keyof E & string>(event: K): number {
    return this.#inner.listenerCount(event);
  }

  protected emit<K extends keyof E & string>(event: K, ...args: Parameters<E[K]>): boolean {
    return this.#inner.emit(event, ...args);
  }
}
