// The write-ahead log: raft HardState, entries and snapshot markers appended to segment files
// `member/wal/%016x-%016x.wal`, one write + at most one fdatasync per save (the group-commit point).
//
// Life cycle (as etcd): Wal.create() writes the first segment in `<dir>.tmp` and renames it into
// place; Wal.open(dir, snap) + readAll() replays from the segment holding `snap`, repairs a torn
// tail of the last segment, and leaves the WAL ready to append. After every save that takes the
// live segment past `segmentSizeBytes`, the WAL cuts to a new segment preallocated in the
// background (segment-pipeline.ts).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { EMPTY_HARD_STATE, type Entry, type HardState } from '../raft/types';
import {
  dirHasSuffix,
  ensureDirSync,
  fdatasync,
  fsync,
  fsyncDir,
  fsyncDirSync,
  lockFileSync,
  PRIVATE_FILE_MODE,
  writeAt,
  type ProcessLock,
} from '../pkg/fileutil';
import {
  WalClosedError,
  WalExistsError,
  WalMetadataConflictError,
  WalSnapshotMismatchError,
  WalSnapshotNotFoundError,
  WalCorruptError,
} from './errors';
import { RecordType, RecordWriter, scanSegment, type WalSnapshot } from './record';
import {
  assertContiguous,
  searchIndex,
  segmentFileName,
  segmentNames,
  WAL_SUFFIX,
  type SegmentName,
} from './segment-name';
import { SegmentPipeline } from './segment-pipeline';

/** etcd wal.SegmentSizeBytes. */
export const SEGMENT_SIZE_BYTES_DEFAULT = 64 * 1024 * 1024;
/** etcd --max-wals: segments kept by purge(). */
export const WAL_MAX_FILES_DEFAULT = 5;
/**
 * Unsynced bytes (commit-only HardState records, which raft does not require to be durable) that
 * the WAL keeps in memory so the next durable save can rewrite them together with its own bytes
 * in one O_DSYNC write: in a cluster nearly every Ready between two appends carries such a
 * record, and without this every append would fall back to write + fdatasync (two thread-pool
 * round trips instead of one). Past this many bytes the next durable save uses fdatasync.
 */
export const UNSYNCED_REWRITE_BYTES_MAX = 64 * 1024;
/** Name of the process lock inside the WAL directory (Node has no flock; see pkg/fileutil). */
export const WAL_LOCK_FILE = 'wal.lock';

export interface WalOptions {
  /** Cut to a new segment once the live one passes this size (and preallocate segments to it). */
  readonly segmentSizeBytes?: number;
  /**
   * How a save that must be durable is synced. 'dsync' (default): one positioned write on an
   * O_DSYNC descriptor, i.e. write + fdatasync in one syscall and one thread-pool hop; used only
   * when every earlier write is already durable (O_DSYNC syncs just the written range), otherwise
   * the save falls back to write + fdatasync. 'fdatasync': always write, then fdatasync.
   */
  readonly syncMode?: WalSyncMode;
  /**
   * Called after every durable sync of a save with its duration in seconds (the sync, or for
   * 'dsync' the synchronous write): feed etcd's `etcd_disk_wal_fsync_duration_seconds` from it.
   */
  readonly onFsync?: (durationSeconds: number) => void;
  /** The append path's disk calls; tests substitute a recorder to build power-loss images. */
  readonly io?: WalIo;
}

/** The calls the append path makes on the live segment (default: pkg/fileutil). */
export interface WalIo {
  /** Positioned write; `durable` is true when `fd` was opened O_DSYNC (the write is synced). */
  writeAt(fd: number, buf: Uint8Array, offset: number, length: number, position: number, durable: boolean): Promise<void>;
  fdatasync(fd: number): Promise<void>;
  /**
   * Optional synchronous positioned write for bytes that need no sync (commit-only HardState
   * records): a small write into the page cache costs less on the event loop than a round trip
   * through the thread pool. Without it those writes go through `writeAt`.
   */
  writeAtSync?(fd: number, buf: Uint8Array, offset: number, length: number, position: number): void;
}

/** Largest unsynced save written with writeAtSync on the event loop (larger ones use the pool). */
export const SYNC_WRITE_BYTES_MAX = 4096;

/** fs.writeSync until `length` bytes are written (a short write continues where it stopped). */
function writeAtSyncFully(fd: number, buf: Uint8Array, offset: number, length: number, position: number): void {
  let done = 0;
  while (done < length) done += fs.writeSync(fd, buf, offset + done, length - done, position + done);
}

