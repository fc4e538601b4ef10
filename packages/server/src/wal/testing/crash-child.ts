// Child process for the kill -9 test: appends Readies to the WAL at argv[2] forever, printing the
// last index of each save once it has resolved. If the WAL exists it is replayed first and the
// stream continues after its last entry ("start <n>" is printed).

import { Wal } from '../wal';
import { crashEntry } from './fixtures';

async function main(): Promise<void> {
  const [dir, segmentArg, batchArg] = process.argv.slice(2);
  if (!dir || !segmentArg || !batchArg) throw new Error('usage: crash-child <dir> <segmentSizeBytes> <batchMax>');
  const opts = { segmentSizeBytes: Number(segmentArg) };
  const batchMax = Number(batchArg);
  let wal: Wal;
  let next = 1;
  if (Wal.exists(dir)) {
    wal = await Wal.open(dir, { index: 0, term: 0 }, opts);
    const { entries } = await wal.readAll();
    next = entries.length + 1;
  } else {
    wal = await Wal.create(dir, new TextEncoder().encode('crash-test'), opts);
  }
  process.stdout.write(`start ${next - 1}\n`);
  for (;;) {
    const batch = 1 + (next % batchMax);
    const ents = [];
    for (let i = next; i < next + batch; i++) ents.push(crashEntry(i));
    await wal.save({ term: 1, vote: 1n, commit: next - 1 }, ents);
    next += batch;
    process.stdout.write(`${next - 1}\n`); // a pipe write: synchronous on Linux
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
