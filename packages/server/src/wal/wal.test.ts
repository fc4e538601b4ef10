import * as fs from 'node:fs';
import * as path from 'node:path';
import { EntryType } from '../raft/types';
import { LockHeldError } from '../pkg/fileutil';
import {
  Wal,
  WalCorruptError,
  WalExistsError,
  WalMetadataConflictError,
  WalSnapshotMismatchError,
  WalSnapshotNotFoundError,
  WalClosedError,
  type WalIo,
} from './index';
import { UNSYNCED_REWRITE_BYTES_MAX } from './wal';
import { fdatasync, writeAt } from '../pkg/fileutil';
import { frameBytes, ENTRY_HEADER_BYTES, RecordType, RecordWriter, scanSegment, STATE_PAYLOAD_BYTES } from './record';
import { parseSegmentName } from './segment-name';
import { entries, entry, tempDir, walFiles } from './testing/fixtures';

const META = new TextEncoder().encode('member-1/cluster-7');
const SEGMENT = 4096;
const dirs: string[] = [];

function newDir(): string {
  const d = tempDir('wal');
  dirs.push(d);
  return path.join(d, 'member', 'wal');
}

afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function reopen(dir: string, snap = { index: 0, term: 0 }) {
  const wal = await Wal.open(dir, snap, { segmentSizeBytes: SEGMENT });
  const contents = await wal.readAll();
  return { wal, ...contents };
}

/** Bytes the first segment uses before any entry: crc record, metadata, initial snapshot record. */
const FIRST_SEGMENT_HEAD = frameBytes(0) + frameBytes(META.length) + frameBytes(16);