const DEFAULT_IO: WalIo = {
  writeAt: (fd, buf, offset, length, position) => writeAt(fd, buf, offset, length, position),
  fdatasync,
  writeAtSync: writeAtSyncFully,
};

export type WalSyncMode = 'dsync' | 'fdatasync';

export interface WalContents {
  readonly metadata: Uint8Array;
  readonly hardState: HardState;
  /** Entries after the snapshot index the WAL was opened at, the last write of an index winning. */
  readonly entries: Entry[];
}

type Mode = 'opened' | 'appending' | 'closed' | 'failed';

function isEmptyHardState(hs: HardState): boolean {
  return hs.term === 0 && hs.vote === 0n && hs.commit === 0;
}

function assert(cond: boolean, msg: string): asserts cond {
  if (!cond) throw new Error(`wal: assertion failed: ${msg}`);
}

function listSegments(dir: string): SegmentName[] {
  const segs = segmentNames(fs.readdirSync(dir));
  assertContiguous(segs);
  return segs;
}

export class Wal {
  private mode: Mode;
  private held: SegmentName[];
  private tailFd: number;
  /** O_DSYNC descriptor on the live segment, opened on first use (-1 = not open). */
  private tailDsyncFd = -1;
  /**
   * Some bytes of the live segment were written without a sync since the last one and are not
   * held in `unsynced` (after a replay, or past UNSYNCED_REWRITE_BYTES_MAX): only fdatasync
   * makes them durable.
   */
  private unsyncedWrites = false;
  /** Copy of the bytes written without a sync since the last one (see UNSYNCED_REWRITE_BYTES_MAX). */
  private unsynced: Buffer | undefined;
  private unsyncedLength = 0;
  /** Segment offset of `unsynced[0]` (meaningful while unsyncedLength > 0). */
  private unsyncedStart = 0;
  private readonly syncMode: WalSyncMode;
  private readonly onFsync: ((durationSeconds: number) => void) | undefined;
  private readonly io: WalIo;
  private tailOffset: number;
  private writer: RecordWriter;
  private state: HardState = EMPTY_HARD_STATE;
  private enti: number;
  private metadata: Uint8Array;
  private chain: Promise<unknown> = Promise.resolve();
  private pipeline: SegmentPipeline | undefined;

  private constructor(
    readonly dir: string,
    private readonly segmentSizeBytes: number,
    opts: WalOptions,
    private readonly lock: ProcessLock,
    private readonly start: WalSnapshot,
    init: { mode: Mode; held: SegmentName[]; tailFd: number; tailOffset: number; crc: number; metadata: Uint8Array },
  ) {
    this.mode = init.mode;
    this.held = init.held;
    this.tailFd = init.tailFd;
    this.syncMode = opts.syncMode ?? 'dsync';
    this.onFsync = opts.onFsync;
    this.io = opts.io ?? DEFAULT_IO;
    this.tailOffset = init.tailOffset;
    this.writer = new RecordWriter(init.crc);
    this.metadata = init.metadata;
    this.enti = start.index;
  }

  /** True when `dir` holds at least one WAL segment (etcd wal.Exist). */
  static exists(dir: string): boolean {
    return dirHasSuffix(dir, WAL_SUFFIX);
  }

