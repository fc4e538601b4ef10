// WAL throughput, printed (never asserted). Run:
//   npx esbuild --bundle --platform=node --format=cjs packages/server/src/wal/bench/wal-bench.ts \
//     --outfile=/tmp/wal-bench.cjs && node /tmp/wal-bench.cjs [dir] [rounds]
// Compares, in interleaved rounds (so load drift on a shared machine hits all alike):
//   raw      one 336-byte positioned write + fdatasync on a preallocated file (the disk's floor)
//   Wal.save with 1-entry and 100-entry Readies of 300-byte entries, in both sync modes
//            (each save = one write + one sync; 'dsync' folds them into one O_DSYNC write).
// Prints per case: median over rounds of ops/s, and p50/p99 latency over all samples.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { crc32c } from '../../pkg/crc32c';
import { fdatasync, writeAt } from '../../pkg/fileutil';
import { EntryType, type Entry } from '../../raft/types';
import { Wal, type WalSyncMode } from '../wal';

const ENTRY_BYTES = 300;
const OPS_PER_ROUND = 200;

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

interface Case {
  readonly name: string;
  readonly batch: number;
  op(): Promise<void>;
  readonly perSec: number[];
  readonly latMs: number[];
}

function rawCase(dir: string): Case {
  const fd = fs.openSync(path.join(dir, 'raw'), 'w+');
  fs.ftruncateSync(fd, 256 * 1024 * 1024);
  const buf = Buffer.alloc(336, 7);
  let pos = 0;
  return {
    name: 'raw write(336 B) + fdatasync',
    batch: 1,
    perSec: [],
    latMs: [],
    async op() {
      await writeAt(fd, buf, 0, buf.length, pos);
      pos += buf.length;
      await fdatasync(fd);
    },
  };
}

async function walCase(dir: string, syncMode: WalSyncMode, batch: number): Promise<Case> {
  const wal = await Wal.create(path.join(dir, `wal-${syncMode}-${batch}`), new Uint8Array(16), { syncMode });
  const data = new Uint8Array(ENTRY_BYTES).fill(0x5a);
  let index = 1;
  return {
    name: `Wal.save ${syncMode.padEnd(9)} ${String(batch).padStart(3)} x ${ENTRY_BYTES} B`,
    batch,
    perSec: [],
    latMs: [],
    async op() {
      const ents: Entry[] = [];
      for (let k = 0; k < batch; k++) ents.push({ term: 1, index: index++, type: EntryType.Normal, data });
      await wal.save({ term: 1, vote: 1n, commit: index - 1 }, ents);
    },
  };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function main(): Promise<void> {
  const base = process.argv[2] ?? os.tmpdir();
  const rounds = Number(process.argv[3] ?? 5);
  const dir = fs.mkdtempSync(path.join(base, 'tsetcd-wal-bench-'));
  try {
    const buf = Buffer.alloc(1 << 20, 0xa5);
    const t0 = nowMs();
    for (let i = 0; i < 100; i++) crc32c(0, buf);
    console.log(`crc32c: ${(100 / ((nowMs() - t0) / 1000)).toFixed(0)} MB/s; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const cases = [
      rawCase(dir),
      await walCase(dir, 'dsync', 1),
      await walCase(dir, 'fdatasync', 1),
      await walCase(dir, 'dsync', 100),
      await walCase(dir, 'fdatasync', 100),
    ];
    for (let r = 0; r < rounds; r++) {
      // Rotate the order so the write-back left by one case does not always land on the same next one.
      const order = [...cases.slice(r % cases.length), ...cases.slice(0, r % cases.length)];
      for (const c of order) {
        const start = nowMs();
        for (let i = 0; i < OPS_PER_ROUND; i++) {
          const t = nowMs();
          await c.op();
          c.latMs.push(nowMs() - t);
        }
        c.perSec.push(OPS_PER_ROUND / ((nowMs() - start) / 1000));
      }
    }
    for (const c of cases) {
      const perSec = [...c.perSec].sort((a, b) => a - b);
      const lat = [...c.latMs].sort((a, b) => a - b);
      const med = pct(perSec, 0.5);
      console.log(
        `${c.name.padEnd(36)} ${med.toFixed(0).padStart(6)} ops/s (${(med * c.batch).toFixed(0).padStart(7)} entries/s)` +
          `  p50 ${pct(lat, 0.5).toFixed(3)} ms  p99 ${pct(lat, 0.99).toFixed(3)} ms`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
