// Test helpers for the WAL: temp dirs and entry builders. Not part of the package API.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EntryType, type Entry } from '../../raft/types';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tsetcd-${prefix}-`));
}

/** Deterministic, never-zero payload for entry `index` of `term` (so no sector is accidentally all zeros). */
export function payload(index: number, term: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = (index * 2654435761 + term * 40503) >>> 0;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = 1 + ((x >>> 16) % 255);
  }
  return out;
}

export function entry(index: number, term = 1, size = 300): Entry {
  return { index, term, type: EntryType.Normal, data: payload(index, term, size) };
}

export function entries(from: number, to: number, term = 1, size = 300): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push(entry(i, term, size));
  return out;
}

export function walFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.endsWith('.wal')).sort();
}

/** The entry the crash child writes at `index` (size varies so frames straddle sectors). */
export function crashEntry(index: number): Entry {
  return entry(index, 1, 100 + ((index * 37) % 400));
}
