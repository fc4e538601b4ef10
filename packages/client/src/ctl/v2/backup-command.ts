// backup: the command line of etcdctl's v2 backup; the work is runBackup (backup.ts).
import { join } from 'node:path';
import { runBackup } from './backup';
import type { V2Command } from './command';

/** etcdctl routes Go's log through capnslog: `2006-01-02 15:04:05.000000 I | ` in local time. */
function logPrefix(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const date = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  const time = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds() * 1000, 6)}`;
  return `${date} ${time} I | `;
}

export const backupCommand: V2Command = {
  name: 'backup',
  usage: 'backup an etcd directory',
  argsUsage: ' ',
  flags: [
    { name: 'data-dir', kind: 'string', usage: 'Path to the etcd data dir' },
    { name: 'wal-dir', kind: 'string', usage: 'Path to the etcd wal dir' },
    { name: 'backup-dir', kind: 'string', usage: 'Path to the backup dir' },
    { name: 'backup-wal-dir', kind: 'string', usage: 'Path to the backup wal dir' },
    { name: 'with-v3', kind: 'bool', usage: 'Backup v3 backend data' },
  ],
  run: async (ctl) => {
    const dataDir = ctl.string('data-dir');
    const backupDir = ctl.string('backup-dir');
    try {
      await runBackup({
        dataDir,
        walDir: ctl.string('wal-dir') || join(dataDir, 'member', 'wal'),
        backupDir,
        backupWalDir: ctl.string('backup-wal-dir') || join(backupDir, 'member', 'wal'),
        withV3: ctl.bool('with-v3'),
        // etcdctl's log.Println progress lines go to stderr with log's timestamp
        log: (line) => ctl.io.err(`${logPrefix(new Date())}${line}\n`),
      });
    } catch (err) {
      ctl.io.err(`${logPrefix(new Date())}${err instanceof Error ? err.message : String(err)}\n`);
      ctl.exit(1);
    }
  },
};