  /** Create a new WAL holding `metadata` and the initial {0, 0} snapshot marker, ready to append. */
  static async create(dir: string, metadata: Uint8Array, opts: WalOptions = {}): Promise<Wal> {
    const segmentSizeBytes = opts.segmentSizeBytes ?? SEGMENT_SIZE_BYTES_DEFAULT;
    assert(Number.isSafeInteger(segmentSizeBytes) && segmentSizeBytes > 0, 'segmentSizeBytes > 0');
    if (Wal.exists(dir)) throw new WalExistsError(`${dir} already holds a WAL`);
    const absDir = path.resolve(dir);
    const tmpDir = `${absDir}.tmp`;
    fs.rmSync(tmpDir, { recursive: true, force: true });
    ensureDirSync(tmpDir);
    const name = segmentFileName(0, 0);
    const fd = fs.openSync(path.join(tmpDir, name), 'w+', PRIVATE_FILE_MODE);
    let lock: ProcessLock | undefined;
    try {
      fs.ftruncateSync(fd, segmentSizeBytes);
      const writer = new RecordWriter(0, 4096);
      writer.appendCrc(0);
      writer.appendMetadata(metadata);
      writer.appendSnapshot({ index: 0, term: 0 });
      const length = writer.length;
      await writeAt(fd, writer.bytes(), 0, length, 0);
      await fdatasync(fd);
      writer.commit();
      fsyncDirSync(tmpDir);
      // The whole directory appears at once: a crash leaves either no WAL or a complete first segment.
      fs.rmSync(absDir, { recursive: true, force: true });
      fs.renameSync(tmpDir, absDir);
      fsyncDirSync(path.dirname(absDir));
      lock = lockFileSync(path.join(absDir, WAL_LOCK_FILE));
      const wal = new Wal(absDir, segmentSizeBytes, opts, lock, { index: 0, term: 0 }, {
        mode: 'appending',
        held: [{ name, seq: 0, index: 0 }],
        tailFd: fd,
        tailOffset: length,
        crc: writer.crc,
        metadata: new Uint8Array(metadata),
      });
      wal.startPipeline();
      return wal;
    } catch (err) {
      lock?.release();
      fs.closeSync(fd);
      throw err;
    }
  }

  /**
   * Open the WAL at `snap` (a snapshot the caller has: {0, 0} when none) for reading and then
   * appending. Call readAll() before saving.
   */
  static async open(dir: string, snap: WalSnapshot, opts: WalOptions = {}): Promise<Wal> {
    const segmentSizeBytes = opts.segmentSizeBytes ?? SEGMENT_SIZE_BYTES_DEFAULT;
    assert(Number.isSafeInteger(segmentSizeBytes) && segmentSizeBytes > 0, 'segmentSizeBytes > 0');
    const absDir = path.resolve(dir);
    const lock = lockFileSync(path.join(absDir, WAL_LOCK_FILE));
    try {
      const segs = listSegments(absDir);
      const from = searchIndex(segs, snap.index);
      const held = segs.slice(from);
      const tail = held[held.length - 1]!;
      const tailFd = fs.openSync(path.join(absDir, tail.name), 'r+');
      return new Wal(absDir, segmentSizeBytes, opts, lock, { index: snap.index, term: snap.term }, {
        mode: 'opened',
        held,
        tailFd,
        tailOffset: 0,
        crc: 0,
        metadata: new Uint8Array(0),
      });
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /**
   * The snapshot markers of the WAL at `dir` whose index is covered by its last committed
   * HardState (etcd wal.ValidSnapshotEntries): the snapshots it is safe to restart from.
   * Read-only: works while another process appends.
   */
  static async validSnapshotEntries(dir: string): Promise<WalSnapshot[]> {
    const segs = listSegments(dir);
    const snaps: WalSnapshot[] = [];
    let state: HardState = EMPTY_HARD_STATE;
    let crc: number | undefined;
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]!;
      const buf = await fs.promises.readFile(path.join(dir, seg.name));
      const scan = scanSegment(buf, seg.name, i === segs.length - 1, crc, (rec) => {
        if (rec.type === RecordType.Snapshot) snaps.push(rec.snapshot);
        else if (rec.type === RecordType.State) state = rec.state;
      });
      crc = scan.crc;
    }
    return snaps.filter((s) => s.index <= state.commit);
  }

  /** Index of the last entry written (or of the snapshot opened at, if none since). */
  get lastIndex(): number {
    return this.enti;
  }

  /** Names of the segments this WAL still holds (not released for purge), oldest first. */
  get heldSegments(): readonly string[] {
    return this.held.map((s) => s.name);
  }

  /**
   * Replay the log from the snapshot the WAL was opened at. A torn record at the tail of the last
   * segment is cut off (and the rest of the segment zeroed); any other damage throws
   * WalCorruptError with the file and byte offset. Afterwards the WAL appends after the last
   * valid record.
   */
  readAll(): Promise<WalContents> {
    return this.serial(async () => {
      if (this.mode !== 'opened') throw new WalClosedError(`readAll needs a freshly opened WAL (mode ${this.mode})`);
      try {
        return await this.replay();
      } catch (err) {
        // A WAL that cannot be replayed is closed (fd and lock released) so the caller may retry.
        this.mode = 'closed';
        fs.closeSync(this.tailFd);
        this.lock.release();
        throw err;
      }
    });
  }

