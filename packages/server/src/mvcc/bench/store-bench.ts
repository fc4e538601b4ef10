// Throughput of the store with 256-byte values: puts/s and ranges/s, one write per write txn and
// 100 writes per txn. Not a test (no timing assertions). Run:
//   npx esbuild packages/server/src/mvcc/bench/store-bench.ts --bundle --platform=node \
//     --external:lmdb --alias:@tsetcd/api=./packages/api/src/index.ts --outfile=/tmp/store-bench.cjs \
//     && node /tmp/store-bench.cjs

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Backend } from '../../backend/backend';
import { KvStore } from '../kv-store';

const VALUE_BYTES = 256;
const KEY_SPACE = 10_000;

function key(i: number): Buffer {
  return Buffer.from(`/bench/key-${String(i % KEY_SPACE).padStart(6, '0')}`);
}

function measure(label: string, ops: number, fn: () => void): void {
  const start = process.hrtime.bigint();
  fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`${label.padEnd(40)} ${ops} ops in ${ms.toFixed(0)} ms = ${Math.round((ops / ms) * 1000)} ops/s`);
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsetcd-bench-'));
  const backend = Backend.open(path.join(dir, 'db'));
  const store = new KvStore(backend);
  const value = Buffer.alloc(VALUE_BYTES, 0x61);
  const n = Number(process.env.BENCH_OPS ?? 20_000);

  measure('put, 1 per write txn', n, () => {
    for (let i = 0; i < n; i++) store.put(key(i), value);
  });
  measure('put, 100 per write txn', n, () => {
    for (let i = 0; i < n; i += 100) {
      store.write((txn) => {
        for (let j = i; j < i + 100; j++) txn.put(key(j), value);
      });
    }
  });
  measure('put, 100 txns per backend batch', n, () => {
    for (let i = 0; i < n; i += 100) {
      backend.batchTx(() => {
        for (let j = i; j < i + 100; j++) store.put(key(j), value);
      });
    }
  });
  measure('range single key', n, () => {
    for (let i = 0; i < n; i++) store.range(key(i * 7), undefined);
  });
  measure('range of 100 keys', n / 10, () => {
    for (let i = 0; i < n / 10; i++) {
      const first = (i * 13) % (KEY_SPACE - 100);
      store.range(key(first), key(first + 100));
    }
  });
  measure('count over all 10000 keys', 100, () => {
    for (let i = 0; i < 100; i++) store.range(key(0), Buffer.alloc(0), { count: true });
  });
  measure('range single key at an old revision', n, () => {
    const rev = store.rev() - BigInt(n);
    for (let i = 0; i < n; i++) store.range(key(i * 7), undefined, { rev });
  });
  await backend.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();
