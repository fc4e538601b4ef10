// tsetcdctl backup (v2 command): copy a tsetcd data dir's newest snapshot and the WAL entries
// after it into a new data dir with a fresh member id and cluster id, membership dropped;
// with --with-v3 the v3 backend too. Then `tsetcd --data-dir <backup> --force-new-cluster`.
// The work (and the native lmdb module) is loaded only when the command runs.

export interface BackupOptions {
  dataDir: string;
  walDir: string;
  backupDir: string;
  backupWalDir: string;
  withV3: boolean;
  /**
   * Optional: told etcdctl's progress lines (`ignoring EntryConfChange raft entry`, `ignoring
   * member attribute update on <path>`, `ignoring v3 raft entry`), one call per line, no newline.
   */
  log?: (line: string) => void;
}

/** Throws Error with etcdctl-like messages (`open <dir>: no such file or directory`, ...). */
export async function runBackup(opts: BackupOptions): Promise<void> {
  const { backup } = await import('./backup-run');
  await backup(opts);
}
