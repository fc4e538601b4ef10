// snapshot status <file>: hash, revision, total keys and total size of a snapshot file (bbolt, from
// tsetcd or etcd), computed as etcdctl does.
import { readFileSync, statSync } from 'node:fs';
import { bboltStatus, type SnapshotStatus } from '../../../../server/src/backend/bbolt/bbolt-status';
import { EXIT_BAD_ARGS, EXIT_ERROR, fail } from '../exit-codes';
import { humanizeBytes } from '../go-format';
import { goMarshal } from '../go-json';
import { f, struct } from '../pb-json';
import { isBboltFile } from '../snapshot-file';
import { renderTable } from '../table';
import type { CtlCommand } from './types';

function readStatus(path: string): SnapshotStatus {
  try {
    statSync(path);
  } catch {
    fail(EXIT_ERROR, `stat ${path}: no such file or directory`);
  }
  if (!isBboltFile(path)) fail(EXIT_ERROR, 'invalid database');
  try {
    return bboltStatus(readFileSync(path));
  } catch (err) {
    fail(EXIT_ERROR, `invalid database (${err instanceof Error ? err.message : String(err)})`);
  }
}

export const snapshotStatusCommand: CtlCommand = {
  path: ['snapshot', 'status'],
  flags: [],
  async run(ctx) {
    const args = ctx.flags.args;
    if (args.length !== 1) fail(EXIT_BAD_ARGS, 'snapshot status requires exactly one argument');
    ctx.requireFormat('simple', 'json', 'table', 'fields');
    const s = readStatus(args[0] ?? '');
    const row = [s.hash.toString(16), String(s.revision), String(s.totalKey), humanizeBytes(BigInt(s.totalSize))];
    if (ctx.format === 'json') ctx.out(`${goMarshal(struct(f('hash', s.hash), f('revision', s.revision), f('totalKey', s.totalKey), f('totalSize', s.totalSize)))}\n`);
    else if (ctx.format === 'table') ctx.out(renderTable(['hash', 'revision', 'total keys', 'total size'], [row]));
    else if (ctx.format === 'fields') ctx.out(`"Hash" : ${s.hash}\n"Revision" : ${s.revision}\n"Keys" : ${s.totalKey}\n"Size" : ${s.totalSize}\n`);
    else ctx.out(`${row.join(', ')}\n`);
  },
};
