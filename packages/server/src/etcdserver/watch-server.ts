// What a member offers the Watch API (gRPC stream and the gateway): its watchable store plus the
// few member facts a watch response needs (header, prev_kv lookups, leader presence, limits).

import type { KeyValue, ResponseHeader } from '@tsetcd/api';
import { DEFAULT_PROGRESS_NOTIFY_INTERVAL_MS, MIN_PROGRESS_NOTIFY_INTERVAL_MS } from '../watch/limits';
import { WatchableStore, type WatchableKv, type WatchableStoreOptions } from '../watch/watchable-store';

export interface WatchServer {
  readonly watchable: WatchableStore;
  /** cluster/member/raft term filled in; `revision` as given (0 stays 0, like etcd's compaction cancel). */
  watchHeader(revision: bigint): ResponseHeader;
  /** The kv of `key` at revision `rev` (for prev_kv), undefined if absent or compacted. */
  kvAt(key: Buffer, rev: bigint): KeyValue | undefined;
  hasLeader(): boolean;
  readonly electionTimeoutMs: number;
  /** --max-request-bytes (fragmenting threshold adds the gRPC overhead). */
  readonly maxRequestBytes: number;
  readonly progressNotifyIntervalMs: number;
  close(): void;
}

export interface WatchServerDeps {
  readonly kv: WatchableKv & { getAt(key: Buffer, rev: bigint): KeyValue | undefined; setEventSink(fn: ((events: import('@tsetcd/api').Event[], rev: bigint) => void) | undefined): void };
  readonly header: (revision: bigint) => ResponseHeader;
  readonly hasLeader: () => boolean;
  readonly electionTimeoutMs: number;
  readonly maxRequestBytes: number;
  readonly progressNotifyIntervalMs?: number;
  readonly store?: WatchableStoreOptions;
}

/** Builds the member's watchable store and hooks it to the KV store's event sink. */
export function createWatchServer(deps: WatchServerDeps): WatchServer {
  const watchable = new WatchableStore(deps.kv, deps.store);
  deps.kv.setEventSink((events, rev) => watchable.notify(events, rev));
  return {
    watchable,
    watchHeader: deps.header,
    kvAt: (key, rev) => deps.kv.getAt(key, rev),
    hasLeader: deps.hasLeader,
    electionTimeoutMs: deps.electionTimeoutMs,
    maxRequestBytes: deps.maxRequestBytes,
    progressNotifyIntervalMs: Math.max(deps.progressNotifyIntervalMs ?? DEFAULT_PROGRESS_NOTIFY_INTERVAL_MS, MIN_PROGRESS_NOTIFY_INTERVAL_MS),
    close: () => {
      deps.kv.setEventSink(undefined);
      watchable.close();
    },
  };
}
