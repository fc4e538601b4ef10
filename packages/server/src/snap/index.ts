export { Snapshotter, NoSnapshotError, SNAP_MAX_FILES_DEFAULT, SNAP_BROKEN_SUFFIX, SNAP_DB_SUFFIX, type SnapshotterLogger } from './snapshotter';
export { SnapCorruptError, snapFileName, parseSnapFileName, encodeSnapshot, decodeSnapshot } from './snap-file';
