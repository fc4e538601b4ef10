// mvccpb Events from the store's writes: PUT carries the new kv; DELETE carries only the key and
// the deletion revision as mod_revision (what etcd sends to watchers).

import { decodeKeyValue } from './kv-codec';
import { bytesToRev, isTombstoneKey } from './revision';
import { EventType, type Event, type KeyValue } from './types';

/** One change of a write txn, in the order it happened. */
export interface Change {
  kv: KeyValue;
  deleted: boolean;
}

export function changesToEvents(changes: readonly Change[]): Event[] {
  return changes.map(({ kv, deleted }) => ({ type: deleted ? EventType.DELETE : EventType.PUT, kv, prevKv: undefined }));
}

/** The event a key-bucket record (revision key + stored kv) stands for. */
export function recordToEvent(revKey: Uint8Array, value: Uint8Array): Event {
  const kv = decodeKeyValue(value);
  if (isTombstoneKey(revKey)) {
    kv.modRevision = bytesToRev(revKey).main;
    return { type: EventType.DELETE, kv, prevKv: undefined };
  }
  return { type: EventType.PUT, kv, prevKv: undefined };
}
