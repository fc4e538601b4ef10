// Events for one watcher, capped at WATCH_BATCH_MAX_REVS revisions (etcd's eventBatch): the
// first revision left out is remembered as moreRev so the watcher resumes there.

import type { Event } from '@tsetcd/api';
import { WATCH_BATCH_MAX_REVS } from './limits';
import { eventRev, type Watcher } from './watcher';
import type { WatcherGroup } from './watcher-group';

export class EventBatch {
  readonly events: Event[] = [];
  revs = 0;
  /** Non-zero: the first revision that did not fit. */
  moreRev = 0n;

  constructor(private readonly maxRevs: number = WATCH_BATCH_MAX_REVS) {}

  add(ev: Event): void {
    if (this.moreRev !== 0n) return;
    const last = this.events[this.events.length - 1];
    if (last === undefined) {
      this.revs = 1;
      this.events.push(ev);
      return;
    }
    const rev = eventRev(ev);
    if (rev > eventRev(last)) {
      if (this.revs + 1 > this.maxRevs) {
        this.moreRev = rev;
        return;
      }
      this.revs++;
    }
    this.events.push(ev);
  }
}

/** Per watcher of `group`, the events (in order) it should get: its keys, at or after its minRev. */
export function newWatcherBatch(group: WatcherGroup, events: readonly Event[], maxRevs: number = WATCH_BATCH_MAX_REVS): Map<Watcher, EventBatch> {
  const batches = new Map<Watcher, EventBatch>();
  if (group.size === 0) return batches;
  for (const ev of events) {
    const key = ev.kv?.key;
    if (key === undefined) continue;
    const rev = eventRev(ev);
    for (const w of group.watchersFor(key)) {
      if (rev < w.minRev) continue;
      let eb = batches.get(w);
      if (eb === undefined) {
        eb = new EventBatch(maxRevs);
        batches.set(w, eb);
      }
      eb.add(ev);
    }
  }
  return batches;
}
