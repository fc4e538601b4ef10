// The ring of the last N v2 events (all keys), scanned by watchers that start at a past index.

import { V2_WATCH_HISTORY_EVENTS } from '../config/limits';
import { eventIndex, type V2Event } from './v2-event';
import { V2Error, V2_ERROR_CODES } from './v2-error';

export class EventHistory {
  private readonly ring: (V2Event | undefined)[];
  private front = 0;
  private size = 0;
  startIndex = 0;
  lastIndex = 0;

  constructor(readonly capacity: number = V2_WATCH_HISTORY_EVENTS) {
    this.ring = new Array<V2Event | undefined>(capacity);
  }

  add(e: V2Event): V2Event {
    const back = (this.front + this.size) % this.capacity;
    this.ring[back] = e;
    if (this.size < this.capacity) this.size++;
    else this.front = (this.front + 1) % this.capacity;
    this.lastIndex = eventIndex(e);
    this.startIndex = eventIndex(this.ring[this.front] as V2Event);
    return e;
  }

  /**
   * The first event at or after `index` that concerns `key`; undefined when none yet. Throws 401
   * when `index` is older than the oldest retained event.
   */
  scan(key: string, recursive: boolean, index: number): V2Event | undefined {
    if (index < this.startIndex) {
      throw new V2Error(
        V2_ERROR_CODES.EventIndexCleared,
        `the requested history has been cleared [${this.startIndex}/${index}]`,
        0,
      );
    }
    if (index > this.lastIndex || this.size === 0) return undefined;
    const prefix = key.endsWith('/') ? key : key + '/';
    for (let off = index - this.startIndex; off < this.size; off++) {
      const e = this.ring[(this.front + off) % this.capacity] as V2Event;
      if (e.refresh === true) continue;
      const k = e.node.key ?? '';
      let ok = k === key || (recursive && k.startsWith(prefix));
      if ((e.action === 'delete' || e.action === 'expire') && e.prevNode?.dir === true) {
        ok = ok || key.startsWith(e.prevNode.key ?? '');
      }
      if (ok) return e;
    }
    return undefined;
  }

  /** Events in order, oldest first (for save). */
  events(): V2Event[] {
    const out: V2Event[] = [];
    for (let off = 0; off < this.size; off++) out.push(this.ring[(this.front + off) % this.capacity] as V2Event);
    return out;
  }
}