describe('Wal round trip', () => {
  it.each(['dsync', 'fdatasync'] as const)('reads back every entry and the last HardState across segment cuts and reopen (%s)', async (syncMode) => {
    const dir = newDir();
    expect(Wal.exists(dir)).toBe(false);
    const wal = await Wal.create(dir, META, { segmentSizeBytes: SEGMENT, syncMode });
    expect(Wal.exists(dir)).toBe(true);
    for (let i = 1; i <= 60; i += 3) {
      await wal.save({ term: 1, vote: 3n, commit: i - 1 }, entries(i, i + 2));
      await wal.save({ term: 1, vote: 3n, commit: i }, []); // commit-only: written, not synced
    }
    await wal.close();
    const files = walFiles(dir);
    expect(files.length).toBeGreaterThan(3); // 60 x ~350 bytes in 4 KiB segments
    // Sequence numbers are contiguous and each name's index is where its entries start.
    files.forEach((f, i) => expect(parseSegmentName(f)?.seq).toBe(i));
    expect(fs.existsSync(`${dir}.tmp`)).toBe(false);

    const r = await reopen(dir);
    expect(Buffer.from(r.metadata).toString()).toBe('member-1/cluster-7');
    expect(r.hardState).toEqual({ term: 1, vote: 3n, commit: 58 });
    expect(r.entries).toEqual(entries(1, 60));
    // Continue appending after the reopen, then read everything again.
    await r.wal.save({ term: 2, vote: 1n, commit: 60 }, [entry(61, 2), { index: 62, term: 2, type: EntryType.ConfChange, data: new Uint8Array([9]) }]);
    await r.wal.close();
    const r2 = await reopen(dir);
    expect(r2.entries.length).toBe(62);
    expect(r2.entries[60]).toEqual(entry(61, 2));
    expect(r2.entries[61]).toEqual({ index: 62, term: 2, type: EntryType.ConfChange, data: new Uint8Array([9]) });
    expect(r2.hardState).toEqual({ term: 2, vote: 1n, commit: 60 });
    await r2.wal.close();
  });

  it.each(['dsync', 'fdatasync'] as const)('syncs (and reports a sync) exactly when raft requires it (%s)', async (syncMode) => {
    const dir = newDir();
    const syncs: number[] = [];
    const wal = await Wal.create(dir, META, { segmentSizeBytes: 1 << 20, syncMode, onFsync: (s) => syncs.push(s) });
    await wal.save({ term: 1, vote: 1n, commit: 0 }, [entry(1)]); // entries: sync
    await wal.save({ term: 1, vote: 1n, commit: 1 }, []); // commit only: no sync
    await wal.save(undefined, []); // nothing at all
    expect(syncs.length).toBe(1);
    await wal.save({ term: 2, vote: 1n, commit: 1 }, []); // term change: sync
    await wal.save({ term: 2, vote: 3n, commit: 1 }, []); // vote change: sync
    await wal.saveSnapshot({ index: 1, term: 1 }); // snapshot marker: sync
    expect(syncs.length).toBe(4);
    expect(syncs.every((s) => s >= 0 && s < 60)).toBe(true);
    await wal.close();
  });

  it('dsync: an append after commit-only saves is one O_DSYNC write that also covers their bytes (no fdatasync)', async () => {
    const dir = newDir();
    const calls: { durable: boolean; position: number; length: number }[] = [];
    let fdatasyncs = 0;
    const io: WalIo = {
      writeAt: (fd, buf, offset, length, position, durable) => {
        calls.push({ durable, position, length });
        return writeAt(fd, buf, offset, length, position);
      },
      fdatasync: (fd) => {
        fdatasyncs++;
        return fdatasync(fd);
      },
    };
    const wal = await Wal.create(dir, META, { segmentSizeBytes: 1 << 20, syncMode: 'dsync', io });
    await wal.save({ term: 1, vote: 1n, commit: 0 }, [entry(1)]);
    await wal.save({ term: 1, vote: 1n, commit: 1 }, []); // commit only: written, not synced
    await wal.save({ term: 1, vote: 1n, commit: 1 }, [entry(2)]);
    expect(fdatasyncs).toBe(0);
    expect(calls.map((c) => c.durable)).toEqual([true, false, true]);
    const [first, commitOnly, append] = calls as [(typeof calls)[0], (typeof calls)[0], (typeof calls)[0]];
    expect(commitOnly.position).toBe(first.position + first.length);
    // The durable write starts where the unsynced bytes start and ends at the new tail.
    expect(append.position).toBe(commitOnly.position);
    expect(append.length).toBeGreaterThan(commitOnly.length);
    await wal.close();
    const r = await reopen(dir);
    expect(r.entries.map((e) => e.index)).toEqual([1, 2]);
    expect(r.hardState).toEqual({ term: 1, vote: 1n, commit: 1 });
    await r.wal.close();
  });

  it('writes a small unsynced save with writeAtSync (no thread-pool round trip) when the io offers it', async () => {
    const dir = newDir();
    const calls: string[] = [];
    const io: WalIo = {
      writeAt: (fd, buf, offset, length, position, durable) => {
        calls.push(durable ? 'durable' : 'async');
        return writeAt(fd, buf, offset, length, position);
      },
      fdatasync: (fd) => {
        calls.push('fdatasync');
        return fdatasync(fd);
      },
      writeAtSync: (fd, buf, offset, length, position) => {
        calls.push('sync-call');
        let done = 0;
        while (done < length) done += fs.writeSync(fd, buf, offset + done, length - done, position + done);
      },
    };
    for (const syncMode of ['dsync', 'fdatasync'] as const) {
      calls.length = 0;
      const d = `${dir}-${syncMode}`;
      const wal = await Wal.create(d, META, { segmentSizeBytes: 1 << 20, syncMode, io });
      await wal.save({ term: 1, vote: 1n, commit: 0 }, [entry(1)]);
      await wal.save({ term: 1, vote: 1n, commit: 1 }, []); // commit only
      await wal.save({ term: 1, vote: 1n, commit: 1 }, [entry(2)]);
      expect(calls).toEqual(syncMode === 'dsync' ? ['durable', 'sync-call', 'durable'] : ['async', 'fdatasync', 'sync-call', 'async', 'fdatasync']);
      await wal.close();
      const r = await reopen(d);
      expect(r.entries.map((e) => e.index)).toEqual([1, 2]);
      expect(r.hardState.commit).toBe(1);
      await r.wal.close();
    }
  });

  it('dsync: past UNSYNCED_REWRITE_BYTES_MAX unsynced bytes the next durable save falls back to write + fdatasync', async () => {
    const dir = newDir();
    let fdatasyncs = 0;
    const io: WalIo = {
      writeAt: (fd, buf, offset, length, position) => writeAt(fd, buf, offset, length, position),
      fdatasync: (fd) => {
        fdatasyncs++;
        return fdatasync(fd);
      },
    };
    const wal = await Wal.create(dir, META, { segmentSizeBytes: 4 << 20, syncMode: 'dsync', io });
    await wal.save({ term: 1, vote: 1n, commit: 0 }, [entry(1)]);
    const perRecord = frameBytes(STATE_PAYLOAD_BYTES);
    const n = Math.ceil(UNSYNCED_REWRITE_BYTES_MAX / perRecord) + 1;
    for (let i = 1; i <= n; i++) await wal.save({ term: 1, vote: 1n, commit: i % 2 }, []);
    await wal.save(undefined, [entry(2)]);
    expect(fdatasyncs).toBe(1);
    await wal.save({ term: 1, vote: 1n, commit: 2 }, []);
    await wal.save(undefined, [entry(3)]);
    expect(fdatasyncs).toBe(1); // back on the O_DSYNC path once everything was synced
    await wal.close();
    const r = await reopen(dir);
    expect(r.entries.map((e) => e.index)).toEqual([1, 2, 3]);
    await r.wal.close();
  });

  it('keeps a bigint vote above 2^53 and terms/indexes up to 2^53-1 exact', async () => {
    const dir = newDir();
    const wal = await Wal.create(dir, META, { segmentSizeBytes: SEGMENT });
    const bigVote = 0xfedcba9876543210n;
    const big = Number.MAX_SAFE_INTEGER;
    await wal.save({ term: big, vote: bigVote, commit: 0 }, [{ index: 1, term: big, type: EntryType.Normal, data: new Uint8Array(0) }]);
    await wal.close();
    const r = await reopen(dir);
    expect(r.hardState).toEqual({ term: big, vote: bigVote, commit: 0 });
    expect(r.entries).toEqual([{ index: 1, term: big, type: EntryType.Normal, data: new Uint8Array(0) }]);
    await expect(r.wal.save({ term: 1, vote: 0n, commit: 2 ** 53 }, [entry(2)])).rejects.toThrow(RangeError);
    await expect(r.wal.save(undefined, [entry(2), { ...entry(3), term: -1 }])).rejects.toThrow(RangeError);
    // Nothing of the refused saves was left behind to be written with the next one.
    await r.wal.save(undefined, [entry(2)]);
    await r.wal.close();
    const file = walFiles(dir)[0]!;
    const written: number[] = [];
    scanSegment(fs.readFileSync(path.join(dir, file)), file, true, undefined, (rec) => {
      if (rec.type === RecordType.Entry) written.push(rec.entry.index);
    });
    expect(written).toEqual([1, 2]);
    const r2 = await reopen(dir);
    expect(r2.entries.map((e) => e.index)).toEqual([1, 2]);
    expect(r2.hardState).toEqual({ term: big, vote: bigVote, commit: 0 });
    await r2.wal.close();
  });

  it('refuses to create over an existing WAL and to open one that another owner holds', async () => {
    const dir = newDir();
    const wal = await Wal.create(dir, META, { segmentSizeBytes: SEGMENT });
    await expect(Wal.create(dir, META)).rejects.toThrow(WalExistsError);
    await expect(Wal.open(dir, { index: 0, term: 0 })).rejects.toThrow(LockHeldError);
    await wal.close();
    const r = await reopen(dir);
    await r.wal.close();
  });

  it('needs readAll before appending and refuses use after close', async () => {
    const dir = newDir();
    await (await Wal.create(dir, META)).close();
    const wal = await Wal.open(dir, { index: 0, term: 0 });
    await expect(wal.save({ term: 1, vote: 0n, commit: 0 }, [entry(1)])).rejects.toThrow(WalClosedError);
    await wal.readAll();
    await wal.close();
    await expect(wal.save({ term: 1, vote: 0n, commit: 0 }, [entry(1)])).rejects.toThrow(WalClosedError);
  });

  it('lets a later write of an index replace it and everything after it (new leader)', async () => {
    const dir = newDir();
    const wal = await Wal.create(dir, META, { segmentSizeBytes: SEGMENT });
    await wal.save({ term: 1, vote: 1n, commit: 3 }, entries(1, 10, 1));
    // A new leader in term 2 overwrites 6.. with its own entries, in two Readies across a cut.
    await wal.save({ term: 2, vote: 2n, commit: 5 }, entries(6, 8, 2));
    await wal.save(undefined, entries(9, 9, 2));
    await wal.close();
    const r = await reopen(dir);
    expect(r.entries).toEqual([...entries(1, 5, 1), ...entries(6, 9, 2)]);
    expect(r.hardState).toEqual({ term: 2, vote: 2n, commit: 5 });
    await r.wal.close();
  });
});

