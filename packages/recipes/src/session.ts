// Session: a lease kept alive for as long as the session lives (clientv3/concurrency.Session).
// `signal` aborts and `done` resolves once the lease can no longer be assumed alive; close()
// stops the keepalives and revokes the lease, which deletes every key the session holds.
import { LeaseLostError, monotonicNow, type CallOptions, type KeepAlive, type KeyspaceView } from '@tsetcd/client';

/** clientv3/concurrency's defaultSessionTTL. */
export const DEFAULT_SESSION_TTL_SECONDS = 60;

export interface SessionOptions {
  /** Lease TTL when the session grants its own lease (values <= 0 mean the default, like Go's WithTTL). */
  ttlSeconds?: number;
  /** Reuse this existing lease instead of granting one (Go's WithLease). */
  leaseId?: bigint;
  signal?: AbortSignal;
}

export class Session implements AsyncDisposable {
  readonly #keepAlive: KeepAlive;
  readonly done: Promise<LeaseLostError>;
  #closed = false;

  private constructor(
    readonly client: KeyspaceView,
    readonly leaseId: bigint,
    readonly ttlSeconds: number,
    keepAlive: KeepAlive,
  ) {
    this.#keepAlive = keepAlive;
    this.done = new Promise((resolve) => {
      const onLost = (): void => resolve(keepAlive.signal.reason as LeaseLostError);
      if (keepAlive.signal.aborted) onLost();
      else keepAlive.signal.addEventListener('abort', onLost, { once: true });
    });
  }

  static async create(client: KeyspaceView, options: SessionOptions = {}): Promise<Session> {
    const ttl = options.ttlSeconds !== undefined && options.ttlSeconds > 0 ? options.ttlSeconds : DEFAULT_SESSION_TTL_SECONDS;
    if (options.leaseId !== undefined) {
      const sentAtMs = monotonicNow();
      const ttlResult = await client.lease.timeToLive(options.leaseId, { signal: options.signal });
      if (ttlResult.ttlSeconds <= 0n) throw new LeaseLostError(options.leaseId, 'expired');
      const ka = client.lease.keepAlive(options.leaseId, { ttlSeconds: ttlResult.ttlSeconds, grantedAtMs: sentAtMs });
      return new Session(client, options.leaseId, Number(ttlResult.grantedTtlSeconds), ka);
    }
    const lease = await client.lease.grant(ttl, { signal: options.signal });
    if (options.signal?.aborted) {
      // aborted while the grant was in flight: do not leave the lease behind
      await lease.revoke().catch(() => undefined);
      options.signal.throwIfAborted();
    }
    return new Session(client, lease.id, Number(lease.ttlSeconds), lease.keepAlive());
  }

  /**
   * Aborts (reason: LeaseLostError) once the lease can no longer be assumed alive. Reading it
   * also checks the keepalive deadline, so a process resumed after a long pause (SIGSTOP, GC)
   * sees the loss before its timers have had a chance to run.
   */
  get signal(): AbortSignal {
    this.#checkDeadline();
    return this.#keepAlive.signal;
  }

  /** Whether the lease is still assumed alive now. */
  get alive(): boolean {
    return !this.signal.aborted;
  }

  /** Monotonic (performance.now()) time until which the lease is assumed alive. */
  get deadlineMs(): number {
    return this.#keepAlive.deadlineMs;
  }

  #checkDeadline(): void {
    const ka = this.#keepAlive;
    if (!ka.signal.aborted && ka.deadlineMs <= monotonicNow()) ka.markLost(new LeaseLostError(this.leaseId, 'deadline'));
  }

  /** Stop keeping the lease alive but leave it to expire on its own (Go's Orphan). */
  orphan(): void {
    this.#keepAlive.close();
  }

  /** Orphan, then revoke the lease (bounded by the TTL, like Go). Idempotent. */
  async close(options: CallOptions = {}): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const wasAlive = !this.#keepAlive.signal.aborted;
    this.orphan();
    if (!wasAlive) return;
    try {
      await this.client.lease.revoke(this.leaseId, { timeoutMs: this.ttlSeconds * 1000, ...options });
    } catch (err) {
      // an expired lease is gone already: that is what close wants
      if (!/lease not found/.test(String((err as Error).message))) throw err;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
