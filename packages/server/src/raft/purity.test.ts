// The core must stay pure: no node:* imports, timers, Promises, Date, Math.random or process access.
import * as fs from 'node:fs';
import * as path from 'node:path';

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) {
      if (ent.name === 'testing' || ent.name === 'testdata') continue; // test support only
      out.push(...sourceFiles(p));
    } else if (ent.name.endsWith('.ts') && !ent.name.endsWith('.test.ts')) {
      out.push(p);
    }
  }
  return out;
}

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

const FORBIDDEN: readonly [string, RegExp][] = [
  ['node: import', /from\s+['"]node:/],
  ['builtin import', /from\s+['"](fs|path|os|crypto|timers|events|child_process|worker_threads)['"]/],
  ['require', /\brequire\s*\(/],
  ['timer', /\b(setTimeout|setInterval|setImmediate|queueMicrotask)\b/],
  ['Promise', /\bPromise\b/],
  ['async', /\basync\b|\bawait\b/],
  ['Date', /\bDate\b/],
  ['Math.random', /Math\.random/],
  ['performance', /\bperformance\b/],
  ['process', /\bprocess\./],
];

describe('raft core purity', () => {
  const files = sourceFiles(__dirname);

  it('scans the core sources', () => {
    expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['raft.ts', 'raw-node.ts', 'memory-storage.ts']));
  });

  it('finds a forbidden construct when one is present (self-check)', () => {
    const bad = "import { x } from 'node:fs';\nsetTimeout(() => 1, 5);";
    const hits = FORBIDDEN.filter(([, re]) => re.test(stripComments(bad))).map(([n]) => n);
    expect(hits).toEqual(['node: import', 'timer']);
  });

  it('has no I/O, timers, promises, clock or Math.random in any core file', () => {
    const violations: string[] = [];
    for (const f of files) {
      const src = stripComments(fs.readFileSync(f, 'utf8'));
      for (const [name, re] of FORBIDDEN) if (re.test(src)) violations.push(`${path.relative(__dirname, f)}: ${name}`);
    }
    expect(violations).toEqual([]);
  });
});