describe('Wal snapshots and purge', () => {
  it('continues after an installed snapshot marker, across reopen', async () => {
    const dir = newDir();
    const wal = await Wal.create(dir, META, { segmentSizeBytes: SEGMENT });
    await wal.save({ term: 1, vote: 1n, commit: 5 }, entries(1, 5));
    await wal.saveSnapshot({ index: 50, term: 2 }); // a follower installed the leader's snapshot
    await wal.save({ term: 2, vote: 0n, commit: 50 }, []);
    await wal.close();
    const r = await reopen(dir, { index: 50, term: 2 });
    expect(r.entries).toEqual([]);
    expect(r.wal.lastIndex).toBe(50);
    await expect(r.wal.save(undefined, [entry(53, 2)])).rejects.toThrow(/gap/);
    await r.wal.close();
    const r2 = await reopen(dir, { index: 50, term: 2 });
    await r2.wal.save({ term: 2, vote: 0n, commit: 51 }, [entry(51, 2)]);
    await r2.wal.close();
    const r3 = await reopen(dir, { index: 50, term: 2 });
    expect(r3.entries).toEqual([entry(51, 2)]);
    await r3.wal.close();
  });

  it('reads only the entries after the snapshot it is opened at, and checks the marker', async () => {
    const dir = newDir();
    const wal = await Wal.create(dir, META, { segmentSizeBytes: SEGMENT });
    await wal.save({ term: 1, vote: 1n, commit: 20 }, entries(1, 20));
    await wal.saveSnapshot({ index: 10, term: 1 });
    await wal.save({ term: 1, vote: 1n, commit: 25 }, entries(21, 25));
    await wal.close();

    expect(await Wal.validSnapshotEntries(dir)).toEqual([{ index: 0, term: 0 }, { index: 10, term: 1 }]);
    const r = await reopen(dir, { index: 10, term: 1 });
    expect(r.entries).toEqual(entries(11, 25));
    await r.wal.close();
    await expect(reopen(dir, { index: 10, term: 2 })).rejects.toThrow(WalSnapshotMismatchError);
    await expect(reopen(dir, { index: 12, term: 1 })).rejects.toThrow(WalSnapshotNotFoundError);
  });

  it('lists as valid only the snapshot markers covered by the last commit', async () => {
    const dir = newDir();
    const wal = await Wal.create(dir, META, { segmentSizeBytes: SEGMENT });
    await wal.save({ term: 1, vote: 1n, commit: 4 }, entries(1, 8));
    await wal.saveSnapshot({ index: 6, term: 1 });
    await wal.close();
    expect(await Wal.validSnapshotEntries(dir)).toEqual([{ index: 0, term: 0 }]);
  });

  it('purges only the released segments wholly before the snapshot index, then reopens there', async () => {
    const dir = newDir();
    const wal = await Wal.create(dir, META, { segmentSizeBytes: SEGMENT });
    for (let i = 1; i <= 100; i += 5) await wal.save({ term: 1, vote: 1n, commit: i + 4 }, entries(i, i + 4));
    const before = walFiles(dir).map((f) => parseSegmentName(f)!);
    expect(before.length).toBeGreaterThan(6);
    // Nothing released yet: purge must not delete a held segment even with keepMax 0.
    expect(await wal.purge(0)).toEqual([]);
    await wal.saveSnapshot({ index: 60, term: 1 });
    wal.releaseLockTo(60);
    const removed = await wal.purge(0);
    // Exactly the segments that cannot hold 60 or later: all before the last one starting <= 60.
    const keepFrom = before.filter((s) => s.index <= 60).pop()!;
    expect(removed).toEqual(before.filter((s) => s.seq < keepFrom.seq).map((s) => s.name));
    expect(walFiles(dir)[0]).toBe(keepFrom.name);
    expect(wal.heldSegments[0]).toBe(keepFrom.name);
    await wal.close();
    const r = await reopen(dir, { index: 60, term: 1 });
    expect(r.entries).toEqual(entries(61, 100));
    await r.wal.close();
  });

  it('purge keeps at least keepMax segments', async () => {
    const dir = newDir();
    const wal = await Wal.create(dir, META, { segmentSizeBytes: SEGMENT });
    for (let i = 1; i <= 100; i += 5) await wal.save({ term: 1, vote: 1n, commit: i + 4 }, entries(i, i + 4));
    wal.releaseLockTo(100);
    const total = walFiles(dir).length;
    const removed = await wal.purge(3);
    expect(removed.length).toBe(total - 3);
    expect(walFiles(dir).length).toBe(3);
    await wal.close();
  });
});

