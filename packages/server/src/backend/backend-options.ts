// Limits and knobs of the LMDB environment, with their defaults.

/** Virtual address space reserved for the map; LMDB grows the file up to this. 10 GiB as etcd's bbolt InitialMmapSize. */
export const DEFAULT_MAP_SIZE_BYTES = 10 * 1024 * 1024 * 1024;
/** Chunk size of Maintenance.Snapshot blobs (etcd sends 32 KiB chunks). */
export const SNAPSHOT_CHUNK_BYTES = 32 * 1024;
/** Named databases the environment may hold. */
export const MAX_DBS = 32;

export interface BackendOptions {
  /** Map size in bytes (default DEFAULT_MAP_SIZE_BYTES). */
  readonly mapSizeBytes?: number;
  /**
   * Commit without fsync (default true): the WAL makes applied entries durable, and `sync()` /
   * `forceCommit()` flush before the WAL or snapshots are compacted and on close.
   */
  readonly noSync?: boolean;
}