  private async replay(): Promise<WalContents> {
    let metadata: Uint8Array | undefined;
    let state: HardState = EMPTY_HARD_STATE;
    const entries: Entry[] = [];
    let matched = false;
    let crc: number | undefined;
    let lastEntryIndex = -1;
    let lastSnapshotIndex = 0;
    const start = this.start;
    let tailEnd = 0;
    let torn = false;
    for (let i = 0; i < this.held.length; i++) {
      const seg = this.held[i]!;
      const isLast = i === this.held.length - 1;
      const buf = await fs.promises.readFile(path.join(this.dir, seg.name));
      const scan = scanSegment(buf, seg.name, isLast, crc, (rec, offset) => {
        switch (rec.type) {
          case RecordType.Entry: {
            const e = rec.entry;
            if (e.index > start.index) {
              const pos = e.index - start.index - 1;
              if (pos > entries.length) {
                throw new WalCorruptError(seg.name, offset, `entry ${e.index} leaves a gap after ${start.index + entries.length}`);
              }
              entries.length = pos; // a later write of an index replaces it and everything after
              entries.push(e);
            } else {
              // A write at or before the snapshot index truncated the log there: whatever came
              // after it earlier is gone too (etcd keeps such stale entries; we do not).
              entries.length = 0;
            }
            lastEntryIndex = e.index;
            break;
          }
          case RecordType.State:
            state = rec.state;
            break;
          case RecordType.Metadata:
            if (metadata !== undefined && Buffer.compare(metadata, rec.metadata) !== 0) {
              throw new WalMetadataConflictError(`metadata in ${seg.name} differs from the earlier segments`);
            }
            metadata = rec.metadata;
            break;
          case RecordType.Snapshot:
            if (rec.snapshot.index > lastSnapshotIndex) lastSnapshotIndex = rec.snapshot.index;
            if (rec.snapshot.index === start.index) {
              if (rec.snapshot.term !== start.term) {
                throw new WalSnapshotMismatchError(
                  `snapshot ${start.index} has term ${rec.snapshot.term} in the WAL, ${start.term} requested`,
                );
              }
              matched = true;
            }
            break;
          case RecordType.Crc:
            break;
        }
      });
      crc = scan.crc;
      if (isLast) {
        tailEnd = scan.validEnd;
        torn = scan.torn;
      }
    }
    if (!matched) throw new WalSnapshotNotFoundError(`no snapshot record {index ${start.index}, term ${start.term}}`);
    if (torn) await this.zeroTail(tailEnd);
    this.tailOffset = tailEnd;
    // What we just read may still sit unsynced in the page cache (a crashed process wrote it):
    // the first durable save must fdatasync the whole file, not only its own range.
    this.unsyncedWrites = true;
    this.unsyncedLength = 0;
    this.writer = new RecordWriter(crc ?? 0);
    this.state = state;
    // Entries written after a snapshot marker continue from it (etcd SaveSnapshot raises enti).
    this.enti = Math.max(lastEntryIndex, start.index, lastSnapshotIndex);
    this.metadata = metadata ?? new Uint8Array(0);
    this.mode = 'appending';
    this.startPipeline();
    return { metadata: this.metadata, hardState: state, entries };
  }

  /**
   * Append `entries` and `hardState` with one write, then one fdatasync if raft requires it
   * (new entries, or a term/vote change). Resolves once durable. Call once per raft Ready.
   */
  save(hardState: HardState | undefined, entries: readonly Entry[]): Promise<void> {
    const hs = hardState ?? EMPTY_HARD_STATE;
    if (isEmptyHardState(hs) && entries.length === 0) return this.serial(async () => this.assertAppending());
    return this.serial(async () => {
      this.assertAppending();
      this.checkEntries(entries);
      const mustSync = entries.length > 0 || hs.vote !== this.state.vote || hs.term !== this.state.term;
      const w = this.writer;
      try {
        for (const e of entries) w.appendEntry(e);
        if (!isEmptyHardState(hs)) w.appendState(hs);
      } catch (err) {
        w.discard(); // a refused value leaves nothing half-encoded behind
        throw err;
      }
      await this.flush(mustSync);
      if (entries.length > 0) this.enti = entries[entries.length - 1]!.index;
      if (!isEmptyHardState(hs)) this.state = hs;
      if (this.tailOffset >= this.segmentSizeBytes) await this.cut();
    });
  }