describe('Wal input checks and large Readies', () => {
  it('refuses non-consecutive entries in one save', async () => {
    const dir = newDir();
    const wal = await Wal.create(dir, META, { segmentSizeBytes: SEGMENT });
    await expect(wal.save(undefined, [entry(1), entry(3)])).rejects.toThrow(/not consecutive/);
    await expect(wal.save(undefined, [entry(2)])).rejects.toThrow(/gap/);
    await wal.save(undefined, [entry(1), entry(2)]);
    await wal.close();
  });

  it('writes a Ready larger than a segment and the writer buffer cap, and reads it back', async () => {
    const dir = newDir();
    const wal = await Wal.create(dir, META, { segmentSizeBytes: 1 << 20 });
    const big = entries(1, 100, 1, 100_000); // 10 MB in one save
    await wal.save({ term: 1, vote: 1n, commit: 0 }, big);
    await wal.save({ term: 1, vote: 1n, commit: 100 }, [entry(101)]);
    await wal.close();
    expect(walFiles(dir).length).toBe(2); // the big Ready stays in one segment; the cut follows it
    const r = await reopen(dir);
    expect(r.entries.length).toBe(101);
    expect(r.entries.every((e, i) => e.index === i + 1 && Buffer.compare(e.data, (i < 100 ? big[i]! : entry(101)).data) === 0)).toBe(true);
    await r.wal.close();
  });
});

