// Watches: every watcher of a client shares one Watch bidi stream on the current connection. Each
// watcher remembers the next revision it expects; when the stream breaks (disconnect, member
// failure) all watchers are re-created on a new stream, from that revision, and events below it
// are dropped, so a consumer sees no gap and no duplicate.
import type { ClientDuplexStream } from '@grpc/grpc-js';
import {
  Event_EventType,
  GrpcStatus,
  WatchCreateRequest_FilterType,
  WatchDefinition,
  WatchRequest,
  type WatchResponse,
} from '@tsetcd/api';
import { AsyncQueue } from './async-queue';
import type { Bytes } from './bytes';
import type { Caller } from './caller';
import { ClientClosedError, WatchCanceledError, WatchCompactedError, toEtcdError } from './errors';
import { decodeKv, encodeKeyRange } from './kv-codec';
import { ReconnectingStream, type StreamBreak } from './reconnecting-stream';
import { headerFromWire, type KeyValue, type ResponseHeader } from './key-value';
import type { KeyMapper } from './key-mapper';

export interface WatchOptions {
  /** Watch every key with this prefix. */
  prefix?: boolean;
  /** Watch [key, end); "\0" means every key >= key. */
  end?: Bytes;
  /** First revision to deliver (default: changes after the watch is created). */
  startRevision?: bigint;
  prevKv?: boolean;
  /** Event kinds to leave out. */
  filters?: Array<'put' | 'delete'>;
  /** Ask the server for periodic progress notifications (delivered as kind 'progress'). */
  progressNotify?: boolean;
  signal?: AbortSignal;
}

/**
 * One event, or a progress notice. `header` is the header of the response that carried it: the
 * events of one response share the same object (etcdctl prints per response).
 */
export type WatchEvent =
  | { kind: 'put' | 'delete'; revision: bigint; kv: KeyValue; prevKv: KeyValue | undefined; header?: ResponseHeader }
  | { kind: 'progress'; revision: bigint; header?: ResponseHeader };

/** Wait between attempts to re-open a broken watch stream. */
export const WATCH_RECONNECT_BACKOFF_MS = 100;
export const WATCH_RECONNECT_BACKOFF_MAX_MS = 2_000;
/** etcd's id for progress responses addressed to the whole stream. */
const STREAM_WIDE_WATCH_ID = -1n;

type WatchStream = ClientDuplexStream<WatchRequest, WatchResponse>;

/** One watcher: an async iterable of events, plus `created` and `close()`. */
export class Watcher implements AsyncIterable<WatchEvent> {
  readonly queue: AsyncQueue<WatchEvent>;
  /** Resolves with the header revision when the server first confirms the watch. */
  readonly created: Promise<bigint>;
  resolveCreated!: (revision: bigint) => void;
  rejectCreated!: (err: unknown) => void;
  /** Next revision this watcher expects; undefined until created or given a start revision. */
  nextRevision: bigint | undefined;
  /** Server id on the current stream. */
  watchId: bigint | undefined;
  closed = false;

  constructor(
    readonly key: Buffer,
    readonly rangeEnd: Buffer,
    readonly options: WatchOptions,
    readonly mapper: KeyMapper,
    onClose: (w: Watcher) => void,
  ) {
    this.nextRevision = options.startRevision !== undefined && options.startRevision > 0n ? options.startRevision : undefined;
    this.queue = new AsyncQueue<WatchEvent>(() => onClose(this));
    this.created = new Promise<bigint>((resolve, reject) => {
      this.resolveCreated = resolve;
      this.rejectCreated = reject;
    });
    this.created.catch(() => undefined);
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    return this.queue;
  }

  /** Stop watching (same as breaking out of the for-await loop). */
  close(): void {
    void this.queue.return();
  }

  fail(err: unknown): void {
    this.rejectCreated(err);
    this.queue.finish(err);
  }

