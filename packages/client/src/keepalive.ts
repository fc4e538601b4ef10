// Keepalives: every kept-alive lease of a client shares one LeaseKeepAlive bidi stream. Each
// handle owns a KeepAliveSchedule; it emits `lost` and aborts its signal once the lease can no
// longer be assumed alive (the server says TTL <= 0, or the deadline passes without a response).
import { LeaseDefinition, LeaseKeepAliveRequest, type LeaseKeepAliveResponse } from '@tsetcd/api';
import type { Caller } from './caller';
import { LeaseLostError } from './errors';
import { KeepAliveSchedule, monotonicNow, type MonotonicClock } from './keepalive-schedule';
import { ReconnectingStream } from './reconnecting-stream';
import { TypedEmitter } from './typed-emitter';
import { headerFromWire, type ResponseHeader } from './key-value';

export interface KeepAliveEvents {
  /** The lease can no longer be assumed alive; emitted once. */
  lost(error: LeaseLostError): void;
  /** A successful keepalive response with the lease's refreshed TTL (and the response's header). */
  keepalive(ttlSeconds: bigint, header: ResponseHeader): void;
}

export interface KeepAliveOptions {
  /** The lease's TTL when granted, to bound the deadline before the first response. */
  ttlSeconds?: number | bigint;
  /** When it was granted, on the monotonic clock (default: now). */
  grantedAtMs?: number;
  clock?: MonotonicClock;
}

export const KEEPALIVE_RECONNECT_BACKOFF_MS = 100;
export const KEEPALIVE_RECONNECT_BACKOFF_MAX_MS = 1_000;

export class KeepAlive extends TypedEmitter<KeepAliveEvents> {
  readonly #controller = new AbortController();
  readonly schedule: KeepAliveSchedule;
  /** Send times of requests whose responses have not come yet (oldest first). */
  readonly inflightSentMs: number[] = [];
  timer: NodeJS.Timeout | undefined;
  #lost: LeaseLostError | undefined;

  constructor(
    readonly leaseId: bigint,
    readonly clock: MonotonicClock,
    ttlSeconds: number | undefined,
    grantedAtMs: number | undefined,
    private readonly onStop: (handle: KeepAlive) => void,
  ) {
    super();
    this.schedule = new KeepAliveSchedule(clock, ttlSeconds, grantedAtMs ?? clock());
  }

  /** Aborts (with a LeaseLostError as reason) when the lease can no longer be assumed alive. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Monotonic deadline (performance.now() scale) until which the lease is assumed alive. */
  get deadlineMs(): number {
    return this.schedule.deadlineMs;
  }

  get ttlSeconds(): number {
    return this.schedule.ttlSeconds;
  }

  get lostError(): LeaseLostError | undefined {
    return this.#lost;
  }

  /** Stop sending keepalives (the lease itself is not revoked); the signal aborts. */
  close(): void {
    this.markLost(new LeaseLostError(this.leaseId, 'closed'), false);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  markLost(error: LeaseLostError, emit = true): void {
    if (this.#lost) return;
    this.#lost = error;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.onStop(this);
    if (emit) this.emit('lost', error);
    this.#controller.abort(error);
  }

  notifyKeepalive(ttlSeconds: bigint, header: ResponseHeader): void {
    this.emit('keepalive', ttlSeconds, header);
  }
}

export class KeepAliveHub {
  #handles = new Map<bigint, Set<KeepAlive>>();
  readonly #stream: ReconnectingStream<LeaseKeepAliveRequest, LeaseKeepAliveResponse>;

  constructor(caller: Caller) {
    this.#stream = new ReconnectingStream(
      caller,
      LeaseDefinition,
      LeaseDefinition.methods.leaseKeepAlive,
      { initialMs: KEEPALIVE_RECONNECT_BACKOFF_MS, maxMs: KEEPALIVE_RECONNECT_BACKOFF_MAX_MS },
      {
        needed: () => this.#handles.size > 0,
        opened: () => {
          // send for every lease now: the stream was down, their schedules may be overdue
          for (const set of this.#handles.values()) {
            for (const handle of set) {
              handle.inflightSentMs.length = 0;
              this.#wake(handle, true);
            }
          }
        },
        response: (_stream, response) => this.#onResponse(response),
        broken: () => true,
      },
    );
  }

  keepAlive(leaseId: bigint, options: KeepAliveOptions = {}): KeepAlive {
    const clock = options.clock ?? monotonicNow;
    const ttl = options.ttlSeconds === undefined ? undefined : Number(options.ttlSeconds);
    const handle = new KeepAlive(leaseId, clock, ttl, options.grantedAtMs, (h) => this.#remove(h));
    if (this.#stream.closed) {
      handle.markLost(new LeaseLostError(leaseId, 'closed'), false);
      return handle;
    }
    let set = this.#handles.get(leaseId);
    if (set === undefined) {
      set = new Set();
      this.#handles.set(leaseId, set);
    }
    set.add(handle);
    this.#arm(handle);
    this.#stream.open();
    return handle;
  }

  #remove(handle: KeepAlive): void {
    const set = this.#handles.get(handle.leaseId);
    set?.delete(handle);
    if (set && set.size === 0) this.#handles.delete(handle.leaseId);
    if (this.#handles.size === 0) this.#stream.drop();
  }

  /** (Re)arms the handle's timer for its next send or its deadline. */
  #arm(handle: KeepAlive): void {
    if (handle.lostError) return;
    if (handle.timer) clearTimeout(handle.timer);
    handle.timer = setTimeout(() => this.#wake(handle), handle.schedule.nextWakeInMs());
    handle.timer.unref?.();
  }

  #wake(handle: KeepAlive, sendNow = false): void {
    handle.timer = undefined;
    if (handle.lostError) return;
    const now = handle.clock();
    if (handle.schedule.expired(now)) {
      handle.markLost(new LeaseLostError(handle.leaseId, 'deadline'));
      return;
    }
    if (sendNow || now >= handle.schedule.nextSendMs) {
      // without a stream the send is retried later (a reconnect sends at once)
      const stream = this.#stream.current;
      if (stream) {
        stream.write(LeaseKeepAliveRequest.fromPartial({ ID: handle.leaseId }));
        handle.inflightSentMs.push(now);
      }
      handle.schedule.onSent(now);
    }
    this.#arm(handle);
  }

  #onResponse(response: LeaseKeepAliveResponse): void {
    const set = this.#handles.get(response.ID);
    if (set === undefined) return;
    for (const handle of [...set]) {
      const sentAtMs = handle.inflightSentMs.shift() ?? handle.clock();
      if (!handle.schedule.onResponse(Number(response.TTL), sentAtMs)) {
        handle.markLost(new LeaseLostError(handle.leaseId, 'expired'));
        continue;
      }
      handle.notifyKeepalive(response.TTL, headerFromWire(response.header));
      this.#arm(handle);
    }
  }

  close(): void {
    if (this.#stream.closed) return;
    this.#stream.close();
    for (const set of [...this.#handles.values()]) {
      for (const handle of [...set]) handle.markLost(new LeaseLostError(handle.leaseId, 'closed'), false);
    }
    this.#handles.clear();
  }
}
