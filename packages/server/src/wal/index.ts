export {
  Wal,
  SEGMENT_SIZE_BYTES_DEFAULT,
  WAL_MAX_FILES_DEFAULT,
  WAL_LOCK_FILE,
  type WalOptions,
  type WalContents,
  type WalSyncMode,
  type WalIo,
} from './wal';
export type { WalSnapshot } from './record';
export {
  WalError,
  WalCorruptError,
  WalExistsError,
  WalFileNotFoundError,
  WalSnapshotNotFoundError,
  WalSnapshotMismatchError,
  WalMetadataConflictError,
  WalSequenceError,
  WalClosedError,
} from './errors';
export { segmentFileName, parseSegmentName } from './segment-name';
