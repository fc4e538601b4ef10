// `tsetcdctl backup` (etcdctl backup, v2): a new data dir holding the member's newest snapshot and
// the WAL after it, under a new member id and cluster id, without membership; `tsetcd
// --force-new-cluster` on it starts a one-member cluster with the data. Steps, in this order so the
// copy is consistent even while the member runs: snapshot -> backend (with --with-v3) -> WAL.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Metadata } from '@tsetcd/api';
import { IdGenerator } from '../../../../server/src/pkg/idutil';
import type { Snapshot } from '../../../../server/src/raft/types';
import { NoSnapshotError, Snapshotter } from '../../../../server/src/snap';
import { Wal } from '../../../../server/src/wal';
import type { BackupOptions } from './backup';
import { copyEnvironment, finishBackupDb } from './backup-db';
import { filterBackupEntries } from './backup-entries';
import { readWalFrom, readWalSnapshots } from './backup-wal';

export interface BackupPaths {
  readonly srcSnap: string;
  readonly srcWal: string;
  readonly srcDb: string;
  readonly destSnap: string;
  readonly destWal: string;
  readonly destDb: string;
}

/** etcdctl's defaults: <dir>/member/{snap,wal}; --wal-dir / --backup-wal-dir override the WALs. */
export function backupPaths(opts: BackupOptions): BackupPaths {
  const srcSnap = path.join(opts.dataDir, 'member', 'snap');
  const destSnap = path.join(opts.backupDir, 'member', 'snap');
  return {
    srcSnap,
    srcWal: opts.walDir !== '' ? opts.walDir : path.join(opts.dataDir, 'member', 'wal'),
    srcDb: path.join(srcSnap, 'db'),
    destSnap,
    destWal: opts.backupWalDir !== '' ? opts.backupWalDir : path.join(opts.backupDir, 'member', 'wal'),
    destDb: path.join(destSnap, 'db'),
  };
}

export interface BackupReport {
  readonly memberId: bigint;
  readonly clusterId: bigint;
  /** Index of the snapshot copied (0: none). */
  readonly snapshotIndex: number;
  readonly commitIndex: number;
  readonly entries: number;
  readonly dropped: { readonly 'conf-change': number; readonly 'member-attributes': number; readonly v3: number };
  readonly consistentIndex: number;
}

function checkSource(p: BackupPaths): void {
  if (!fs.existsSync(p.srcSnap)) throw new Error(`open ${p.srcSnap}: no such file or directory`);
  let db: fs.Stats | undefined;
  try {
    db = fs.statSync(p.srcDb);
  } catch {
    db = undefined;
  }
  if (db?.isFile() === true) {
    throw new Error(`${p.srcDb} is a bbolt file (an etcd data dir): tsetcdctl backup reads tsetcd data dirs only; use etcdctl backup for etcd's`);
  }
}

function checkDestination(p: BackupPaths): void {
  if (Wal.exists(p.destWal)) throw new Error(`open ${p.destWal}: file already exists`);
  if (fs.existsSync(p.destDb) && fs.readdirSync(p.destDb).length > 0) throw new Error(`open ${p.destDb}: file already exists`);
}

async function loadSnapshot(srcSnap: string, srcWal: string): Promise<Snapshot | undefined> {
  const walSnaps = readWalSnapshots(srcWal);
  try {
    return await new Snapshotter(srcSnap).loadNewestAvailable(walSnaps);
  } catch (err) {
    if (err instanceof NoSnapshotError) return undefined;
    throw err;
  }
}

export async function backup(opts: BackupOptions, now: () => number = Date.now): Promise<BackupReport> {
  const p = backupPaths(opts);
  checkSource(p);
  checkDestination(p);
  const snapshot = await loadSnapshot(p.srcSnap, p.srcWal);
  const walSnap = { index: snapshot?.metadata.index ?? 0, term: snapshot?.metadata.term ?? 0 };
  fs.mkdirSync(p.destSnap, { recursive: true });
  if (opts.withV3) await copyEnvironment(p.srcDb, p.destDb);
  const wal = readWalFrom(p.srcWal, walSnap);
  const filtered = filterBackupEntries(wal.entries, opts.withV3, opts.log);
  const consistentIndex = await finishBackupDb(p.destDb, opts.withV3, wal.hardState.commit);
  if (snapshot !== undefined) await new Snapshotter(p.destSnap).save(snapshot);

  const ids = new IdGenerator(0n, now());
  const memberId = ids.next();
  const clusterId = ids.next();
  fs.mkdirSync(path.dirname(path.resolve(p.destWal)), { recursive: true });
  const out = await Wal.create(p.destWal, Metadata.encode({ NodeID: memberId, ClusterID: clusterId }).finish());
  try {
    // The snapshot marker first: entries then continue right after it.
    if (walSnap.index > 0) await out.saveSnapshot(walSnap);
    await out.save(wal.hardState, filtered.entries);
  } finally {
    await out.close();
  }
  return {
    memberId,
    clusterId,
    snapshotIndex: walSnap.index,
    commitIndex: wal.hardState.commit,
    entries: filtered.entries.length,
    dropped: filtered.dropped,
    consistentIndex,
  };
}
