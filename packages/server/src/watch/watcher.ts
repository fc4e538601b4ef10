// One watcher: a key or range, the next revision it has not seen (minRev), its filters and the
// stream that carries its responses. Sending never blocks: a full stream says no.

import { Event_EventType, type Event } from '@tsetcd/api';

/** What the store hands a stream: events of one watcher, a progress mark, or a compaction cancel. */
export interface WatchResult {
  readonly watchId: bigint;
  readonly events: Event[];
  /** The store revision the response reflects (0 on a compaction cancel). */
  readonly revision: bigint;
  /** Non-zero: the watcher was cancelled because its next revision is compacted. */
  readonly compactRevision: bigint;
}

/** The bounded channel of a watch stream. */
export interface WatchSink {
  /** Queues a result; false when the buffer is full (the caller keeps it and retries later). */
  trySend(result: WatchResult): boolean;
}

export enum WatchFilter {
  NoPut = 0,
  NoDelete = 1,
}

export class Watcher {
  /** true while the store holds a response this watcher's stream could not take. */
  victim = false;
  /** Cancelled because minRev fell below the compaction revision. */
  compacted = false;
  canceled = false;

  constructor(
    readonly id: bigint,
    readonly key: Buffer,
    /** undefined: the single key; empty: every key >= key; else [key, end). */
    readonly end: Buffer | undefined,
    /** The first revision this watcher has not been sent yet. */
    public minRev: bigint,
    readonly sink: WatchSink,
    readonly filters: readonly WatchFilter[] = [],
  ) {}

  get isRange(): boolean {
    return this.end !== undefined;
  }

  contains(key: Buffer): boolean {
    if (this.end === undefined) return key.equals(this.key);
    if (Buffer.compare(key, this.key) < 0) return false;
    return this.end.length === 0 || Buffer.compare(key, this.end) < 0;
  }

  /** Filters, then queues; an all-filtered event batch counts as sent. */
  send(result: WatchResult): boolean {
    let events = result.events;
    const progress = events.length === 0;
    if (this.filters.length > 0) {
      events = events.filter((ev) => !this.filters.some((f) => (f === WatchFilter.NoPut ? ev.type === Event_EventType.PUT : ev.type === Event_EventType.DELETE)));
      if (!progress && events.length === 0) return true;
    }
    return this.sink.trySend(events === result.events ? result : { ...result, events });
  }
}

/** The main revision an event belongs to (PUT and DELETE both carry it as mod_revision). */
export function eventRev(ev: Event): bigint {
  return ev.kv?.modRevision ?? 0n;
}
