// A small datadriven runner in the style of cockroachdb/datadriven (test code only).
//
//   # comment
//   cmd pos key=val key=(a,b)
//   optional input lines
//   ----
//   expected output (ends at the first blank line)
//
// With REWRITE=1 in the environment the file is regenerated from the actual output.
import * as fs from 'node:fs';

export interface CmdArg {
  readonly key: string;
  readonly vals: readonly string[];
}

export interface TestData {
  readonly pos: string;
  readonly cmd: string;
  readonly args: readonly CmdArg[];
  readonly input: string;
}

export function parseArgs(line: string): { cmd: string; args: CmdArg[] } {
  const tokens: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of line.trim()) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ' ' && depth === 0) {
      if (cur) tokens.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) tokens.push(cur);
  const [cmd, ...rest] = tokens;
  const args = rest.map((t): CmdArg => {
    const eq = t.indexOf('=');
    if (eq < 0) return { key: t, vals: [] };
    const key = t.slice(0, eq);
    let v = t.slice(eq + 1);
    if (v.startsWith('(') && v.endsWith(')')) {
      v = v.slice(1, -1);
      return { key, vals: v === '' ? [] : v.split(',').map((s) => s.trim()) };
    }
    return { key, vals: [v] };
  });
  return { cmd: cmd ?? '', args };
}

export function argValue(d: TestData, key: string): string | undefined {
  return d.args.find((a) => a.key === key)?.vals[0];
}

export function hasArg(d: TestData, key: string): boolean {
  return d.args.some((a) => a.key === key);
}

interface Block {
  readonly header: string[]; // comment/blank lines before the command
  readonly data: TestData;
}

function parseFile(path: string, text: string): { blocks: Block[]; trailer: string[] } {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let header: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) {
      header.push(line);
      i++;
      continue;
    }
    const cmdLine = line;
    const pos = `${path}:${i + 1}`;
    i++;
    const input: string[] = [];
    while (i < lines.length && lines[i] !== '----') input.push(lines[i++]!);
    if (i >= lines.length) throw new Error(`${pos}: missing ---- separator`);
    i++; // ----
    while (i < lines.length && lines[i]!.trim() !== '') i++; // expected output, regenerated
    const { cmd, args } = parseArgs(cmdLine);
    blocks.push({ header, data: { pos, cmd, args, input: input.join('\n') } });
    header = [];
  }
  return { blocks, trailer: header };
}

function render(cmdLine: string, input: string, output: string): string {
  let s = cmdLine + '\n';
  if (input) s += input + '\n';
  s += '----\n';
  const out = output.replace(/\n+$/, '');
  s += (out === '' ? 'ok' : out) + '\n';
  return s;
}

/**
 * Runs every command of `path` through `handler` and returns { expected, actual } full-file texts.
 * With REWRITE=1 the file is rewritten with the actual text.
 */
export function runDataDriven(path: string, handler: (d: TestData) => string): { expected: string; actual: string } {
  const text = fs.readFileSync(path, 'utf8');
  const { blocks, trailer } = parseFile(path, text);
  const cmdLines = text.split('\n');
  let actual = '';
  for (const b of blocks) {
    for (const h of b.header) actual += h + '\n';
    const lineNo = Number(b.data.pos.slice(b.data.pos.lastIndexOf(':') + 1));
    const out = handler(b.data);
    actual += render(cmdLines[lineNo - 1]!, b.data.input, out);
  }
  for (const h of trailer) actual += h + '\n';
  actual = actual.replace(/\n+$/, '\n');
  const expected = text.replace(/\n+$/, '\n');
  if (process.env['REWRITE'] === '1' && actual !== expected) fs.writeFileSync(path, actual);
  return { expected, actual };
}

