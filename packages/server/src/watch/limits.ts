// The watch layer's numbers (etcd 3.4 mvcc/watchable_store.go and v3rpc/watch.go defaults).

/** Responses a watch stream buffers before its watchers become victims (etcd's chanBufLen). */
export const WATCH_STREAM_BUF_LEN = 128;
/** Revisions of events one response carries for a catching-up watcher (etcd's watchBatchMaxRevs). */
export const WATCH_BATCH_MAX_REVS = 1000;
/** Unsynced watchers served per sync round (etcd's maxWatchersPerSync). */
export const MAX_WATCHERS_PER_SYNC = 512;
/** Pause between sync rounds while unsynced watchers remain (etcd's syncWatchersLoop). */
export const SYNC_INTERVAL_MS = 100;
/** Pause between retries of victims' blocked responses (etcd's syncVictimsLoop). */
export const VICTIM_RETRY_INTERVAL_MS = 10;
/** Events read from the backend per sync round (whole revisions; tsetcd's bound on one read). */
export const SYNC_EVENTS_READ_MAX = 10_000;
/** --experimental-watch-progress-notify-interval default. */
export const DEFAULT_PROGRESS_NOTIFY_INTERVAL_MS = 10 * 60 * 1000;
/** etcd's floor for the progress-notify interval. */
export const MIN_PROGRESS_NOTIFY_INTERVAL_MS = 100;
/** grpc overhead etcd adds to --max-request-bytes for the fragmenting threshold. */
export const GRPC_OVERHEAD_BYTES = 512 * 1024;
/** A hasleader stream ends after this many election timeouts without a leader. */
export const NO_LEADER_CHECKS_MAX = 3;
