// The checker must reproduce the known verdicts of all 102 Jepsen etcd histories.

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkOperations } from './checker';
import { parseJepsenHistory } from './jepsen';
import { registerModel } from './models/register';

const REPO_ROOT = resolve(__dirname, '../../..');
const DATA_DIR = resolve(REPO_ROOT, '../shared/data/jepsen-etcd');
// Generous: the slowest history takes ~0.8 s here unloaded; CI machines may be many times slower.
const PER_HISTORY_BUDGET_MS = 60_000;
const EXPECTED_HISTORIES = 102;

function loadVerdicts(): Map<string, 'ok' | 'illegal'> {
  if (!existsSync(join(DATA_DIR, 'verdicts.txt'))) {
    throw new Error(`Jepsen histories missing: expected ${DATA_DIR}/verdicts.txt (shared/ beside the repo clone)`);
  }
  const verdicts = new Map<string, 'ok' | 'illegal'>();
  for (const line of readFileSync(join(DATA_DIR, 'verdicts.txt'), 'utf8').split('\n')) {
    const [file, verdict] = line.trim().split(/\s+/);
    if (!file || !verdict) continue;
    if (verdict !== 'linearizable' && verdict !== 'not-linearizable') throw new Error(`bad verdict line: ${line}`);
    verdicts.set(file, verdict === 'linearizable' ? 'ok' : 'illegal');
  }
  return verdicts;
}

describe('linearizability checker on the Jepsen etcd histories', () => {
  const verdicts = loadVerdicts();

  it('has all 102 histories and their verdicts', () => {
    expect(verdicts.size).toBe(EXPECTED_HISTORIES);
    const counts = [...verdicts.values()].reduce((acc, v) => (acc[v]++, acc), { ok: 0, illegal: 0 });
    expect(counts).toEqual({ ok: 23, illegal: 79 });
  });

  it('reproduces every verdict, each within its time budget', () => {
    const mismatches: string[] = [];
    let totalMs = 0;
    for (const [file, expected] of verdicts) {
      const ops = parseJepsenHistory(readFileSync(join(DATA_DIR, file), 'utf8'));
      expect(ops.length).toBeGreaterThan(0);
      const report = checkOperations(registerModel, ops, { budgetMs: PER_HISTORY_BUDGET_MS });
      totalMs += report.elapsedMs;
      // 'unknown' (budget exhausted) never matches a verdict: it fails the test.
      if (report.result !== expected) mismatches.push(`${file}: expected ${expected}, got ${report.result}`);
    }
    console.log(`linearizability checker: ${verdicts.size} Jepsen histories checked in ${totalMs} ms`);
    expect(mismatches).toEqual([]);
  });
});
