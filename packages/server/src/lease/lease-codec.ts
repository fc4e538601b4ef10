// The lease bucket's records, etcd's layout: key = lease id as 8-byte big-endian, value =
// leasepb.Lease { int64 ID = 1; int64 TTL = 2; int64 RemainingTTL = 3 }.

import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';

export interface LeaseRecord {
  readonly id: bigint;
  readonly ttlSeconds: bigint;
  /** Seconds left at the last checkpoint; 0 = none (the full TTL applies). */
  readonly remainingTtlSeconds: bigint;
}

export function leaseKey(id: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, id, false);
  return b;
}

export function encodeLeaseRecord(r: LeaseRecord): Uint8Array {
  const w = new BinaryWriter();
  if (r.id !== 0n) w.uint32(8).int64(r.id);
  if (r.ttlSeconds !== 0n) w.uint32(16).int64(r.ttlSeconds);
  if (r.remainingTtlSeconds !== 0n) w.uint32(24).int64(r.remainingTtlSeconds);
  return w.finish();
}

export function decodeLeaseRecord(bytes: Uint8Array): LeaseRecord {
  const r = new BinaryReader(bytes);
  let id = 0n;
  let ttlSeconds = 0n;
  let remainingTtlSeconds = 0n;
  while (r.pos < r.len) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        id = BigInt(r.int64().toString());
        break;
      case 2:
        ttlSeconds = BigInt(r.int64().toString());
        break;
      case 3:
        remainingTtlSeconds = BigInt(r.int64().toString());
        break;
      default:
        r.skip(tag & 7);
    }
  }
  return { id, ttlSeconds, remainingTtlSeconds };
}
