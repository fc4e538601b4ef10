// Public surface of the pure raft core.
export * from './types';
export { RawNode, type BootstrapPeer } from './raw-node';
export { MemoryStorage, EMPTY_SNAPSHOT, EMPTY_CONF_STATE } from './memory-storage';
export { encodeConfChange, decodeConfChange, ConfChangeDecodeError } from './confchange-codec';
export { ConfChangeError } from './confchange/changer';
export {
  describeReady,
  describeMessage,
  describeEntry,
  describeEntries,
  describeHardState,
  describeSoftState,
  describeSnapshot,
  describeConfState,
  type EntryFormatter,
} from './describe';
export { isLocalMsg, isResponseMsg } from './message';
export { entrySizeBytes, payloadSizeBytes } from './entry-size';
export { RaftAssertionError } from './assert';
export { committedIndex, voteResult, majoritySize, type VoteResult } from './quorum/majority';
export { Inflights } from './tracker/inflights';
