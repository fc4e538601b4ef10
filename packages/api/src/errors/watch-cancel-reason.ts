// Texts etcd puts in WatchResponse.cancel_reason (in-band, not gRPC statuses).
import type { EtcdError } from './etcd-error';

export const WatchCancelReason = {
  /** Watch create with key >= range_end. */
  watcherRangeEmpty: 'mvcc: watcher range is empty',
  /** Watch create reusing a watch_id that is live on the stream. */
  duplicateWatchId: 'mvcc: duplicate watch ID provided on the WatchStream',
} as const;

/** cancel_reason for a watch create refused by the auth check: grpc-go's full status text. */
export function watchCancelReasonFor(err: EtcdError): string {
  return err.toGrpcErrorText();
}