  createRequest(): WatchRequest {
    return WatchRequest.fromPartial({
      createRequest: {
        key: this.key,
        rangeEnd: this.rangeEnd,
        startRevision: this.nextRevision ?? 0n,
        progressNotify: this.options.progressNotify ?? false,
        prevKv: this.options.prevKv ?? false,
        filters: (this.options.filters ?? []).map((f) => (f === 'put' ? WatchCreateRequest_FilterType.NOPUT : WatchCreateRequest_FilterType.NODELETE)),
      },
    });
  }
}

export class WatchHub {
  #watchers = new Set<Watcher>();
  #byId = new Map<bigint, Watcher>();
  #pending: Watcher[] = [];
  readonly #stream: ReconnectingStream<WatchRequest, WatchResponse>;

  constructor(caller: Caller) {
    this.#stream = new ReconnectingStream(
      caller,
      WatchDefinition,
      WatchDefinition.methods.watch,
      { initialMs: WATCH_RECONNECT_BACKOFF_MS, maxMs: WATCH_RECONNECT_BACKOFF_MAX_MS },
      {
        needed: () => this.#watchers.size > 0,
        opened: (stream) => {
          for (const watcher of this.#watchers) this.#sendCreate(stream, watcher);
        },
        response: (stream, response) => this.#onResponse(stream, response),
        broken: (why) => this.#onBroken(why),
        openFailed: (err) => this.#onOpenFailed(err),
      },
    );
  }

  watch(key: Bytes, options: WatchOptions, mapper: KeyMapper): Watcher {
    const range = encodeKeyRange({ key, prefix: options.prefix, end: options.end }, mapper);
    const watcher = new Watcher(range.key, range.rangeEnd, options, mapper, (w) => this.#remove(w));
    if (this.#stream.closed) {
      watcher.fail(new ClientClosedError());
      return watcher;
    }
    const signal = options.signal;
    if (signal) {
      if (signal.aborted) {
        watcher.close();
        return watcher;
      }
      signal.addEventListener('abort', () => watcher.close(), { once: true });
    }
    this.#watchers.add(watcher);
    const stream = this.#stream.current;
    if (stream) this.#sendCreate(stream, watcher);
    else this.#stream.open();
    return watcher;
  }

  get watcherCount(): number {
    return this.#watchers.size;
  }

  #sendCreate(stream: WatchStream, watcher: Watcher): void {
    this.#pending.push(watcher);
    stream.write(watcher.createRequest());
  }

  #remove(watcher: Watcher): void {
    watcher.closed = true;
    watcher.rejectCreated(new WatchCanceledError('watcher closed'));
    this.#watchers.delete(watcher);
    const stream = this.#stream.current;
    if (watcher.watchId !== undefined && stream && this.#byId.get(watcher.watchId) === watcher) {
      this.#byId.delete(watcher.watchId);
      stream.write(WatchRequest.fromPartial({ cancelRequest: { watchId: watcher.watchId } }));
    }
    if (this.#watchers.size === 0) this.#dropStream();
  }

  /** Forgets what belonged to the stream that is gone (ids and creates in flight). */
  #forgetStreamState(): void {
    this.#byId.clear();
    this.#pending = [];
    for (const watcher of this.#watchers) watcher.watchId = undefined;
  }

  /** Fails every watcher (an error retrying cannot fix). */
  #failAll(err: Error): void {
    for (const watcher of [...this.#watchers]) {
      this.#watchers.delete(watcher);
      watcher.fail(err);
    }
  }

