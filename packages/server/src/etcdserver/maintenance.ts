// Maintenance.Snapshot: the backend image in chunks with `remaining_bytes`, then one message
// whose blob is the SHA-256 of every byte sent before it (what `etcdctl snapshot save` checks).

import { createHash } from 'node:crypto';
import type { SnapshotResponse } from '@tsetcd/api';
import { SNAPSHOT_CHUNK_BYTES } from '../config/limits';
import type { Backend } from '../backend/backend';
import { ErrRequestCancelled } from '@tsetcd/api';

/** The minimal view of the backend the stream needs. */
export type SnapshotSource = Pick<Backend, 'snapshot'>;

export async function* snapshotStream(backend: SnapshotSource, signal: AbortSignal): AsyncIterable<SnapshotResponse> {
  // The image is copied first so `remaining_bytes` is exact from the first message on.
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of backend.snapshot(SNAPSHOT_CHUNK_BYTES)) {
    if (signal.aborted) throw new ErrRequestCancelled();
    const b = Buffer.from(chunk);
    chunks.push(b);
    total += b.length;
  }
  const sha = createHash('sha256');
  let sent = 0;
  for (const b of chunks) {
    if (signal.aborted) throw new ErrRequestCancelled();
    sha.update(b);
    sent += b.length;
    yield { header: undefined, remainingBytes: BigInt(total - sent), blob: b };
  }
  yield { header: undefined, remainingBytes: 0n, blob: sha.digest() };
}