  /** Record that a raft snapshot at {index, term} was saved (etcd SaveSnapshot); synced. */
  saveSnapshot(snap: WalSnapshot): Promise<void> {
    return this.serial(async () => {
      this.assertAppending();
      try {
        this.writer.appendSnapshot(snap);
      } catch (err) {
        this.writer.discard();
        throw err;
      }
      await this.flush(true);
      if (this.enti < snap.index) this.enti = snap.index;
    });
  }

  /**
   * Release the segments that hold only entries before `index` (all but the newest segment
   * starting at or before it), so purge() may delete them. etcd wal.ReleaseLockTo.
   */
  releaseLockTo(index: number): void {
    let smaller = this.held.length - 1;
    for (let i = 0; i < this.held.length; i++) {
      if (this.held[i]!.index >= index) {
        smaller = i - 1;
        break;
      }
    }
    if (smaller <= 0) return;
    this.held = this.held.slice(smaller);
    assert(this.held.length >= 1, 'the live segment is always held');
  }

  /**
   * Delete the oldest segments of the directory while more than `keepMax` remain, stopping at the
   * first one still held (etcd's purge of --max-wals). Returns the deleted names.
   */
  purge(keepMax = WAL_MAX_FILES_DEFAULT): Promise<string[]> {
    return this.serial(async () => {
      const heldNames = new Set(this.held.map((s) => s.name));
      const segs = segmentNames(await fs.promises.readdir(this.dir));
      const removed: string[] = [];
      while (segs.length > keepMax) {
        const oldest = segs[0]!;
        if (heldNames.has(oldest.name)) break;
        await fs.promises.unlink(path.join(this.dir, oldest.name));
        removed.push(oldest.name);
        segs.shift();
      }
      if (removed.length > 0) await fsyncDir(this.dir);
      return removed;
    });
  }

