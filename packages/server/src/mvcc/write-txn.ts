// One write transaction of the store: puts and deletes at main revision beginRev+1 with an
// increasing sub, reads that see the txn's own writes, and the events it produced.

import type { BatchTx } from '../backend/backend';
import { encodeKeyValue } from './kv-codec';
import { changesToEvents, type Change } from './kv-events';
import type { KvReader, KvStore, RangeOptions, RangeResult } from './kv-store';
import { revToBytes, type Revision } from './revision';
import { EMPTY_BYTES, NO_LEASE, type Event, type KeyValue, type LeaseChecker } from './types';

export class WriteTxn implements KvReader {
  private readonly changes: Change[] = [];

  constructor(
    private readonly store: KvStore,
    private readonly tx: BatchTx,
    /** The store revision when the txn began. */
    readonly beginRev: bigint,
    private readonly leases: LeaseChecker,
  ) {}

  /** The revision reads in this txn see: beginRev, or beginRev+1 once it has written. */
  rev(): bigint {
    return this.changes.length > 0 ? this.beginRev + 1n : this.beginRev;
  }

  firstRev(): bigint {
    return this.store.firstRev();
  }

  /** Number of writes so far. */
  changeCount(): number {
    return this.changes.length;
  }

  range(key: Buffer, end: Buffer | undefined, ro: RangeOptions = {}): RangeResult {
    return this.store.rangeKeys(key, end, this.rev(), ro);
  }

  /** Puts key=value at beginRev+1; returns that revision. */
  put(key: Buffer, value: Buffer, lease: bigint = NO_LEASE): bigint {
    const rev = this.beginRev + 1n;
    const prev = this.store.index.get(key, rev);
    let created = rev;
    let oldLease = NO_LEASE;
    if (prev !== undefined) {
      created = prev.created.main;
      if (this.leases.detach) oldLease = this.store.readKeyValue(prev.modified).lease;
    }
    const idxRev: Revision = { main: rev, sub: this.changes.length };
    const kv: KeyValue = {
      key: Buffer.from(key),
      value: Buffer.from(value),
      createRevision: created,
      modRevision: rev,
      version: (prev?.ver ?? 0n) + 1n,
      lease,
    };
    this.tx.put('key', revToBytes(idxRev), encodeKeyValue(kv));
    this.store.index.put(kv.key, idxRev);
    this.changes.push({ kv, deleted: false });
    if (oldLease !== NO_LEASE) this.leases.detach?.(oldLease, kv.key);
    if (lease !== NO_LEASE) this.leases.attach?.(lease, kv.key);
    return rev;
  }

  /** Deletes every live key in the range; returns how many. */
  deleteRange(key: Buffer, end: Buffer | undefined): number {
    const { keys, revs } = this.store.index.range(key, end, this.rev());
    for (let i = 0; i < keys.length; i++) this.delete(keys[i]!, revs[i]!);
    return keys.length;
  }

  private delete(key: Buffer, current: Revision): void {
    const oldLease = this.leases.detach ? this.store.readKeyValue(current).lease : NO_LEASE;
    const idxRev: Revision = { main: this.beginRev + 1n, sub: this.changes.length };
    const tombstone: KeyValue = {
      key,
      value: EMPTY_BYTES,
      createRevision: 0n,
      modRevision: 0n,
      version: 0n,
      lease: NO_LEASE,
    };
    this.tx.put('key', revToBytes(idxRev, true), encodeKeyValue(tombstone));
    this.store.index.tombstone(key, idxRev);
    this.changes.push({ kv: { ...tombstone, modRevision: idxRev.main }, deleted: true });
    if (oldLease !== NO_LEASE) this.leases.detach?.(oldLease, key);
  }

  /** @internal The txn's events (PUT with the new kv, DELETE with key + mod revision). */
  end(): Event[] {
    return changesToEvents(this.changes);
  }
}
