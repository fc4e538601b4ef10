// The WAL's failures. These are internal (a member that hits one stops with a clear message);
// none of them crosses the client API, so they are not in @tsetcd/api's error table.

export class WalError extends Error {
  constructor(message: string) {
    super(`wal: ${message}`);
    this.name = new.target.name;
  }
}

/** A record that is not a torn tail failed its checks: the log cannot be trusted past `offset`. */
export class WalCorruptError extends WalError {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`corrupt record in ${file} at byte offset ${offset}: ${reason}`);
  }
}

/** etcd ErrExist: Wal.create on a directory that already holds a WAL. */
export class WalExistsError extends WalError {}
/** etcd ErrFileNotFound: no segment may hold the requested snapshot index. */
export class WalFileNotFoundError extends WalError {}
/** etcd ErrSnapshotNotFound: the WAL has no snapshot record for the index it was opened at. */
export class WalSnapshotNotFoundError extends WalError {}
/** etcd ErrSnapshotMismatch: the snapshot record at that index has another term. */
export class WalSnapshotMismatchError extends WalError {}
/** etcd ErrMetadataConflict: two segments carry different metadata. */
export class WalMetadataConflictError extends WalError {}
/** Segment names are not a contiguous sequence (a segment is missing). */
export class WalSequenceError extends WalError {}
/** The WAL is closed, or failed an earlier write and must not be used again. */
export class WalClosedError extends WalError {}
