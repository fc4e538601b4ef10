// snapshot save <file>: streams Maintenance.Snapshot to <file>.part, checks the trailing sha256 is there, fsyncs, renames.
// (snapshot status is in snapshot-status.ts; snapshot restore is not built.)
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { EXIT_BAD_ARGS, EXIT_INTERRUPTED, fail } from '../exit-codes';
import { callErrorMessage } from '../global';
import type { CtlCommand } from './types';

/** A bbolt snapshot is whole pages plus a 32-byte sha256. */
const SNAPSHOT_PAGE_BYTES = 512;
const SHA256_BYTES = 32;
const PRIVATE_FILE_MODE = 0o600;

export const snapshotSaveCommand: CtlCommand = {
  path: ['snapshot', 'save'],
  flags: [],
  async run(ctx) {
    const args = ctx.flags.args;
    if (args.length !== 1) fail(EXIT_BAD_ARGS, 'snapshot save expects one argument');
    const path = args[0] ?? '';
    if (ctx.endpoints.length !== 1) fail(EXIT_INTERRUPTED, `snapshot must be requested to one selected node, not multiple [${ctx.endpoints.join(' ')}]`);
    const partPath = `${path}.part`;
    let fd: number;
    try {
      fd = openSync(partPath, 'w', PRIVATE_FILE_MODE);
    } catch (err) {
      fail(EXIT_INTERRUPTED, `could not open ${partPath} (${callErrorMessage(err)})`);
    }
    try {
      let size = 0;
      try {
        const timeout = ctx.flags.changed('command-timeout') ? { timeoutMs: ctx.commandTimeoutMs } : {};
        for await (const chunk of ctx.client().maintenance.snapshot(timeout)) {
          writeSync(fd, chunk);
          size += chunk.length;
        }
      } catch (err) {
        fail(EXIT_INTERRUPTED, callErrorMessage(err));
      }
      if (size % SNAPSHOT_PAGE_BYTES !== SHA256_BYTES) fail(EXIT_INTERRUPTED, `sha256 checksum not found [bytes: ${size}]`);
      fsyncSync(fd);
      closeSync(fd);
      fd = -1;
      renameSync(partPath, path);
    } finally {
      if (fd >= 0) closeSync(fd);
      rmSync(partPath, { force: true });
    }
    ctx.out(`Snapshot saved at ${path}\n`);
  },
};
