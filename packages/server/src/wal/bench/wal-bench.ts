// WAL throughput, printed (never asserted). Run:
//   npx esbuild --bundle --platform=node --format=cjs packages/server/src/wal/bench/wal-bench.ts \
//     --outfile=/tmp/wal-bench.cjs && node /tmp/wal-bench.cjs [dir]
// Measures the raw write+fdatasync latency of the disk, then Wal.save() with 1-entry and
// 100-entry Readies of 300-byte entries (each save = one write + one fdatasync).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { crc32c } from '../../pkg/crc32c';
import { fdatasync, writeAt } from '../../pkg/fileutil';
import { EntryType, type Entry } from '../../raft/types';
import { Wal, type WalSyncMode } from '../wal';

const ENTRY_BYTES = 300;

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function stats(samplesMs: number[]): string {
  const s = [...samplesMs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(3);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return `mean ${mean.toFixed(3)} ms, p50 ${q(0.5)}, p99 ${q(0.99)}`;
}

async function rawFdatasync(dir: string, n: number): Promise<void> {
  const file = path.join(dir, 'raw');
  const fd = fs.openSync(file, 'w+');
  fs.ftruncateSync(fd, 64 * 1024 * 1024);
  const buf = Buffer.alloc(336, 7);
  const samples: number[] = [];
  const t0 = nowMs();
  for (let i = 0; i < n; i++) {
    const t = nowMs();
    await writeAt(fd, buf, 0, buf.length, i * buf.length);
    await fdatasync(fd);
    samples.push(nowMs() - t);
  }
  const total = nowMs() - t0;
  console.log(`raw write(336 B)+fdatasync: ${(n / (total / 1000)).toFixed(0)} /s, ${stats(samples)}`);
  fs.closeSync(fd);
}

async function walSaves(dir: string, syncMode: WalSyncMode, batch: number, n: number): Promise<void> {
  const walDir = path.join(dir, `wal-${syncMode}-${batch}`);
  const wal = await Wal.create(walDir, new Uint8Array(16), { syncMode });
  const data = new Uint8Array(ENTRY_BYTES).fill(0x5a);
  let index = 1;
  const samples: number[] = [];
  const t0 = nowMs();
  for (let i = 0; i < n; i++) {
    const ents: Entry[] = [];
    for (let k = 0; k < batch; k++) ents.push({ term: 1, index: index++, type: EntryType.Normal, data });
    const t = nowMs();
    await wal.save({ term: 1, vote: 1n, commit: index - 1 }, ents);
    samples.push(nowMs() - t);
  }
  const total = nowMs() - t0;
  const perSec = n / (total / 1000);
  console.log(
    `Wal.save (${syncMode}) ${batch} x ${ENTRY_BYTES} B: ${perSec.toFixed(0)} saves/s = ${(perSec * batch).toFixed(0)} entries/s, ` +
      `${((perSec * batch * ENTRY_BYTES) / 1e6).toFixed(1)} MB/s payload, ${stats(samples)}`,
  );
  await wal.close();
}

function crcThroughput(): void {
  const buf = Buffer.alloc(1 << 20, 0xa5);
  let c = 0;
  const t0 = nowMs();
  for (let i = 0; i < 200; i++) c = crc32c(c, buf);
  const ms = nowMs() - t0;
  console.log(`crc32c: ${(200 / (ms / 1000)).toFixed(0)} MB/s (check ${c.toString(16)})`);
}

async function main(): Promise<void> {
  const base = process.argv[2] ?? os.tmpdir();
  const dir = fs.mkdtempSync(path.join(base, 'tsetcd-wal-bench-'));
  try {
    crcThroughput();
    await rawFdatasync(dir, 2000);
    for (const mode of ['dsync', 'fdatasync'] as const) {
      await walSaves(dir, mode, 1, 2000);
      await walSaves(dir, mode, 100, 500);
    }
    await rawFdatasync(dir, 2000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
