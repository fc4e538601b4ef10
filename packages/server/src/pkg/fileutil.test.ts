import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LockHeldError, lockFileSync, writeAt, fdatasync } from './fileutil';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsetcd-fileutil-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function startTimeOf(pid: number): string {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

describe('lockFileSync', () => {
  it('is exclusive within a process until released', () => {
    const p = path.join(dir, 'a.lock');
    const lock = lockFileSync(p);
    expect(() => lockFileSync(p)).toThrow(LockHeldError);
    expect(fs.readFileSync(p, 'utf8').split(' ')[0]).toBe(String(process.pid));
    lock.release();
    expect(fs.existsSync(p)).toBe(false);
    lockFileSync(p).release();
  });

  it('refuses a lock held by another live process, takes over when the owner is gone or the pid was reused', async () => {
    const p = path.join(dir, 'b.lock');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      const pid = child.pid!;
      fs.writeFileSync(p, `${pid} ${startTimeOf(pid)}\n`);
      expect(() => lockFileSync(p)).toThrow(LockHeldError);
      // Same pid, different start time: the pid now belongs to another process, the lock is stale.
      fs.writeFileSync(p, `${pid} 1\n`);
      lockFileSync(p).release();
    } finally {
      child.kill('SIGKILL');
    }
    // A process that has exited (killed without releasing) leaves a stale lock.
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    fs.writeFileSync(p, `${dead.stdout.trim()} 0\n`);
    const lock = lockFileSync(p);
    expect(fs.readFileSync(p, 'utf8').split(' ')[0]).toBe(String(process.pid));
    lock.release();
    // An empty lock file (crash between create and write) is stale too.
    fs.writeFileSync(p, '');
    lockFileSync(p).release();
  });
});

describe('writeAt', () => {
  it('writes at the given position and syncs', async () => {
    const p = path.join(dir, 'w');
    fs.writeFileSync(p, Buffer.alloc(16, 0x61));
    const fd = fs.openSync(p, 'r+');
    await writeAt(fd, Buffer.from('xxHELLOxx'), 2, 5, 4);
    await fdatasync(fd);
    fs.closeSync(fd);
    expect(fs.readFileSync(p, 'utf8')).toBe('aaaaHELLOaaaaaaa');
  });
});
