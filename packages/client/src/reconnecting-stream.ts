// One bidi stream shared by a hub's users (watchers, kept-alive leases) that comes back after it
// breaks: opened on demand, re-opened with exponential backoff on another endpoint while anybody
// still needs it, dropped when nobody does. The hub decides what a response, a break or a failed
// open means for its users.
import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { MethodDefinition } from '@tsetcd/api';
import { GrpcStatus } from '@tsetcd/api';
import type { Caller } from './caller';

/** The status a broken stream ended with (undefined: the server ended it cleanly). */
export type StreamBreak = { code: number; details?: string } | undefined;

export interface ReconnectingStreamHooks<Req, Res> {
  /** Whether any user still needs the stream; it is not (re)opened otherwise. */
  needed(): boolean;
  /** A new stream is up (listeners attached): re-send the users' state on it. */
  opened(stream: ClientDuplexStream<Req, Res>): void;
  response(stream: ClientDuplexStream<Req, Res>, response: Res): void;
  /** The current stream broke: forget per-stream state; false stops reconnecting (users failed). */
  broken(why: StreamBreak): boolean;
  /** Opening failed: false stops reconnecting (the hub failed its users); default: retry. */
  openFailed?(err: unknown): boolean;
}

export interface ReconnectBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

export class ReconnectingStream<Req, Res> {
  #stream: ClientDuplexStream<Req, Res> | undefined;
  #opening = false;
  #backoffMs: number;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly caller: Caller,
    private readonly service: { fullName: string },
    private readonly method: MethodDefinition<Req, Res>,
    private readonly backoff: ReconnectBackoff,
    private readonly hooks: ReconnectingStreamHooks<Req, Res>,
  ) {
    this.#backoffMs = backoff.initialMs;
  }

  /** The stream if it is up. */
  get current(): ClientDuplexStream<Req, Res> | undefined {
    return this.#stream;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Opens the stream unless it is up, opening, closed or not needed. */
  open(): void {
    if (this.#opening || this.#stream || this.#closed || !this.hooks.needed()) return;
    this.#opening = true;
    void this.#connect().finally(() => {
      this.#opening = false;
    });
  }

  /** Cancels the current stream (nobody needs it now; a later open() starts a new one). */
  drop(): void {
    const stream = this.#stream;
    this.#stream = undefined;
    if (stream) {
      stream.removeAllListeners();
      stream.on('error', () => undefined);
      stream.cancel();
    }
  }

  /** For good: no reconnects, the stream is cancelled. */
  close(): void {
    this.#closed = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.drop();
  }

  async #connect(): Promise<void> {
    let opened;
    try {
      opened = await this.caller.openBidiStream(this.service, this.method, () => !this.#closed && this.hooks.needed());
    } catch (err) {
      if (this.#closed) return;
      if (this.hooks.openFailed?.(err) ?? true) this.#scheduleReconnect();
      return;
    }
    if (opened === undefined) return;
    const { stream, endpoint } = opened;
    this.#stream = stream;
    stream.on('data', (response: Res) => {
      this.#backoffMs = this.backoff.initialMs;
      this.hooks.response(stream, response);
    });
    stream.on('error', (err: { code: number; details?: string }) => this.#onBroken(stream, endpoint, err));
    stream.on('end', () => this.#onBroken(stream, endpoint, undefined));
    this.hooks.opened(stream);
  }

  #onBroken(stream: ClientDuplexStream<Req, Res>, endpoint: string, why: StreamBreak): void {
    if (this.#stream !== stream) return;
    this.#stream = undefined;
    if (this.#closed) return;
    if (why?.code === GrpcStatus.UNAUTHENTICATED) this.caller.invalidateToken();
    if (why === undefined || why.code === GrpcStatus.UNAVAILABLE) this.caller.transport.rotateFrom(endpoint);
    if (this.hooks.broken(why)) this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#reconnectTimer || this.#closed || !this.hooks.needed()) return;
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.backoff.maxMs);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.open();
    }, delay);
  }
}
