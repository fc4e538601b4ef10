// mvcc: revisions, key index, the store, and etcd's request-level KV operations.
export { DEFAULT_COMPACTION_BATCH_LIMIT, DEFAULT_COMPACTION_SLEEP_INTERVAL_MS, KvStore, type CompactResult, type HashKVResult, type HashResult, type KvReader, type KvStoreOptions, type RangeOptions, type RangeResult, type WriteResult } from './kv-store';
export { WriteTxn } from './write-txn';
export { TreeIndex } from './tree-index';
export { KeyIndex } from './key-index';
export { bytesToRev, compareRev, isTombstoneKey, revToBytes, type Revision } from './revision';
export { decodeKeyValue, encodeKeyValue } from './kv-codec';
export { changesToEvents, recordToEvent, type Change } from './kv-events';
export { EventType, NO_LEASE, type Event, type KeyValue, type LeaseChecker } from './types';
export * from './kv-ops';
