// Linearizable reads (etcd's linearizableReadLoop): reads that arrive while a ReadIndex round is
// in flight wait for the next round, and one round serves every read that arrived before it
// started. A round = raft ReadIndex with a unique 8-byte context -> the ReadState for that
// context -> wait until applied >= its index.

import type { ReadState } from '../raft/types';
import { WaitTime } from '../pkg/wait';
import { assert } from './assert';

export const READ_INDEX_RETRY_INTERVAL_MS = 500;

export interface ReadIndexDeps {
  /** Issues raft ReadIndex with this context (and wakes the driver). */
  requestReadIndex(ctx: Uint8Array): void;
  /** Resolves once the member can serve ReadIndex (leader known and its term's entry committed). */
  waitReadable(signal: AbortSignal): Promise<void>;
  appliedWait: WaitTime;
  nextId(): bigint;
  /** Error to fail a round with when it did not complete within `timeoutMs`. */
  timeoutError(): Error;
  timeoutMs: number;
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

interface Round {
  readonly ctx: string;
  readonly waiters: Waiter[];
  resolveIndex(index: number): void;
}

function ctxKey(ctx: Uint8Array): string {
  return Buffer.from(ctx).toString('hex');
}

export class ReadIndexBatcher {
  private pending: Waiter[] = [];
  private inflight: Round | undefined;
  private scheduled = false;
  private closedError: Error | undefined;
  private roundController: AbortController | undefined;
  /** Fails the round in flight (timeout or close). */
  private failRound: ((err: Error) => void) | undefined;
  private roundsStarted = 0;

  constructor(private readonly deps: ReadIndexDeps) {}

  /** How many ReadIndex rounds were issued (batching check). */
  get rounds(): number {
    return this.roundsStarted;
  }

  /** Resolves when a read served from the local store is linearizable. */
  waitLinearizable(): Promise<void> {
    if (this.closedError !== undefined) return Promise.reject(this.closedError);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.schedule();
    });
  }

  /** Starts a round at the end of this event-loop turn, so reads that arrive together share it. */
  private schedule(): void {
    if (this.inflight !== undefined || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.inflight === undefined) void this.startRound();
    });
  }

  /** Feeds the ReadStates of a Ready. */
  onReadStates(readStates: readonly ReadState[]): void {
    const round = this.inflight;
    if (round === undefined) return;
    for (const rs of readStates) {
      if (ctxKey(rs.requestCtx) === round.ctx) round.resolveIndex(rs.index);
    }
  }

  close(err: Error): void {
    this.closedError = err;
    this.failRound?.(err);
    this.roundController?.abort();
    const waiters = this.pending;
    this.pending = [];
    for (const w of waiters) w.reject(err);
  }

  private async startRound(): Promise<void> {
    assert(this.inflight === undefined, 'one ReadIndex round at a time');
    const waiters = this.pending;
    this.pending = [];
    if (waiters.length === 0) return;
    const id = this.deps.nextId();
    const ctxBytes = new Uint8Array(8);
    new DataView(ctxBytes.buffer).setBigUint64(0, id);
    let resolveIndex!: (index: number) => void;
    const indexPromise = new Promise<number>((r) => {
      resolveIndex = r;
    });
    const round: Round = { ctx: ctxKey(ctxBytes), waiters, resolveIndex };
    this.inflight = round;
    this.roundsStarted++;
    let index: number;
    try {
      index = await this.obtainIndex(ctxBytes, indexPromise);
    } catch (err) {
      this.inflight = undefined;
      for (const w of waiters) w.reject(err as Error);
      this.kickNext();
      return;
    }
    this.inflight = undefined;
    // The next round may start now; this one only waits for the apply loop.
    this.kickNext();
    this.deps.appliedWait.wait(index).then(
      () => {
        for (const w of waiters) w.resolve();
      },
      (err: Error) => {
        for (const w of waiters) w.reject(err);
      },
    );
  }

  private kickNext(): void {
    if (this.pending.length > 0 && this.closedError === undefined) this.schedule();
  }

  /**
   * The signal handed to waitReadable: shared by consecutive rounds until one times out or the
   * batcher closes (a round that completes leaves no listener on it), so a round costs no
   * AbortController, AbortSignal.any or AbortSignal.timeout.
   */
  private readableSignal(): AbortSignal {
    if (this.roundController === undefined || this.roundController.signal.aborted) this.roundController = new AbortController();
    return this.roundController.signal;
  }

  private async obtainIndex(ctx: Uint8Array, indexPromise: Promise<number>): Promise<number> {
    if (this.closedError !== undefined) throw this.closedError;
    const signal = this.readableSignal();
    let fail!: (err: Error) => void;
    const aborted = new Promise<never>((_, reject) => {
      fail = reject;
    });
    aborted.catch(() => undefined);
    this.failRound = fail;
    const deadline = setTimeout(() => {
      fail(this.deps.timeoutError());
      this.roundController?.abort(); // stops a waitReadable still waiting for this round
    }, this.deps.timeoutMs);
    let retry: NodeJS.Timeout | undefined;
    try {
      await Promise.race([this.deps.waitReadable(signal), aborted]);
      this.deps.requestReadIndex(ctx);
      // A leader that has not committed in its term, or a lost message, drops the request: ask again.
      retry = setInterval(() => this.deps.requestReadIndex(ctx), READ_INDEX_RETRY_INTERVAL_MS);
      return await Promise.race([indexPromise, aborted]);
    } finally {
      clearTimeout(deadline);
      if (retry !== undefined) clearInterval(retry);
      this.failRound = undefined;
    }
  }
}
