// The v2 keys and members API's JSON shapes, as etcd 3.4 sends them.

/** One node of the v2 tree (`node` / `prevNode` / `nodes[]` in a keys response). */
export interface V2Node {
  key: string;
  dir: boolean;
  /** "" for directories and for delete/expire nodes. */
  value: string;
  /** Children (GET of a directory); undefined when the server sent none. */
  nodes?: V2Node[];
  createdIndex: bigint;
  modifiedIndex: bigint;
  /** RFC3339Nano UTC, as the server sent it; undefined for permanent keys. */
  expiration?: string;
  /** Remaining seconds (rounded up); 0 for permanent keys. */
  ttlSeconds: number;
}

/** A keys API answer: the action, the node after it and (for replacing/deleting actions) before it. */
export interface V2Response {
  action: string;
  node: V2Node | undefined;
  prevNode: V2Node | undefined;
  /** X-Etcd-Index: the store index when the answer was made (not the node's index). */
  index: bigint;
  /** X-Etcd-Cluster-Id, lowercase hex as sent. */
  clusterId: string;
}

/** A member as /v2/members lists it. */
export interface V2Member {
  id: bigint;
  /** "" until the member has started and published its attributes. */
  name: string;
  peerURLs: string[];
  clientURLs: string[];
}

/** PUT flavours: prevExist=true (must exist), false (must not), or absent. */
export type PrevExist = 'exist' | 'noexist' | 'ignore';

export interface V2GetOptions {
  recursive?: boolean;
  sorted?: boolean;
  /** Read through raft (linearizable). */
  quorum?: boolean;
  signal?: AbortSignal;
}

export interface V2SetOptions {
  /** Compare-and-swap on the current value ("" = no comparison). */
  prevValue?: string;
  /** Compare-and-swap on the current modifiedIndex (0n = no comparison). */
  prevIndex?: bigint;
  prevExist?: PrevExist;
  /** 0 / undefined = no TTL. */
  ttlSeconds?: number;
  /** Renew the TTL without changing the value or notifying watchers. */
  refresh?: boolean;
  dir?: boolean;
  noValueOnSuccess?: boolean;
  signal?: AbortSignal;
}

export interface V2CreateInOrderOptions {
  ttlSeconds?: number;
  signal?: AbortSignal;
}

export interface V2DeleteOptions {
  prevValue?: string;
  prevIndex?: bigint;
  dir?: boolean;
  recursive?: boolean;
  signal?: AbortSignal;
}

export interface V2WatchOptions {
  /** Deliver events after this index (waitIndex = afterIndex + 1); 0n = from the next one. */
  afterIndex?: bigint;
  recursive?: boolean;
}
