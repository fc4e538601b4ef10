// An in-memory WatchableKv for unit tests: a list of events by revision and a compaction mark.

import { Event_EventType, type Event } from '@tsetcd/api';
import type { WatchableKv } from './watchable-store';

export class TestKv implements WatchableKv {
  private readonly log: Event[] = [];
  private current = 1n;
  private compacted = 0n;
  reads = 0;

  rev(): bigint {
    return this.current;
  }

  compactRevision(): bigint {
    return this.compacted;
  }

  compact(rev: bigint): void {
    this.compacted = rev;
  }

  eventsBetween(fromRev: bigint, toRev: bigint, limit = 0): Event[] {
    this.reads++;
    if (fromRev < this.compacted) throw new Error('compacted');
    const out: Event[] = [];
    for (const ev of this.log) {
      const rev = ev.kv?.modRevision ?? 0n;
      if (rev < fromRev || rev > toRev) continue;
      out.push(ev);
      if (limit > 0 && out.length >= limit) break;
    }
    return out;
  }

  /** One write txn: puts (or deletes with `del:` prefix) in a new revision; returns its events. */
  write(...keys: string[]): { events: Event[]; rev: bigint } {
    this.current++;
    const rev = this.current;
    const events = keys.map((k) => {
      const del = k.startsWith('del:');
      const key = Buffer.from(del ? k.slice(4) : k);
      return {
        type: del ? Event_EventType.DELETE : Event_EventType.PUT,
        kv: { key, createRevision: rev, modRevision: rev, version: 1n, value: Buffer.from(`v${rev}`), lease: 0n },
        prevKv: undefined,
      };
    });
    this.log.push(...events);
    return { events, rev };
  }
}
