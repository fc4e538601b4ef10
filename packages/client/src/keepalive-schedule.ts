// When to send the next keepalive of a lease and until when the lease can be assumed alive, on a
// monotonic clock (performance.now() by default; injected in tests). Like clientv3: the next
// keepalive goes out TTL/3 after a successful response; the lease is assumed alive until the
// last successful response + its TTL.

export type MonotonicClock = () => number;

export const monotonicNow: MonotonicClock = () => performance.now();

/** Keepalives are sent at TTL divided by this (clientv3 sends at TTL/3). */
export const KEEPALIVE_TTL_DIVISOR = 3;
/** Retry interval for a keepalive send when no response has come yet (e.g. during a reconnect). */
export const KEEPALIVE_RESEND_MS = 500;

export class KeepAliveSchedule {
  #deadlineMs: number;
  #nextSendMs: number;
  #ttlSeconds: number;

  /**
   * @param grantedAtMs when the lease was granted (or last known alive), on `clock`; with
   *   `ttlSeconds` it bounds the deadline before the first keepalive response.
   */
  constructor(
    private readonly clock: MonotonicClock,
    ttlSeconds: number | undefined,
    grantedAtMs: number = clock(),
  ) {
    this.#ttlSeconds = ttlSeconds ?? 0;
    this.#deadlineMs = ttlSeconds === undefined ? Number.POSITIVE_INFINITY : grantedAtMs + ttlSeconds * 1000;
    this.#nextSendMs = clock(); // first keepalive right away
  }

  get ttlSeconds(): number {
    return this.#ttlSeconds;
  }

  /** Monotonic time after which the lease can no longer be assumed alive. */
  get deadlineMs(): number {
    return this.#deadlineMs;
  }

  get nextSendMs(): number {
    return this.#nextSendMs;
  }

  /** A keepalive request was sent at `sentAtMs`: resend later if its answer does not arrive. */
  onSent(sentAtMs: number = this.clock()): void {
    const interval = this.#ttlSeconds > 0 ? Math.min(KEEPALIVE_RESEND_MS, (this.#ttlSeconds * 1000) / KEEPALIVE_TTL_DIVISOR) : KEEPALIVE_RESEND_MS;
    this.#nextSendMs = sentAtMs + interval;
  }

  /**
   * A keepalive response. `sentAtMs` is when its request went out (the lease is certainly alive
   * from then for TTL); returns false when the server says the lease is gone (TTL <= 0).
   */
  onResponse(ttlSeconds: number, sentAtMs: number): boolean {
    if (ttlSeconds <= 0) {
      this.#deadlineMs = Math.min(this.#deadlineMs, this.clock());
      return false;
    }
    this.#ttlSeconds = ttlSeconds;
    const now = this.clock();
    this.#deadlineMs = Math.max(this.#deadlineMs === Number.POSITIVE_INFINITY ? 0 : this.#deadlineMs, sentAtMs + ttlSeconds * 1000);
    this.#nextSendMs = now + (ttlSeconds * 1000) / KEEPALIVE_TTL_DIVISOR;
    return true;
  }

  expired(now: number = this.clock()): boolean {
    return now >= this.#deadlineMs;
  }

  /** Milliseconds until whichever comes first: the next send or the deadline. */
  nextWakeInMs(now: number = this.clock()): number {
    return Math.max(0, Math.min(this.#nextSendMs, this.#deadlineMs) - now);
  }
}
