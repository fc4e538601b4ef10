// Semaphore: up to `limit` holders at a time, admitted strictly in arrival (create revision)
// order. Keys use the Mutex layout `<prefix>/<lease hex>` on the session's lease (no Go
// counterpart in etcd 3.4; with limit 1 it behaves as a Mutex on the same keys).
import { Compare, Op, type CallOptions } from '@tsetcd/client';
import { sessionKey, withSlash } from './keys';
import type { Session } from './session';
import { withLinkedSignal } from './signals';

export class SemaphorePermit implements AsyncDisposable {
  #released = false;

  constructor(
    readonly semaphore: Semaphore,
    readonly key: string,
    /** The permit key's create revision (a fencing token). */
    readonly token: bigint,
  ) {}

  async release(options: CallOptions = {}): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await this.semaphore.session.client.delete(this.key, options);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }
}

export class Semaphore {
  readonly keyPrefix: string;

  constructor(
    readonly session: Session,
    readonly prefix: string,
    readonly limit: number,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('semaphore limit must be a positive integer');
    this.keyPrefix = withSlash(prefix);
  }

  /** Wait for a permit; FIFO: nobody overtakes an earlier waiter. */
  async acquire(options: { signal?: AbortSignal } = {}): Promise<SemaphorePermit> {
    const client = this.session.client;
    const key = sessionKey(this.prefix, this.session.leaseId);
    const res = await client
      .txn({ signal: options.signal })
      .if(Compare.createRevision(key, '=', 0n))
      .then(Op.put(key, '', { lease: this.session.leaseId }))
      .else(Op.get(key))
      .commit();
    let myRev = res.header.revision;
    if (!res.succeeded) {
      const r = res.responses[0];
      const kv = r?.kind === 'range' ? r.kvs[0] : undefined;
      if (kv === undefined) throw new Error('semaphore: own key vanished');
      myRev = kv.createRevision;
    }
    try {
      await withLinkedSignal([options.signal, this.session.signal], async (signal) => {
        for (;;) {
          // etcd's count ignores the create-revision filter: count the filtered keys instead
          const ahead = await client.range({ key: this.keyPrefix, prefix: true, maxCreateRevision: myRev, keysOnly: true, signal });
          if (ahead.kvs.length <= this.limit) return;
          // wait for any delete under the prefix, then count again
          const w = client.watch(this.keyPrefix, { prefix: true, startRevision: ahead.header.revision + 1n, filters: ['put'], signal });
          try {
            for await (const ev of w) if (ev.kind === 'delete') break;
          } finally {
            w.close();
          }
          signal.throwIfAborted();
        }
      });
    } catch (err) {
      await client.delete(key).catch(() => undefined);
      throw err;
    }
    return new SemaphorePermit(this, key, myRev);
  }
}
