// snapshot restore <file>: a new tsetcd data dir holding the snapshot's keys. The snapshot is a bbolt
// image (from tsetcd or from etcd: this is also the way from etcd to tsetcd); its buckets are copied
// into the member's LMDB backend. The backend keeps every key, lease and auth record of the image; its membership is dropped and its
// applied index reset, so `tsetcd --name N --initial-cluster C --initial-cluster-token T` on the directory
// bootstraps the new cluster (ids from the peer URLs and the token, as etcd's restore computes them) over
// the restored keys. Unlike etcd's restore no WAL is written: the member writes its bootstrap log on first start.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Backend } from '../../../../server/src/backend/backend';
import { readBbolt } from '../../../../server/src/backend/bbolt/bbolt-reader';
import { BUCKETS, type BucketName } from '../../../../server/src/backend/buckets';
import { EXIT_BAD_ARGS, EXIT_ERROR, fail } from '../exit-codes';
import { isBboltFile } from '../snapshot-file';
import { MEMBERSHIP_BUCKETS } from '../v2/backup-db';
import { boolFlag, strFlag, type CtlCommand } from './types';

const DEFAULT_NAME = 'default';
const DEFAULT_PEER_URL = 'http://localhost:2380';
/** etcd's rule: a snapshot with its sha256 appended is 32 bytes past a multiple of 512. */
const SHA256_BYTES = 32;
const HASHED_SIZE_MODULUS = 512;

/** `name=url,name=url2` -> name -> urls (etcd's types.NewURLsMap, without URL checks). */
export function parseInitialCluster(s: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of s.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) fail(EXIT_ERROR, `failed to parse ${JSON.stringify(part)} in --initial-cluster`);
    const name = part.slice(0, eq);
    out.set(name, [...(out.get(name) ?? []), part.slice(eq + 1)]);
  }
  return out;
}

/** The image without its sha256, checked unless skipHashCheck. */
export function snapshotImage(raw: Buffer, skipHashCheck: boolean): Buffer {
  const hasHash = raw.length % HASHED_SIZE_MODULUS === SHA256_BYTES;
  if (!hasHash) {
    if (!skipHashCheck) fail(EXIT_ERROR, 'snapshot missing hash but --skip-hash-check=false');
    return raw;
  }
  const image = raw.subarray(0, raw.length - SHA256_BYTES);
  if (!skipHashCheck) {
    const want = raw.subarray(raw.length - SHA256_BYTES);
    const got = createHash('sha256').update(image).digest();
    if (!got.equals(want)) fail(EXIT_ERROR, `expected sha256 [${[...want].join(' ')}], got [${[...got].join(' ')}]`);
  }
  return image;
}

export interface RestoreOptions {
  snapshotPath: string;
  name: string;
  dataDir: string;
  walDir: string;
  initialCluster: string;
  peerUrls: string[];
  skipHashCheck: boolean;
}

export async function restoreSnapshot(o: RestoreOptions): Promise<void> {
  const cluster = parseInitialCluster(o.initialCluster);
  const own = cluster.get(o.name);
  if (!own) fail(EXIT_ERROR, `couldn't find local name ${JSON.stringify(o.name)} in the initial cluster configuration`);
  const advertised = [...o.peerUrls].sort().join(',');
  if ([...own].sort().join(',') !== advertised) {
    const ownSorted = [...own].sort().join(',');
    fail(EXIT_ERROR, `--initial-cluster has ${o.name}=${own.join(',')} but missing from --initial-advertise-peer-urls=${o.peerUrls.join(',')} (resolved urls: ${JSON.stringify(advertised)} != ${JSON.stringify(ownSorted)})`);
  }
  if (existsSync(o.dataDir)) fail(EXIT_ERROR, `data-dir ${JSON.stringify(o.dataDir)} exists`);
  if (existsSync(o.walDir)) fail(EXIT_ERROR, `wal-dir ${JSON.stringify(o.walDir)} exists`);
  try {
    statSync(o.snapshotPath);
  } catch {
    fail(EXIT_ERROR, `open ${o.snapshotPath}: no such file or directory`);
  }
  if (!isBboltFile(o.snapshotPath)) fail(EXIT_ERROR, 'invalid database');
  const image = snapshotImage(readFileSync(o.snapshotPath), o.skipHashCheck);

  const backendDir = join(o.dataDir, 'member', 'snap', 'db');
  mkdirSync(backendDir, { recursive: true });
  try {
    const buckets = readBbolt(image).buckets;
    const backend = Backend.open(backendDir);
    try {
      backend.batchTx((tx) => {
        for (const bucket of buckets) {
          const name = Buffer.from(bucket.name).toString('latin1') as BucketName;
          // etcd's buckets only; the membership is the new cluster's
          if (!BUCKETS.includes(name) || MEMBERSHIP_BUCKETS.includes(name)) continue;
          for (const [k, v] of bucket.entries) tx.put(name, k, v);
        }
        // a fresh raft log starts at index 1: every entry of it must be applied
        tx.setConsistentIndex(0);
      });
      await backend.sync();
    } finally {
      await backend.close();
    }
  } catch (err) {
    rmSync(o.dataDir, { recursive: true, force: true });
    fail(EXIT_ERROR, `invalid database (${err instanceof Error ? err.message : String(err)})`);
  }
}

export const snapshotRestoreCommand: CtlCommand = {
  path: ['snapshot', 'restore'],
  flags: [
    strFlag('data-dir'),
    strFlag('wal-dir'),
    strFlag('initial-cluster', `${DEFAULT_NAME}=${DEFAULT_PEER_URL}`),
    strFlag('initial-cluster-token', 'etcd-cluster'),
    strFlag('initial-advertise-peer-urls', DEFAULT_PEER_URL),
    strFlag('name', DEFAULT_NAME),
    boolFlag('skip-hash-check'),
  ],
  async run(ctx) {
    const fl = ctx.flags;
    if (fl.args.length !== 1) fail(EXIT_BAD_ARGS, 'snapshot restore requires exactly one argument');
    const name = fl.str('name');
    const dataDir = fl.str('data-dir') !== '' ? fl.str('data-dir') : `${name}.etcd`;
    const walDir = fl.str('wal-dir') !== '' ? fl.str('wal-dir') : join(dataDir, 'member', 'wal');
    await restoreSnapshot({
      snapshotPath: fl.args[0] ?? '',
      name,
      dataDir,
      walDir,
      initialCluster: fl.str('initial-cluster'),
      peerUrls: fl.str('initial-advertise-peer-urls').split(','),
      skipHashCheck: fl.bool('skip-hash-check'),
    });
  },
};
