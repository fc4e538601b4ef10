// STM (clientv3/concurrency.NewSTM): run `apply` against buffered reads/writes and commit them in
// one txn guarded by the isolation level's compares; re-run until the commit succeeds.
import { Compare, Op, type CompareSpec, type KeyspaceView, type OpSpec, type TxnResult } from '@tsetcd/client';

/** Go's iota order. */
export enum Isolation {
  SerializableSnapshot = 0,
  Serializable = 1,
  RepeatableReads = 2,
  ReadCommitted = 3,
}

export interface StmTxn {
  /** The value of `key` ("" when absent), as of this transaction. */
  get(key: string): Promise<string>;
  put(key: string, value: string): void;
  del(key: string): void;
  /** The mod revision of `key` as read (0 when absent). */
  rev(key: string): Promise<bigint>;
}

export interface StmOptions {
  isolation?: Isolation;
  /** Keys read up front. */
  prefetch?: string[];
  signal?: AbortSignal;
}

interface ReadEntry {
  value: string;
  modRevision: bigint;
}

class StmAttempt implements StmTxn {
  readonly reads = new Map<string, ReadEntry>();
  readonly writes = new Map<string, string | undefined>();
  firstRevision: bigint | undefined;

  constructor(
    readonly client: KeyspaceView,
    readonly isolation: Isolation,
    readonly signal: AbortSignal | undefined,
  ) {}

  async #fetch(key: string): Promise<ReadEntry> {
    const pinned = this.isolation === Isolation.SerializableSnapshot || this.isolation === Isolation.Serializable;
    let res;
    if (pinned && this.firstRevision === undefined) {
      res = await this.client.range({ key, signal: this.signal });
      this.firstRevision = res.header.revision;
    } else if (pinned) {
      res = await this.client.range({ key, revision: this.firstRevision, serializable: true, signal: this.signal });
    } else {
      res = await this.client.range({ key, serializable: true, signal: this.signal });
    }
    const kv = res.kvs[0];
    const entry = { value: kv?.valueString() ?? '', modRevision: kv?.modRevision ?? 0n };
    if (this.isolation !== Isolation.ReadCommitted) this.reads.set(key, entry);
    return entry;
  }

  async get(key: string): Promise<string> {
    if (this.writes.has(key)) return this.writes.get(key) ?? '';
    const cached = this.reads.get(key);
    if (cached !== undefined) return cached.value;
    return (await this.#fetch(key)).value;
  }

  async rev(key: string): Promise<bigint> {
    const cached = this.reads.get(key);
    if (cached !== undefined) return cached.modRevision;
    return (await this.#fetch(key)).modRevision;
  }

  put(key: string, value: string): void {
    this.writes.set(key, value);
  }

  del(key: string): void {
    this.writes.set(key, undefined);
  }

  compares(): CompareSpec[] {
    if (this.isolation === Isolation.ReadCommitted) return [];
    const cmps = [...this.reads].map(([key, r]) => Compare.modRevision(key, '=', r.modRevision));
    if (this.isolation === Isolation.SerializableSnapshot && this.firstRevision !== undefined) {
      for (const key of this.writes.keys()) cmps.push(Compare.modRevision(key, '<', this.firstRevision + 1n));
    }
    return cmps;
  }

  ops(): OpSpec[] {
    return [...this.writes].map(([key, value]) => (value === undefined ? Op.delete(key) : Op.put(key, value)));
  }
}

/** Run `apply` until its transaction commits; returns the committing txn's result. */
export async function runStm(client: KeyspaceView, apply: (stm: StmTxn) => Promise<void>, options: StmOptions = {}): Promise<TxnResult> {
  const isolation = options.isolation ?? Isolation.SerializableSnapshot;
  for (;;) {
    options.signal?.throwIfAborted();
    const attempt = new StmAttempt(client, isolation, options.signal);
    for (const key of options.prefetch ?? []) await attempt.get(key);
    await apply(attempt);
    const res = await client
      .txn({ signal: options.signal })
      .if(...attempt.compares())
      .then(...attempt.ops())
      .commit();
    if (res.succeeded) return res;
  }
}
