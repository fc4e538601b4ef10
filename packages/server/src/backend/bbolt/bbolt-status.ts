// etcd's snapshot status over a bbolt image: a CRC-32C over every bucket name and every key and
// value in bbolt's order, the main revision of the last `key` entry, the number of entries in all
// buckets and the size in use (high-water page count times the page size).

import { crc32c } from '../../pkg/crc32c';
import { readBbolt } from './bbolt-reader';

export interface SnapshotStatus {
  hash: number;
  revision: bigint;
  totalKey: number;
  totalSize: number;
}

/** etcd's mvcc revision key starts with the 8-byte big-endian main revision. */
const REVISION_MAIN_BYTES = 8;

export function bboltStatus(image: Buffer): SnapshotStatus {
  const file = readBbolt(image);
  let hash = 0;
  let revision = 0n;
  let totalKey = 0;
  for (const bucket of file.buckets) {
    hash = crc32c(hash, bucket.name);
    const isKeyBucket = Buffer.from(bucket.name).toString('latin1') === 'key';
    for (const [k, v] of bucket.entries) {
      hash = crc32c(crc32c(hash, k), v);
      if (isKeyBucket && k.length >= REVISION_MAIN_BYTES) revision = Buffer.from(k.buffer, k.byteOffset, k.length).readBigInt64BE(0);
      totalKey++;
    }
  }
  return { hash, revision, totalKey, totalSize: file.pgid * file.pageBytes };
}