  #dropStream(): void {
    this.#stream.drop();
    this.#forgetStreamState();
  }

  #onOpenFailed(err: unknown): boolean {
    if (err instanceof ClientClosedError) return false;
    const code = (err as { code?: unknown }).code;
    if (err instanceof Error && typeof code === 'number' && code !== GrpcStatus.UNAVAILABLE && code !== GrpcStatus.DEADLINE_EXCEEDED) {
      // authentication refused (wrong password, ...): retrying cannot help
      this.#failAll(err);
      return false;
    }
    return true;
  }

  #onBroken(why: StreamBreak): boolean {
    this.#forgetStreamState();
    if (why && why.code !== GrpcStatus.UNAVAILABLE && why.code !== GrpcStatus.CANCELLED && why.code !== GrpcStatus.UNAUTHENTICATED && why.code !== GrpcStatus.INTERNAL) {
      // a status the server chose to send (permission denied, ...): the watchers cannot continue
      this.#failAll(toEtcdError(why));
      return false;
    }
    return true;
  }

  #onResponse(stream: WatchStream, response: WatchResponse): void {
    const headerRevision = response.header?.revision ?? 0n;
    if (response.created) {
      const watcher = this.#pending.shift();
      if (watcher === undefined) return;
      if (watcher.closed) {
        if (!response.canceled) stream.write(WatchRequest.fromPartial({ cancelRequest: { watchId: response.watchId } }));
        return;
      }
      if (response.canceled) {
        this.#cancelled(watcher, response);
        return;
      }
      watcher.watchId = response.watchId;
      this.#byId.set(response.watchId, watcher);
      if (watcher.nextRevision === undefined) watcher.nextRevision = headerRevision + 1n;
      watcher.resolveCreated(headerRevision);
      if (response.events.length > 0) this.#deliver(watcher, response);
      return;
    }
    if (response.canceled) {
      const watcher = this.#byId.get(response.watchId);
      if (watcher === undefined) return;
      this.#byId.delete(response.watchId);
      this.#cancelled(watcher, response);
      return;
    }
    if (response.events.length > 0) {
      const watcher = this.#byId.get(response.watchId);
      if (watcher !== undefined) this.#deliver(watcher, response);
      return;
    }
    // no events: a progress notification, for one watcher or (id -1) for the whole stream
    const targets = response.watchId === STREAM_WIDE_WATCH_ID ? [...this.#byId.values()] : [this.#byId.get(response.watchId)];
    const header = headerFromWire(response.header);
    for (const watcher of targets) {
      if (watcher === undefined) continue;
      if (watcher.nextRevision === undefined || headerRevision + 1n > watcher.nextRevision) watcher.nextRevision = headerRevision + 1n;
      watcher.queue.push({ kind: 'progress', revision: headerRevision, header });
    }
  }

  #cancelled(watcher: Watcher, response: WatchResponse): void {
    this.#watchers.delete(watcher);
    watcher.closed = true;
    if (response.compactRevision > 0n) watcher.fail(new WatchCompactedError(response.compactRevision));
    else watcher.fail(new WatchCanceledError(response.cancelReason));
  }

  #deliver(watcher: Watcher, response: WatchResponse): void {
    const header = headerFromWire(response.header);
    for (const event of response.events) {
      const kv = event.kv;
      if (kv === undefined) continue;
      // after a resume the server may repeat revisions the consumer already has
      if (watcher.nextRevision !== undefined && kv.modRevision < watcher.nextRevision) continue;
      watcher.queue.push({
        kind: event.type === Event_EventType.DELETE ? 'delete' : 'put',
        revision: kv.modRevision,
        kv: decodeKv(kv, watcher.mapper),
        prevKv: event.prevKv ? decodeKv(event.prevKv, watcher.mapper) : undefined,
        header,
      });
    }
    const last = response.events[response.events.length - 1]?.kv;
    if (last !== undefined && (watcher.nextRevision === undefined || last.modRevision + 1n > watcher.nextRevision)) {
      watcher.nextRevision = last.modRevision + 1n;
    }
  }

  /** Ask the server for a progress notification on the current stream (answered to every watcher). */
  requestProgress(): void {
    this.#stream.current?.write(WatchRequest.fromPartial({ progressRequest: {} }));
  }

  close(): void {
    if (this.#stream.closed) return;
    this.#stream.close();
    this.#forgetStreamState();
    for (const watcher of [...this.#watchers]) watcher.fail(new ClientClosedError());
    this.#watchers.clear();
  }
}
