// tsetcdctl backup (v2 command): copy a tsetcd data dir's newest snapshot and
// the WAL entries after it into a new data dir with a fresh member id and
// cluster id, membership dropped; optionally the v3 backend too.

export interface BackupOptions {
  dataDir: string;
  walDir: string;
  backupDir: string;
  backupWalDir: string;
  withV3: boolean;
}

export async function runBackup(opts: BackupOptions): Promise<void> {
  void opts;
  throw new Error('backup: not implemented yet');
}
