// Raft snapshot files in `member/snap` (etcd's api/snap Snapshotter): save via temp file + fsync +
// rename, load the newest one the WAL knows about, set aside corrupt files as `.broken`, purge.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDirSync, fsyncDir, PRIVATE_FILE_MODE, writeAt, fsync } from '../pkg/fileutil';
import type { Snapshot } from '../raft/types';
import type { WalSnapshot } from '../wal/record';
import { decodeSnapshot, encodeSnapshot, parseSnapFileName, snapFileName, SNAP_SUFFIX } from './snap-file';

/** etcd --max-snapshots default: snapshot files kept by purge(). */
export const SNAP_MAX_FILES_DEFAULT = 5;
export const SNAP_BROKEN_SUFFIX = '.broken';
const SNAP_TMP_SUFFIX = '.snap.tmp';
export const SNAP_DB_SUFFIX = '.snap.db';

export class NoSnapshotError extends Error {
  constructor(dir: string) {
    super(`snap: no available snapshot in ${dir}`);
    this.name = 'NoSnapshotError';
  }
}

export interface SnapshotterLogger {
  warn(msg: string): void;
}

export class Snapshotter {
  readonly dir: string;

  constructor(
    dir: string,
    private readonly logger?: SnapshotterLogger,
  ) {
    this.dir = path.resolve(dir);
    ensureDirSync(this.dir);
  }

  /** Path of the backend image that goes with a snapshot at `index` (etcd `%016x.snap.db`). */
  dbFilePath(index: number): string {
    if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`snap: bad index ${index}`);
    return path.join(this.dir, `${index.toString(16).padStart(16, '0')}${SNAP_DB_SUFFIX}`);
  }

  /**
   * Durably store a backend image received from the leader as `%016x.snap.db` (etcd SaveDBFrom):
   * streamed to a temp file, fsync'd, renamed into place. Returns the path and the byte count.
   */
  async saveDbFrom(chunks: AsyncIterable<Uint8Array>, index: number): Promise<{ path: string; sizeBytes: number }> {
    const finalPath = this.dbFilePath(index);
    const tmpPath = `${finalPath}.tmp`;
    const handle = await fs.promises.open(tmpPath, 'w', PRIVATE_FILE_MODE);
    let sizeBytes = 0;
    try {
      for await (const chunk of chunks) {
        await writeAt(handle.fd, chunk, 0, chunk.length, sizeBytes);
        sizeBytes += chunk.length;
      }
      await fsync(handle.fd);
    } catch (err) {
      await handle.close();
      await fs.promises.rm(tmpPath, { force: true });
      throw err;
    }
    await handle.close();
    await fs.promises.rename(tmpPath, finalPath);
    await fsyncDir(this.dir);
    return { path: finalPath, sizeBytes };
  }

  /**
   * Durably write `snapshot` as `%016x-%016x.snap` (term, index): temp file, fsync, rename, fsync
   * of the directory. An empty snapshot (index 0) is not written, as etcd's SaveSnap.
   */
  async save(snapshot: Snapshot): Promise<void> {
    const { term, index } = snapshot.metadata;
    if (index === 0) return;
    const name = snapFileName(term, index);
    const finalPath = path.join(this.dir, name);
    const tmpPath = path.join(this.dir, `${name.slice(0, -SNAP_SUFFIX.length)}${SNAP_TMP_SUFFIX}`);
    const bytes = encodeSnapshot(snapshot);
    const handle = await fs.promises.open(tmpPath, 'w', PRIVATE_FILE_MODE);
    try {
      await writeAt(handle.fd, bytes, 0, bytes.length, 0);
      await fsync(handle.fd);
    } catch (err) {
      await handle.close();
      await fs.promises.rm(tmpPath, { force: true });
      throw err;
    }
    await handle.close();
    await fs.promises.rename(tmpPath, finalPath);
    await fsyncDir(this.dir);
  }

  /** The newest readable snapshot, or throws NoSnapshotError. */
  load(): Promise<Snapshot> {
    return this.loadMatching(() => true);
  }

  /**
   * The newest readable snapshot that the WAL also recorded (same term and index), so the WAL can
   * be replayed from it (etcd LoadNewestAvailable). Throws NoSnapshotError when there is none.
   */
  loadNewestAvailable(walSnaps: readonly WalSnapshot[]): Promise<Snapshot> {
    return this.loadMatching((s) => walSnaps.some((w) => w.index === s.metadata.index && w.term === s.metadata.term));
  }

  /** `.snap` file names, newest (highest term, then index) first. Leftover temp files are removed. */
  async snapNames(): Promise<string[]> {
    const all = await fs.promises.readdir(this.dir);
    for (const n of all) {
      if (n.endsWith(SNAP_TMP_SUFFIX)) await fs.promises.rm(path.join(this.dir, n), { force: true });
    }
    const snaps: { name: string; term: number; index: number }[] = [];
    for (const n of all) {
      const parsed = parseSnapFileName(n);
      if (parsed) snaps.push({ name: n, ...parsed });
    }
    snaps.sort((a, b) => b.term - a.term || b.index - a.index);
    return snaps.map((s) => s.name);
  }

  /** Delete the oldest snapshot files while more than `keepMax` remain; returns the deleted names. */
  async purge(keepMax = SNAP_MAX_FILES_DEFAULT): Promise<string[]> {
    const names = await this.snapNames();
    const removed = names.slice(keepMax).reverse();
    for (const n of removed) await fs.promises.unlink(path.join(this.dir, n));
    if (removed.length > 0) await fsyncDir(this.dir);
    return removed;
  }

  private async loadMatching(match: (s: Snapshot) => boolean): Promise<Snapshot> {
    for (const name of await this.snapNames()) {
      const snap = await this.read(name);
      if (snap && match(snap)) return snap;
    }
    throw new NoSnapshotError(this.dir);
  }

  /** Read one file; a corrupt one is renamed `<name>.broken` and skipped, as etcd does. */
  private async read(name: string): Promise<Snapshot | undefined> {
    const file = path.join(this.dir, name);
    try {
      const snap = decodeSnapshot(await fs.promises.readFile(file), name);
      const expected = parseSnapFileName(name);
      if (expected && (expected.term !== snap.metadata.term || expected.index !== snap.metadata.index)) {
        throw new Error(`snap: ${name} holds term ${snap.metadata.term} index ${snap.metadata.index}`);
      }
      return snap;
    } catch (err) {
      this.logger?.warn(`snap: failed to read ${file}: ${(err as Error).message}; renaming it ${SNAP_BROKEN_SUFFIX}`);
      await fs.promises.rename(file, file + SNAP_BROKEN_SUFFIX).catch((renameErr: Error) => {
        this.logger?.warn(`snap: cannot rename ${file}: ${renameErr.message}`);
      });
      return undefined;
    }
  }
}
