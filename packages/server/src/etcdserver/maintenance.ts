// Maintenance.Snapshot: the backend as a bbolt image (etcd's format, so `etcdctl snapshot status`,
// `etcdctl snapshot restore` and etcd itself read it), in chunks with `remaining_bytes`, then one
// message whose blob is the SHA-256 of every byte sent before it (what `etcdctl snapshot save` checks).

import { createHash } from 'node:crypto';
import type { SnapshotResponse } from '@tsetcd/api';
import { SNAPSHOT_CHUNK_BYTES } from '../config/limits';
import type { Backend } from '../backend/backend';
import { BUCKETS } from '../backend/buckets';
import { writeBbolt } from '../backend/bbolt/bbolt-writer';
import type { BboltBucket } from '../backend/bbolt/bbolt-layout';
import { ErrRequestCancelled } from '@tsetcd/api';

/** The minimal view of the backend the stream needs. */
export type SnapshotSource = Pick<Backend, 'range'>;

const EMPTY = new Uint8Array(0);
const utf8 = new TextEncoder();

/**
 * Every bucket, read in one synchronous pass (no apply runs in between, so the image is one
 * consistent revision), as a bbolt file.
 */
function bboltImage(backend: SnapshotSource): Buffer {
  const buckets: BboltBucket[] = BUCKETS.map((name) => ({
    name: utf8.encode(name),
    entries: [...backend.range(name, EMPTY)].map(({ key, value }) => [Uint8Array.from(key), Uint8Array.from(value)] as const),
  }));
  return writeBbolt(buckets);
}

export async function* snapshotStream(backend: SnapshotSource, signal: AbortSignal): AsyncIterable<SnapshotResponse> {
  if (signal.aborted) throw new ErrRequestCancelled();
  const image = bboltImage(backend);
  const sha = createHash('sha256');
  for (let sent = 0; sent < image.length; ) {
    if (signal.aborted) throw new ErrRequestCancelled();
    const chunk = image.subarray(sent, sent + SNAPSHOT_CHUNK_BYTES);
    sha.update(chunk);
    sent += chunk.length;
    yield { header: undefined, remainingBytes: BigInt(image.length - sent), blob: chunk };
  }
  yield { header: undefined, remainingBytes: 0n, blob: sha.digest() };
}
