// Election (clientv3/concurrency.Election): candidates put `<prefix>/<lease hex>` on their
// session's lease; the key with the lowest create revision leads.
import { Compare, Op, type Bytes, type CallOptions, type KeyValue, type ResponseHeader } from '@tsetcd/client';
import { ErrElectionNoLeader, ErrElectionNotLeader } from './errors';
import { sessionKey, withSlash } from './keys';
import type { Session } from './session';
import { withLinkedSignal } from './signals';
import { waitDeletes } from './wait-deletes';

export interface SignalOptions {
  signal?: AbortSignal;
}

export class Election {
  readonly keyPrefix: string;
  #leaderKey: string | undefined;
  #leaderRev = 0n;
  #header: ResponseHeader | undefined;

  constructor(
    readonly session: Session,
    readonly prefix: string,
  ) {
    this.keyPrefix = withSlash(prefix);
  }

  /** Rebuild an election already won (Go's ResumeElection). */
  static resume(session: Session, prefix: string, leaderKey: string, leaderRev: bigint): Election {
    const e = new Election(session, prefix);
    e.#leaderKey = leaderKey;
    e.#leaderRev = leaderRev;
    return e;
  }

  /** The leader key while this candidate holds (or campaigns for) leadership. */
  get key(): string | undefined {
    return this.#leaderKey;
  }

  /** Create revision of the leader key (0 when not campaigning). */
  get rev(): bigint {
    return this.#leaderRev;
  }

  get header(): ResponseHeader | undefined {
    return this.#header;
  }

  /** Resolves once elected. If `signal` aborts while waiting, the candidacy is withdrawn. */
  async campaign(value: Bytes, options: SignalOptions = {}): Promise<void> {
    const client = this.session.client;
    const key = sessionKey(this.prefix, this.session.leaseId);
    const res = await client
      .txn({ signal: options.signal })
      .if(Compare.createRevision(key, '=', 0n))
      .then(Op.put(key, value, { lease: this.session.leaseId }))
      .else(Op.get(key))
      .commit();
    this.#leaderKey = key;
    this.#leaderRev = res.header.revision;
    this.#header = res.header;
    if (!res.succeeded) {
      const first = res.responses[0];
      const existing = first?.kind === 'range' ? first.kvs[0] : undefined;
      if (existing === undefined) throw new Error('election: campaign key vanished');
      this.#leaderRev = existing.createRevision;
      if (!existing.value.equals(Buffer.from(value))) {
        try {
          await this.proclaim(value, options);
        } catch (err) {
          await this.resign().catch(() => undefined);
          throw err;
        }
      }
    }
    try {
      this.#header = await withLinkedSignal([options.signal, this.session.signal], (signal) => waitDeletes(client, this.keyPrefix, this.#leaderRev - 1n, signal));
    } catch (err) {
      if (options.signal?.aborted) await this.resign().catch(() => undefined);
      else this.#leaderKey = undefined;
      throw err;
    }
  }

  /** Change the leader's value without a new election. */
  async proclaim(value: Bytes, options: SignalOptions = {}): Promise<void> {
    const key = this.#leaderKey;
    if (key === undefined) throw new ErrElectionNotLeader();
    const res = await this.session.client
      .txn({ signal: options.signal })
      .if(Compare.createRevision(key, '=', this.#leaderRev))
      .then(Op.put(key, value, { lease: this.session.leaseId }))
      .commit();
    this.#header = res.header;
    if (!res.succeeded) {
      this.#leaderKey = undefined;
      throw new ErrElectionNotLeader();
    }
  }

  /** Give up leadership (a no-op when not leading). */
  async resign(options: SignalOptions = {}): Promise<void> {
    const key = this.#leaderKey;
    if (key === undefined) return;
    try {
      const res = await this.session.client
        .txn({ signal: options.signal })
        .if(Compare.createRevision(key, '=', this.#leaderRev))
        .then(Op.delete(key))
        .commit();
      this.#header = res.header;
    } finally {
      this.#leaderKey = undefined;
      this.#leaderRev = 0n;
    }
  }

  /** The current leader's key and value; throws ErrElectionNoLeader when nobody campaigns. */
  async leader(options: CallOptions = {}): Promise<KeyValue> {
    const res = await this.session.client.range({ ...firstCreate(this.keyPrefix), ...options });
    this.#header = res.header;
    const kv = res.kvs[0];
    if (kv === undefined) throw new ErrElectionNoLeader();
    return kv;
  }

  /** Every leader in turn and every value it proclaims, until `signal` aborts or the loop breaks. */
  observe(options: SignalOptions = {}): AsyncIterable<KeyValue> {
    return observeElection(this.session.client, this.keyPrefix, options.signal);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.resign();
  }
}

export function firstCreate(keyPrefix: string) {
  return { key: keyPrefix, prefix: true, sort: { target: 'create' as const, order: 'ascend' as const }, limit: 1 };
}

/** Observe without a session (leaders of `<prefix>/`), like the server's Observe RPC. */
export async function* observeElection(client: Session['client'], keyPrefix: string, signal?: AbortSignal): AsyncGenerator<KeyValue> {
  for (;;) {
    // an aborted observer ends quietly, like a closed Go channel
    if (signal?.aborted) return;
    const res = await client.range({ ...firstCreate(keyPrefix), signal });
    let leader = res.kvs[0];
    let revision = res.header.revision;
    if (leader === undefined) {
      const w = client.watch(keyPrefix, { prefix: true, startRevision: res.header.revision, filters: ['delete'], signal });
      try {
        for await (const ev of w) {
          if (ev.kind === 'put') {
            leader = ev.kv;
            break;
          }
        }
      } finally {
        w.close();
      }
      if (leader === undefined) return;
      revision = leader.modRevision;
    }
    yield leader;
    const w = client.watch(leader.key, { startRevision: revision + 1n, signal });
    try {
      for await (const ev of w) {
        if (ev.kind === 'delete') break;
        if (ev.kind === 'put') yield ev.kv;
      }
    } finally {
      w.close();
    }
  }
}
