// Small file-system helpers shared by wal/ and snap/: directory fsync, preallocation, positioned
// writes through the callback API (one libuv hop per call, cheaper than fs/promises FileHandle),
// and an exclusive process lock.
//
// Node has no flock(2), so the lock is a file created with O_EXCL holding the owner's pid and the
// process start time (from /proc on Linux, to survive pid reuse). A lock whose owner is dead is
// stale and is taken over; a SIGKILLed member therefore never blocks its own restart.

import * as fs from 'node:fs';
import * as path from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

export function writeAt(fd: number, buf: Uint8Array, offset: number, length: number, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (done: number): void => {
      fs.write(fd, buf, offset + done, length - done, position + done, (err, written) => {
        if (err) return reject(err);
        const total = done + written;
        if (total < length) return step(total); // short write: continue where it stopped
        resolve();
      });
    };
    step(0);
  });
}

export function fdatasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}

export function fsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
}

/** Make a rename/create/unlink inside `dir` durable. */
export function fsyncDirSync(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const fd = await fs.promises.open(dir, 'r');
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
}

/** True when `dir` holds at least one file name ending in `suffix`. */
export function dirHasSuffix(dir: string, suffix: string): boolean {
  try {
    return fs.readdirSync(dir).some((n) => n.endsWith(suffix));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

export function ensureDirSync(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

// ---- process lock -------------------------------------------------------------------------------

export class LockHeldError extends Error {
  constructor(
    readonly lockPath: string,
    readonly ownerPid: number,
  ) {
    super(`fileutil: ${lockPath} is locked by process ${ownerPid}`);
    this.name = 'LockHeldError';
  }
}

function processStartTime(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may contain spaces, so split after ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? '';
  } catch {
    return '';
  }
}

function processAlive(pid: number, startTime: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  // Alive (or not ours to signal): a different start time means the pid was reused.
  return startTime === '' || processStartTime(pid) === '' || processStartTime(pid) === startTime;
}

const locksHeldHere = new Set<string>();

export interface ProcessLock {
  readonly path: string;
  release(): void;
}

/** Take the lock file at `lockPath`, or throw LockHeldError if a live process (or this one) holds it. */
export function lockFileSync(lockPath: string): ProcessLock {
  const abs = path.resolve(lockPath);
  if (locksHeldHere.has(abs)) throw new LockHeldError(abs, process.pid);
  const content = `${process.pid} ${processStartTime(process.pid)}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(abs, 'wx', PRIVATE_FILE_MODE);
      try {
        fs.writeSync(fd, content);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      locksHeldHere.add(abs);
      let released = false;
      return {
        path: abs,
        release(): void {
          if (released) return;
          released = true;
          locksHeldHere.delete(abs);
          try {
            fs.unlinkSync(abs);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner = '';
    try {
      owner = fs.readFileSync(abs, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
      throw err;
    }
    const [pidText = '', startTime = ''] = owner.trim().split(' ');
    const pid = Number(pidText);
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid, startTime)) throw new LockHeldError(abs, pid);
    fs.rmSync(abs, { force: true }); // stale: its owner died without releasing it
  }
  throw new Error(`fileutil: could not take lock ${abs}`);
}
