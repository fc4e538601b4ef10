// kill -9 a process in the middle of a stream of saves: every save that had resolved must be in
// the WAL after reopening, and the WAL must keep working across repeated crashes.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { LockHeldError } from '../pkg/fileutil';
import { Wal } from './index';
import { crashEntry, tempDir } from './testing/fixtures';

const SEGMENT = 64 * 1024;
const BATCH_MAX = 9;
let root: string;
let childScript: string;

beforeAll(() => {
  root = tempDir('wal-crash');
  childScript = path.join(root, 'crash-child.cjs');
  buildSync({
    entryPoints: [path.join(__dirname, 'testing', 'crash-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: childScript,
    logLevel: 'silent',
  });
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** Run the child until it has resolved `moreSaves` saves, SIGKILL it; returns the last resolved index. */
function runAndKill(dir: string, moreSaves: number): Promise<{ start: number; lastResolved: number; lockedOut: unknown }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, dir, String(SEGMENT), String(BATCH_MAX)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let start = -1;
    let lastResolved = -1;
    let saves = 0;
    let pending = '';
    let stderr = '';
    let killed = false;
    let lockedOut: unknown;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('start ')) {
          start = Number(line.slice(6));
          // While the child appends, this process must not be able to open the same WAL.
          Wal.open(dir, { index: 0, term: 0 }).then(
            (w) => {
              lockedOut = 'opened';
              void w.close();
            },
            (err: unknown) => (lockedOut = err),
          );
        }
        else {
          lastResolved = Number(line);
          saves++;
        }
      }
      if (saves >= moreSaves && !killed) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`child exited on its own: ${stderr}`));
      resolve({ start, lastResolved, lockedOut });
    });
  });
}

async function readBack(dir: string) {
  const wal = await Wal.open(dir, { index: 0, term: 0 }, { segmentSizeBytes: SEGMENT });
  try {
    return await wal.readAll();
  } finally {
    await wal.close();
  }
}

describe('Wal after kill -9', () => {
  it('keeps every resolved save through repeated crashes mid-stream', async () => {
    const dir = path.join(root, 'member', 'wal');
    let previousLast = 0;
    const t0 = Date.now();
    for (const moreSaves of [150, 400, 60, 900]) {
      const { start, lastResolved, lockedOut } = await runAndKill(dir, moreSaves);
      expect(lockedOut).toBeInstanceOf(LockHeldError);
      expect(start).toBeGreaterThanOrEqual(previousLast); // nothing resolved earlier went missing
      expect(lastResolved).toBeGreaterThan(start);
      const { entries, hardState } = await readBack(dir);
      expect(entries.length).toBeGreaterThanOrEqual(lastResolved);
      // Contiguous from 1, each entry byte-exact (including any written after the last report).
      const wrong = entries.filter((e, i) => {
        const want = crashEntry(i + 1);
        return e.index !== want.index || e.term !== want.term || e.type !== want.type || Buffer.compare(e.data, want.data) !== 0;
      });
      expect(wrong.map((e) => e.index)).toEqual([]);
      expect(hardState.term).toBe(1);
      previousLast = lastResolved;
    }
    console.log(`kill -9 test: 4 crashes, last resolved index ${previousLast}, ${Date.now() - t0} ms`);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.wal')).length).toBeGreaterThan(1);
  }, 60_000);
});
