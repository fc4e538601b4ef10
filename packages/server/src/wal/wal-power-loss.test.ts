// Power loss, modelled per sector (testing/power-loss-disk.ts): whatever mix of synced and
// unsynced sectors survives, the WAL must reopen without a corruption error, hold every entry of
// every save that resolved, and keep working. This is what makes the O_DSYNC fast path (which
// syncs only its own range) safe: it must not be used while earlier writes are unsynced.

import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import type { Entry } from '../raft/types';
import { Wal, type WalSyncMode } from './index';
import { entries, tempDir, walFiles } from './testing/fixtures';
import { PowerLossDisk, seededRandom } from './testing/power-loss-disk';

const SEGMENT = 256 * 1024; // large enough that a scenario never cuts (the disk model is one file)
const META = new Uint8Array([7, 7, 7]);

async function scenario(root: string, syncMode: WalSyncMode, seed: number): Promise<void> {
  const rand = seededRandom(seed);
  const dir = path.join(root, `${syncMode}-${seed}`);
  await (await Wal.create(dir, META, { segmentSizeBytes: SEGMENT })).close();
  const file = path.join(dir, walFiles(dir)[0]!);
  const disk = new PowerLossDisk(fs.readFileSync(file));
  const wal = await Wal.open(dir, { index: 0, term: 0 }, { segmentSizeBytes: SEGMENT, syncMode, io: disk.io });
  await wal.readAll();

  const written: Entry[] = [];
  let acked = 0;
  let term = 1;
  let commit = 0;
  const saves = 3 + Math.floor(rand() * 25);
  for (let i = 0; i < saves; i++) {
    const r = rand();
    if (r < 0.45) {
      const add = entries(written.length + 1, written.length + 1 + Math.floor(rand() * 4), term, Math.floor(rand() * 900));
      written.push(...add);
      await wal.save({ term, vote: 1n, commit }, add);
      acked = written.length;
    } else if (r < 0.9) {
      commit = Math.min(written.length, commit + 1);
      await wal.save({ term, vote: 1n, commit }, []); // commit only: written, not synced
    } else {
      term++;
      await wal.save({ term, vote: 1n, commit }, []); // term change: synced
    }
  }
  // The power goes out while one more Ready is being written.
  disk.crash();
  const inflight = entries(written.length + 1, written.length + 3, term, 200);
  await wal.save({ term, vote: 1n, commit }, inflight).catch(() => undefined);
  await wal.close();
  fs.writeFileSync(file, disk.image(rand));

  const reopened = await Wal.open(dir, { index: 0, term: 0 }, { segmentSizeBytes: SEGMENT });
  const got = await reopened.readAll();
  const all = [...written, ...inflight];
  expect(got.entries.length).toBeGreaterThanOrEqual(acked);
  expect(got.entries).toEqual(all.slice(0, got.entries.length));
  // It keeps working: append after the recovered tail, reopen, read it all back.
  const next = entries(got.entries.length + 1, got.entries.length + 2, term + 1);
  await reopened.save({ term: term + 1, vote: 2n, commit }, next);
  await reopened.close();
  const again = await Wal.open(dir, { index: 0, term: 0 }, { segmentSizeBytes: SEGMENT });
  expect((await again.readAll()).entries).toEqual([...got.entries, ...next]);
  await again.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

describe('Wal after a power loss (sector model)', () => {
  const root = tempDir('wal-power');
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it.each(['dsync', 'fdatasync'] as const)('never loses a resolved save nor reports corruption (%s)', async (syncMode) => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 0x7fffffff }), (seed) => scenario(root, syncMode, seed)),
      { numRuns: Number(process.env.WAL_POWER_RUNS ?? 30) },
    );
  }, 60_000);
});
