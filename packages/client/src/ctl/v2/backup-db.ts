// The backup's backend (etcdctl backup's saveDB). With --with-v3: a consistent copy of the
// member's LMDB environment (taken with a read transaction, so the member may keep running),
// membership buckets emptied (--force-new-cluster writes the new one). Without: an empty
// environment whose applied index is the WAL's commit index, so no v3 entry is replayed; the
// v2 store lives in the snap file and the WAL, not here.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Lmdb from 'lmdb';
import { Backend } from '../../../../server/src/backend/backend';
import { DEFAULT_MAP_SIZE_BYTES, MAX_DBS } from '../../../../server/src/backend/backend-options';
import type { BucketName } from '../../../../server/src/backend/buckets';

/** Buckets holding cluster membership: emptied in a backup (etcd deletes the same three). */
export const MEMBERSHIP_BUCKETS: readonly BucketName[] = ['members', 'members_removed', 'cluster'];

/** Copies the environment at `srcDir` into the (new, empty) directory `destDir`, compacted. */
export async function copyEnvironment(srcDir: string, destDir: string): Promise<void> {
  if (!fs.existsSync(path.join(srcDir, 'data.mdb'))) throw new Error(`open ${srcDir}: no such file or directory`);
  const lmdb = require('lmdb') as typeof Lmdb;
  const env = lmdb.open({ path: srcDir, readOnly: true, maxDbs: MAX_DBS, mapSize: DEFAULT_MAP_SIZE_BYTES, keyEncoding: 'binary', encoding: 'binary' });
  try {
    fs.mkdirSync(destDir, { recursive: true });
    await env.backup(destDir, true);
  } finally {
    await env.close();
  }
}

function clearBucket(backend: Backend, bucket: BucketName): void {
  const keys = [...backend.range(bucket, new Uint8Array(0))].map((kv) => Uint8Array.from(kv.key));
  backend.batchTx((tx) => {
    for (const k of keys) tx.delete(bucket, k);
  });
}

/**
 * Finishes the backup's backend at `destDir`: with v3, the copied environment loses its
 * membership and must not be ahead of the WAL's commit index; without, a new environment is
 * marked applied up to it. Returns the backend's applied index.
 */
export async function finishBackupDb(destDir: string, withV3: boolean, commitIndex: number): Promise<number> {
  const backend = Backend.open(destDir);
  try {
    if (withV3) {
      for (const b of MEMBERSHIP_BUCKETS) clearBucket(backend, b);
      if (backend.consistentIndex() > commitIndex) {
        throw new Error(`backup: the backend applied index ${backend.consistentIndex()} is past the WAL commit index ${commitIndex} (the member kept writing: stop it and retry)`);
      }
    } else {
      backend.batchTx((tx) => tx.setConsistentIndex(commitIndex));
    }
    await backend.sync();
    return backend.consistentIndex();
  } finally {
    await backend.close();
  }
}
