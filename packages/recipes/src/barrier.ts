// Barrier and DoubleBarrier in contrib/recipes' layouts.
import type { KeyspaceView } from '@tsetcd/client';
import { putNewKey, putUniqueKey, waitEvent } from './remote-kv';
import type { Session } from './session';
import { withLinkedSignal } from './signals';

export interface BarrierCallOptions {
  signal?: AbortSignal;
}

/** A single key: while it exists, wait() blocks. */
export class Barrier {
  constructor(
    readonly client: KeyspaceView,
    readonly key: string,
  ) {}

  /** Raise the barrier (fails with ErrKeyExists when already up). */
  async hold(options: BarrierCallOptions = {}): Promise<void> {
    await putNewKey(this.client, this.key, '', 0n, options.signal);
  }

  async release(options: BarrierCallOptions = {}): Promise<void> {
    await this.client.delete(this.key, { signal: options.signal });
  }

  /** Resolves once the barrier is down. */
  async wait(options: BarrierCallOptions = {}): Promise<void> {
    for (;;) {
      const res = await this.client.range({ key: this.key, signal: options.signal });
      if (res.kvs.length === 0) return;
      await waitEvent(this.client, this.key, res.header.revision + 1n, ['delete'], { signal: options.signal });
    }
  }
}

export class ErrTooManyClients extends Error {
  constructor() {
    super('too many clients');
  }
}

/** `count` participants enter together and leave together (`<prefix>/waiters/<nanos>`, `<prefix>/ready`). */
export class DoubleBarrier {
  #myKey: string | undefined;

  constructor(
    readonly session: Session,
    readonly keyPrefix: string,
    readonly count: number,
  ) {}

  get #waiters(): string {
    return `${this.keyPrefix}/waiters`;
  }

  get #ready(): string {
    return `${this.keyPrefix}/ready`;
  }

  /** Resolves once `count` participants have entered. */
  async enter(options: BarrierCallOptions = {}): Promise<void> {
    return withLinkedSignal([options.signal, this.session.signal], (signal) => this.#enter(signal));
  }

  async #enter(signal: AbortSignal): Promise<void> {
    const client = this.session.client;
    const mine = await putUniqueKey(client, this.#waiters, '', this.session.leaseId, signal);
    this.#myKey = mine.key;
    const res = await client.range({ key: this.#waiters, prefix: true, signal });
    if (res.kvs.length > this.count) {
      await client.delete(mine.key).catch(() => undefined);
      this.#myKey = undefined;
      throw new ErrTooManyClients();
    }
    if (res.kvs.length === this.count) {
      await client.put(this.#ready, '', { signal });
      return;
    }
    const ready = await client.range({ key: this.#ready, signal });
    if (ready.kvs.length > 0) return;
    await waitEvent(client, this.#ready, mine.revision, ['put'], { signal });
  }

  /** Resolves once every participant has left. */
  async leave(options: BarrierCallOptions = {}): Promise<void> {
    return withLinkedSignal([options.signal, this.session.signal], (signal) => this.#leave(signal));
  }

  async #leave(signal: AbortSignal): Promise<void> {
    const client = this.session.client;
    for (;;) {
      const res = await client.range({ key: this.#waiters, prefix: true, signal });
      if (res.kvs.length === 0) return;
      let lowest = res.kvs[0]!;
      let highest = res.kvs[0]!;
      for (const kv of res.kvs) {
        if (kv.modRevision < lowest.modRevision) lowest = kv;
        if (kv.modRevision > highest.modRevision) highest = kv;
      }
      const isLowest = lowest.keyString() === this.#myKey;
      if (res.kvs.length === 1 && isLowest) {
        await client.txn({ signal }).then({ op: 'delete', target: this.#ready, options: {} }, { op: 'delete', target: lowest.key, options: {} }).commit();
        this.#myKey = undefined;
        return;
      }
      if (isLowest) {
        // the last one out: wait for the newest other participant to go, then look again
        await waitEvent(client, highest.keyString(), res.header.revision + 1n, ['delete'], { signal });
        continue;
      }
      if (this.#myKey !== undefined) await client.delete(this.#myKey, { signal });
      this.#myKey = undefined;
      await waitEvent(client, lowest.keyString(), res.header.revision + 1n, ['delete'], { signal });
      return;
    }
  }
}