describe('Wal recovery', () => {
  /** A WAL of one segment: entries 1..5 (one save each, the last without HardState). Returns where entry 5 starts. */
  async function walWithTail(dir: string): Promise<{ file: string; lastStart: number; lastEnd: number }> {
    const wal = await Wal.create(dir, META, { segmentSizeBytes: 1 << 20 });
    for (let i = 1; i <= 4; i++) await wal.save({ term: 1, vote: 1n, commit: i - 1 }, [entry(i)]);
    await wal.save(undefined, [entry(5)]);
    await wal.close();
    const files = walFiles(dir);
    expect(files.length).toBe(1);
    const perSave = frameBytes(ENTRY_HEADER_BYTES + 300) + frameBytes(STATE_PAYLOAD_BYTES);
    const lastStart = FIRST_SEGMENT_HEAD + 4 * perSave;
    return { file: path.join(dir, files[0]!), lastStart, lastEnd: lastStart + frameBytes(ENTRY_HEADER_BYTES + 300) };
  }

  it.each([1, 8, 15, 16, 17, 40, 200, 316, 332])('repairs a tail truncated %i bytes into the last record', async (cut) => {
    const dir = newDir();
    const { file, lastStart } = await walWithTail(dir);
    fs.truncateSync(file, lastStart + cut);
    const r = await reopen(dir);
    expect(r.entries).toEqual(entries(1, 4));
    expect(r.hardState).toEqual({ term: 1, vote: 1n, commit: 3 });
    // The log continues from the repaired point and stays readable.
    await r.wal.save({ term: 1, vote: 1n, commit: 4 }, [entry(5, 1, 50), entry(6)]);
    await r.wal.close();
    const r2 = await reopen(dir);
    expect(r2.entries).toEqual([...entries(1, 4), entry(5, 1, 50), entry(6)]);
    await r2.wal.close();
  });

  it.each([0, 16, 100, 320])('repairs a last record zero-filled from byte %i (preallocated space)', async (from) => {
    const dir = newDir();
    const { file, lastStart, lastEnd } = await walWithTail(dir);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(lastEnd - lastStart - from), 0, lastEnd - lastStart - from, lastStart + from);
    fs.closeSync(fd);
    expect(fs.statSync(file).size).toBe(1 << 20);
    const r = await reopen(dir);
    expect(r.entries).toEqual(entries(1, 4));
    await r.wal.save(undefined, [entry(5, 2)]);
    await r.wal.close();
    expect((await reopen(dir).then(async (x) => (await x.wal.close(), x.entries)))).toEqual([...entries(1, 4), entry(5, 2)]);
  });

  it('keeps appending to a live segment left without preallocation (crash inside a cut)', async () => {
    const dir = newDir();
    const wal = await Wal.create(dir, META, { segmentSizeBytes: SEGMENT });
    await wal.save({ term: 1, vote: 1n, commit: 0 }, entries(1, 3));
    await wal.close();
    const file = path.join(dir, walFiles(dir)[0]!);
    const used = FIRST_SEGMENT_HEAD + 3 * frameBytes(ENTRY_HEADER_BYTES + 300) + frameBytes(STATE_PAYLOAD_BYTES);
    fs.truncateSync(file, used); // what a cut leaves before the next segment is renamed into place
    const r = await reopen(dir);
    expect(r.entries).toEqual(entries(1, 3));
    for (let i = 4; i <= 30; i++) await r.wal.save(undefined, [entry(i)]);
    await r.wal.close();
    expect(walFiles(dir).length).toBeGreaterThan(1);
    const r2 = await reopen(dir);
    expect(r2.entries).toEqual(entries(1, 30));
    await r2.wal.close();
  });

  /** One segment: entries 1..4 in separate saves, then entries 5..24 in ONE save (one write). */
  async function walWithBigLastWrite(dir: string): Promise<{ file: string; writeStart: number; frame: number }> {
    const wal = await Wal.create(dir, META, { segmentSizeBytes: 1 << 20 });
    for (let i = 1; i <= 4; i++) await wal.save(undefined, [entry(i)]);
    await wal.save(undefined, entries(5, 24));
    await wal.close();
    const frame = frameBytes(ENTRY_HEADER_BYTES + 300);
    return { file: path.join(dir, walFiles(dir)[0]!), writeStart: FIRST_SEGMENT_HEAD + 4 * frame, frame };
  }

  it('keeps the complete records of a torn multi-record write that precede the tear', async () => {
    const dir = newDir();
    const { file, writeStart, frame } = await walWithBigLastWrite(dir);
    // The write reached the disk up to a sector boundary inside entry 5 + k's frame.
    const tear = Math.ceil((writeStart + 7 * frame + 40) / 512) * 512;
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(writeStart + 20 * frame - tear), 0, writeStart + 20 * frame - tear, tear);
    fs.closeSync(fd);
    const complete = Math.floor((tear - writeStart) / frame); // frames wholly before the tear
    const r = await reopen(dir);
    expect(r.entries).toEqual(entries(1, 4 + complete));
    await r.wal.close();
  });

  it('cuts the log at a sector of the last write that never reached the disk, even if later ones did', async () => {
    const dir = newDir();
    const { file, writeStart, frame } = await walWithBigLastWrite(dir);
    const lostSector = Math.ceil((writeStart + 10 * frame) / 512) * 512;
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(512), 0, 512, lostSector);
    fs.closeSync(fd);
    const firstHit = Math.floor((lostSector - writeStart) / frame); // the frame holding the sector's first byte
    const r = await reopen(dir);
    expect(r.entries).toEqual(entries(1, 4 + firstHit));
    await r.wal.save(undefined, [entry(5 + firstHit, 3)]);
    await r.wal.close();
    const r2 = await reopen(dir);
    expect(r2.entries).toEqual([...entries(1, 4 + firstHit), entry(5 + firstHit, 3)]);
    await r2.wal.close();
  });

  it('refuses a flipped byte in a closed segment, naming the file and the record offset', async () => {
    const dir = newDir();
    const wal = await Wal.create(dir, META, { segmentSizeBytes: SEGMENT });
    for (let i = 1; i <= 40; i++) await wal.save(undefined, [entry(i)]);
    await wal.close();
    const files = walFiles(dir);
    expect(files.length).toBeGreaterThan(2);
    // In the first segment, entry 3's frame starts after the head and two entry frames.
    const entryFrame = frameBytes(ENTRY_HEADER_BYTES + 300);
    const offset = FIRST_SEGMENT_HEAD + 2 * entryFrame;
    const file = path.join(dir, files[0]!);
    const buf = fs.readFileSync(file);
    buf[offset + 16 + 100] = buf[offset + 16 + 100]! ^ 0x01;
    fs.writeFileSync(file, buf);
    const err = await reopen(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WalCorruptError);
    expect((err as WalCorruptError).file).toBe(files[0]);
    expect((err as WalCorruptError).offset).toBe(offset);
    expect((err as WalCorruptError).message).toContain(`${files[0]} at byte offset ${offset}`);
  });

  it('refuses a flipped length byte even in the live segment (never mistaken for a torn tail)', async () => {
    const dir = newDir();
    const { file, lastStart } = await walWithTail(dir);
    const entryFrame = frameBytes(ENTRY_HEADER_BYTES + 300) + frameBytes(STATE_PAYLOAD_BYTES);
    const offset = lastStart - 2 * entryFrame; // entry 3's frame
    const buf = fs.readFileSync(file);
    buf[offset + 2] = buf[offset + 2]! ^ 0x40; // payload length += 4 MiB
    fs.writeFileSync(file, buf);
    await expect(reopen(dir)).rejects.toMatchObject({ name: 'WalCorruptError', offset });
  });

  it('refuses a flipped payload byte mid-log in the live segment', async () => {
    const dir = newDir();
    const { file, lastStart } = await walWithTail(dir);
    const offset = lastStart - frameBytes(ENTRY_HEADER_BYTES + 300) - frameBytes(STATE_PAYLOAD_BYTES); // entry 4
    const buf = fs.readFileSync(file);
    buf[offset + 16 + 17 + 5] = buf[offset + 16 + 17 + 5]! ^ 0x80;
    fs.writeFileSync(file, buf);
    await expect(reopen(dir)).rejects.toMatchObject({ name: 'WalCorruptError', offset, file: path.basename(file) });
  });

  it('refuses segments with conflicting metadata', async () => {
    const dir = newDir();
    const wal = await Wal.create(dir, META, { segmentSizeBytes: SEGMENT });
    for (let i = 1; i <= 20; i++) await wal.save(undefined, [entry(i)]);
    await wal.close();
    const files = walFiles(dir);
    expect(files.length).toBeGreaterThan(1);
    // Rewrite the last segment with a correct crc chain but another member's metadata.
    let crc: number | undefined;
    for (const f of files.slice(0, -1)) crc = scanSegment(fs.readFileSync(path.join(dir, f)), f, false, crc, () => undefined).crc;
    const w = new RecordWriter(crc!);
    w.appendCrc(crc!);
    w.appendMetadata(new TextEncoder().encode('member-2/cluster-7'));
    w.appendEntry(entry(21));
    fs.writeFileSync(path.join(dir, files[files.length - 1]!), w.bytes().subarray(0, w.length));
    await expect(reopen(dir)).rejects.toThrow(WalMetadataConflictError);
  });
});
