// Mutex (clientv3/concurrency.Mutex): waiters put `<prefix>/<lease hex>` with an empty value on
// their session's lease and acquire in create-revision order. Every hold carries a fencing token
// (its key's create revision), a guard compare for txns, and a signal that aborts when the
// session's lease is lost or the hold is released.
import { Compare, Op, type CallOptions, type CompareSpec, type KeyspaceView, type ResponseHeader, type TxnBuilder } from '@tsetcd/client';
import { ErrLocked } from './errors';
import { firstCreate, type SignalOptions } from './election';
import { sessionKey, withSlash } from './keys';
import type { Session } from './session';
import { linkedSignal, withLinkedSignal } from './signals';
import { waitDeletes } from './wait-deletes';

/** One acquisition of a Mutex. `await using hold = await mutex.lock()` releases at scope exit. */
export class LockHold implements AsyncDisposable {
  readonly #link: ReturnType<typeof linkedSignal>;
  #released = false;

  constructor(
    readonly mutex: Mutex,
    /** The lock key (`<prefix>/<lease hex>`). */
    readonly key: string,
    /** Fencing token: the lock key's create revision; strictly increasing across holders. */
    readonly token: bigint,
    readonly header: ResponseHeader,
  ) {
    this.#link = linkedSignal(mutex.session.signal);
  }

  /**
   * Aborts when the session's lease is lost or the hold is released. Reading it checks the
   * session's keepalive deadline first (a process resumed after a pause sees the loss at once).
   */
  get signal(): AbortSignal {
    void this.mutex.session.signal;
    return this.#link.signal;
  }

  /** Whether the hold can still be assumed valid (session alive, not released). */
  get valid(): boolean {
    return !this.mutex.session.signal.aborted && !this.signal.aborted;
  }

  /** The compare that holds only while this hold's key is the one this hold created. */
  guard(): CompareSpec {
    return Compare.createRevision(this.key, '=', this.token);
  }

  /**
   * A txn whose `if` is this hold's guard plus `compares` (call .then/.else/.commit on it). It is
   * sent even after the hold's signal aborted: the server-side guard is what rejects a stale holder.
   */
  txn(client: KeyspaceView = this.mutex.session.client, ...compares: CompareSpec[]): TxnBuilder {
    return client.txn().if(this.guard(), ...compares);
  }

  async release(options: CallOptions = {}): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#link.abort(new Error('lock released'));
    await this.mutex.unlock(options);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }
}

export class Mutex {
  readonly keyPrefix: string;
  #key: string | undefined;
  #rev = -1n;
  #header: ResponseHeader | undefined;

  constructor(
    readonly session: Session,
    readonly prefix: string,
  ) {
    this.keyPrefix = withSlash(prefix);
  }

  get key(): string | undefined {
    return this.#key;
  }

  get header(): ResponseHeader | undefined {
    return this.#header;
  }

  /** A compare true only while this mutex still owns its key (Go's IsOwner). */
  isOwner(): CompareSpec {
    return Compare.createRevision(this.#key ?? '\0', '=', this.#rev);
  }

  /** Wait for the lock (FIFO). If `signal` aborts or the session is lost while waiting, the queue entry is removed. */
  async lock(options: SignalOptions = {}): Promise<LockHold> {
    const owner = await this.#enqueue(options);
    if (owner) return this.#hold();
    try {
      this.#header = await withLinkedSignal([options.signal, this.session.signal], (signal) => waitDeletes(this.session.client, this.keyPrefix, this.#rev - 1n, signal));
    } catch (err) {
      await this.unlock().catch(() => undefined);
      throw err;
    }
    return this.#hold();
  }

  /** Take the lock only if nobody holds it; otherwise throw ErrLocked (clientv3 3.5's TryLock). */
  async tryLock(options: SignalOptions = {}): Promise<LockHold> {
    const owner = await this.#enqueue(options);
    if (owner) return this.#hold();
    await this.unlock().catch(() => undefined);
    throw new ErrLocked();
  }

  /** Delete this mutex's key (whoever waits next acquires). */
  async unlock(options: CallOptions = {}): Promise<void> {
    const key = this.#key;
    if (key === undefined) return;
    const res = await this.session.client.delete(key, options);
    this.#header = res.header;
    this.#key = undefined;
    this.#rev = -1n;
  }

  #hold(): LockHold {
    if (this.#key === undefined || this.#header === undefined) throw new Error('mutex: not locked');
    return new LockHold(this, this.#key, this.#rev, this.#header);
  }

  /** Go's tryAcquire: put our key if absent and read the first waiter, in one txn. */
  async #enqueue(options: SignalOptions): Promise<boolean> {
    this.session.signal.throwIfAborted();
    const key = sessionKey(this.prefix, this.session.leaseId);
    const getOwner = Op.range(firstCreate(this.keyPrefix));
    const res = await this.session.client
      .txn({ signal: options.signal })
      .if(Compare.createRevision(key, '=', 0n))
      .then(Op.put(key, '', { lease: this.session.leaseId }), getOwner)
      .else(Op.get(key), getOwner)
      .commit();
    this.#key = key;
    this.#header = res.header;
    this.#rev = res.header.revision;
    if (!res.succeeded) {
      const mine = res.responses[0];
      const kv = mine?.kind === 'range' ? mine.kvs[0] : undefined;
      if (kv === undefined) throw new Error('mutex: own key vanished');
      this.#rev = kv.createRevision;
    }
    const first = res.responses[1];
    const ownerKv = first?.kind === 'range' ? first.kvs[0] : undefined;
    return ownerKv === undefined || ownerKv.createRevision === this.#rev;
  }
}
