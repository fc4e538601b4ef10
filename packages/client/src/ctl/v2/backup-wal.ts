// Read-only replay of a tsetcd WAL for `backup` (etcd's wal.OpenForRead): no lock taken, nothing
// repaired, so it also reads the WAL of a running member. A torn tail of the last segment ends
// the log there; any other damage is an error naming the file and offset.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanSegment, RecordType, type WalSnapshot } from '../../../../server/src/wal/record';
import { assertContiguous, searchIndex, segmentNames } from '../../../../server/src/wal/segment-name';
import { EMPTY_HARD_STATE, type Entry, type HardState } from '../../../../server/src/raft/types';

export interface WalReadResult {
  readonly metadata: Uint8Array;
  readonly hardState: HardState;
  /** Entries after the snapshot, consecutive, the last write of an index winning. */
  readonly entries: Entry[];
}

/** Raised when `dir` holds no WAL in tsetcd's record format (e.g. a real etcd data dir). */
export class NotTsetcdWalError extends Error {}

/** The snapshot markers whose index the WAL's last HardState commits (restart candidates). */
export function readWalSnapshots(dir: string): WalSnapshot[] {
  const snaps: WalSnapshot[] = [];
  let state: HardState = EMPTY_HARD_STATE;
  scanAll(dir, 0, (rec) => {
    if (rec.type === RecordType.Snapshot) snaps.push(rec.snapshot);
    else if (rec.type === RecordType.State) state = rec.state;
  });
  return snaps.filter((s) => s.index <= state.commit);
}

/** Metadata, last HardState and the entries after `snap` (which must have a marker in the WAL). */
export function readWalFrom(dir: string, snap: WalSnapshot): WalReadResult {
  let metadata: Uint8Array | undefined;
  let hardState: HardState = EMPTY_HARD_STATE;
  const entries: Entry[] = [];
  let matched = false;
  scanAll(dir, snap.index, (rec, file, offset) => {
    switch (rec.type) {
      case RecordType.Entry: {
        const e = rec.entry;
        if (e.index <= snap.index) {
          entries.length = 0;
          break;
        }
        const pos = e.index - snap.index - 1;
        if (pos > entries.length) throw new Error(`wal: ${file} at byte offset ${offset}: entry ${e.index} leaves a gap after ${snap.index + entries.length}`);
        entries.length = pos;
        entries.push(e);
        break;
      }
      case RecordType.State:
        hardState = rec.state;
        break;
      case RecordType.Metadata:
        metadata ??= rec.metadata;
        break;
      case RecordType.Snapshot:
        if (rec.snapshot.index === snap.index) {
          if (rec.snapshot.term !== snap.term) throw new Error(`wal: snapshot ${snap.index} has term ${rec.snapshot.term} in the WAL, ${snap.term} in the snap file`);
          matched = true;
        }
        break;
      case RecordType.Crc:
        break;
    }
  });
  if (!matched) throw new Error(`wal: no snapshot record {index ${snap.index}, term ${snap.term}} in ${dir}`);
  if (metadata === undefined) throw new Error(`wal: no metadata record in ${dir}`);
  return { metadata, hardState, entries };
}

type Visit = (rec: Parameters<Parameters<typeof scanSegment>[4]>[0], file: string, offset: number) => void;

function scanAll(dir: string, fromIndex: number, visit: Visit): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    throw new Error(`open ${dir}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
  const segs = segmentNames(names);
  if (segs.length === 0) throw new Error(`wal: no WAL segment in ${dir}`);
  assertContiguous(segs);
  const held = segs.slice(searchIndex(segs, fromIndex));
  let crc: number | undefined;
  for (let i = 0; i < held.length; i++) {
    const seg = held[i]!;
    const buf = fs.readFileSync(path.join(dir, seg.name));
    try {
      const scan = scanSegment(buf, seg.name, i === held.length - 1, crc, (rec, offset) => visit(rec, seg.name, offset));
      crc = scan.crc;
    } catch (err) {
      if (i === 0 && looksLikeEtcdWal(buf)) {
        throw new NotTsetcdWalError(`${path.join(dir, seg.name)} is not a tsetcd WAL segment (an etcd WAL?)`);
      }
      throw err;
    }
  }
}

/** etcd's first WAL record: an 8-byte little-endian frame length, then a walpb.Record (field 1 = type varint). */
function looksLikeEtcdWal(buf: Buffer): boolean {
  return buf.length >= 10 && buf[8] === 0x08 && buf.readUIntLE(4, 3) === 0;
}
