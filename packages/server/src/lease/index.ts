export {
  Lessor,
  ErrNotPrimary,
  MAX_LEASE_TTL_SECONDS,
  LEASE_REVOKE_RATE_PER_SECOND,
  LEASE_CHECKPOINT_RATE_PER_SECOND,
  LEASE_CHECKPOINT_BATCH_MAX,
  DEFAULT_LEASE_CHECKPOINT_INTERVAL_MS,
  EXPIRED_LEASE_RETRY_INTERVAL_MS,
  type LessorOptions,
  type LeaseView,
  type LeaseCheckpointItem,
  type MonotonicClock,
} from './lessor';
export { LeaseHeap, type LeaseHeapItem } from './lease-heap';
export { encodeLeaseRecord, decodeLeaseRecord, leaseKey, type LeaseRecord } from './lease-codec';