  /** Sync and close the live segment, drop the preallocated spare, release the lock. */
  close(): Promise<void> {
    return this.serial(async () => {
      if (this.mode === 'closed') return;
      const wasAppending = this.mode === 'appending';
      this.mode = 'closed';
      try {
        if (wasAppending) await this.io.fdatasync(this.tailFd);
      } finally {
        this.closeDsyncFd();
        fs.closeSync(this.tailFd);
        await this.pipeline?.close();
        this.pipeline = undefined;
        this.lock.release();
      }
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- internals --------------------------------------------------------------------------------

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.chain.then(op, op);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Entries of one Ready are consecutive and continue (or overwrite a suffix of) the log. */
  private checkEntries(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = entries[0]!.index;
    assert(first >= 1 && first <= this.enti + 1, `entry ${first} would leave a gap after ${this.enti}`);
    for (let i = 1; i < entries.length; i++) {
      assert(entries[i]!.index === first + i, `entries not consecutive at ${entries[i]!.index}`);
    }
  }

  private assertAppending(): void {
    if (this.mode !== 'appending') {
      throw new WalClosedError(this.mode === 'opened' ? 'call readAll() before appending' : `WAL is ${this.mode}`);
    }
  }

  /**
   * Write the writer's pending frames at the tail with one write call; a failure poisons the WAL.
   * A durable save in 'dsync' mode rewrites the held unsynced bytes before its own (they end
   * where the tail begins), so its single O_DSYNC write covers everything not yet durable.
   */
  private async flush(sync: boolean): Promise<void> {
    const w = this.writer;
    const length = w.length;
    try {
      if (sync && !this.unsyncedWrites && this.syncMode === 'dsync') {
        const t0 = process.hrtime.bigint();
        if (this.unsyncedLength > 0) {
          assert(this.unsyncedStart + this.unsyncedLength === this.tailOffset, 'held unsynced bytes end at the tail');
          const both = this.heldWith(w.bytes(), length);
          await this.io.writeAt(this.dsyncFd(), both, 0, both.length, this.unsyncedStart, true);
        } else {
          await this.io.writeAt(this.dsyncFd(), w.bytes(), 0, length, this.tailOffset, true);
        }
        this.observeSync(t0);
      } else if (!sync && this.io.writeAtSync !== undefined && length <= SYNC_WRITE_BYTES_MAX) {
        this.io.writeAtSync(this.tailFd, w.bytes(), 0, length, this.tailOffset);
      } else {
        await this.io.writeAt(this.tailFd, w.bytes(), 0, length, this.tailOffset, false);
        if (sync) {
          const t0 = process.hrtime.bigint();
          await this.io.fdatasync(this.tailFd);
          this.observeSync(t0);
        }
      }
      if (sync) {
        this.unsyncedWrites = false;
        this.unsyncedLength = 0;
      } else {
        this.holdUnsynced(w.bytes(), length);
      }
    } catch (err) {
      w.discard();
      this.mode = 'failed'; // what is on disk is unknown: only a reopen (readAll) can tell
      throw err;
    }
    w.commit();
    this.tailOffset += length;
  }

  /** Remembers bytes just written without a sync at the tail (or gives up past the limit). */
  private holdUnsynced(bytes: Buffer, length: number): void {
    if (this.unsyncedWrites) return;
    if (this.unsyncedLength + length > UNSYNCED_REWRITE_BYTES_MAX) {
      this.unsyncedWrites = true;
      this.unsyncedLength = 0;
      return;
    }
    if (this.unsyncedLength === 0) this.unsyncedStart = this.tailOffset;
    this.unsynced ??= Buffer.allocUnsafe(UNSYNCED_REWRITE_BYTES_MAX);
    bytes.copy(this.unsynced, this.unsyncedLength, 0, length);
    this.unsyncedLength += length;
  }

  /** The held unsynced bytes followed by `length` bytes of `bytes`, as one buffer. */
  private heldWith(bytes: Buffer, length: number): Buffer {
    const held = this.unsynced!;
    if (this.unsyncedLength + length <= held.length) {
      bytes.copy(held, this.unsyncedLength, 0, length);
      return held.subarray(0, this.unsyncedLength + length);
    }
    return Buffer.concat([held.subarray(0, this.unsyncedLength), bytes.subarray(0, length)]);
  }

  private observeSync(startNs: bigint): void {
    if (this.onFsync) this.onFsync(Number(process.hrtime.bigint() - startNs) / 1e9);
  }

  private dsyncFd(): number {
    if (this.tailDsyncFd < 0) {
      const tail = this.held[this.held.length - 1]!;
      this.tailDsyncFd = fs.openSync(path.join(this.dir, tail.name), fs.constants.O_RDWR | fs.constants.O_DSYNC);
    }
    return this.tailDsyncFd;
  }

  private closeDsyncFd(): void {
    if (this.tailDsyncFd >= 0) fs.closeSync(this.tailDsyncFd);
    this.tailDsyncFd = -1;
  }

  private startPipeline(): void {
    this.pipeline = new SegmentPipeline(this.dir, this.segmentSizeBytes);
  }

  /** Cut: seal the live segment at its end and continue in a new preallocated one. */
  private async cut(): Promise<void> {
    assert(this.pipeline !== undefined, 'cut needs the segment pipeline');
    try {
      await new Promise<void>((res, rej) => fs.ftruncate(this.tailFd, this.tailOffset, (e) => (e ? rej(e) : res())));
      await fsync(this.tailFd);
      const spare = await this.pipeline.take();
      const prev = this.held[this.held.length - 1]!;
      const next: SegmentName = { name: segmentFileName(prev.seq + 1, this.enti + 1), seq: prev.seq + 1, index: this.enti + 1 };
      const w = this.writer;
      w.appendCrc(w.crc);
      w.appendMetadata(this.metadata);
      if (!isEmptyHardState(this.state)) w.appendState(this.state);
      const length = w.length;
      try {
        await this.io.writeAt(spare.fd, w.bytes(), 0, length, 0, false);
        await this.io.fdatasync(spare.fd);
      } catch (err) {
        w.discard();
        throw err;
      }
      w.commit();
      await fs.promises.rename(spare.path, path.join(this.dir, next.name));
      await fsyncDir(this.dir);
      this.closeDsyncFd();
      fs.closeSync(this.tailFd);
      this.tailFd = spare.fd;
      this.unsyncedWrites = false;
      this.unsyncedLength = 0;
      this.tailOffset = length;
      this.held.push(next);
    } catch (err) {
      this.mode = 'failed';
      throw err;
    }
  }

  /** etcd ZeroToEnd: drop everything after `offset` in the live segment, keep its preallocation. */
  private async zeroTail(offset: number): Promise<void> {
    const size = fs.fstatSync(this.tailFd).size;
    fs.ftruncateSync(this.tailFd, offset);
    fs.ftruncateSync(this.tailFd, Math.max(size, this.segmentSizeBytes));
    await fsync(this.tailFd);
  }
}
