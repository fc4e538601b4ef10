// The mvcc data model: etcd's mvccpb.KeyValue / mvccpb.Event as generated in @tsetcd/api
// (camelCase, bigint int64, Buffer bytes), plus what the store asks of the lessor.

import type { Event, KeyValue } from '@tsetcd/api';

export type { Event, KeyValue };
export { Event_EventType as EventType } from '@tsetcd/api';

/** What the store asks of the lessor: does a lease exist, and keep its key set current. */
export interface LeaseChecker {
  has(id: bigint): boolean;
  attach?(id: bigint, key: Buffer): void;
  detach?(id: bigint, key: Buffer): void;
}

export const NO_LEASE = 0n;

export const EMPTY_BYTES: Buffer = Buffer.alloc(0);

export function emptyKeyValue(key: Buffer = EMPTY_BYTES): KeyValue {
  return { key, createRevision: 0n, modRevision: 0n, version: 0n, value: EMPTY_BYTES, lease: 0n };
}

export function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
