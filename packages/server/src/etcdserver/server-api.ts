// What the API layer (api/grpc, api/http, later the gateway and v2) asks of a member.
// etcdserver/ implements it; api/ only decodes, authenticates, calls these and encodes.
// Every method throws an EtcdError from @tsetcd/api's error table on failure (never a bare Error
// for a request problem); response headers are filled in here, not in the API layer.

import type {
  AlarmRequest,
  AlarmResponse,
  CompactionRequest,
  CompactionResponse,
  DefragmentResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  HashKVRequest,
  HashKVResponse,
  HashResponse,
  LeaseGrantRequest,
  LeaseGrantResponse,
  LeaseKeepAliveResponse,
  LeaseLeasesResponse,
  LeaseRevokeRequest,
  LeaseRevokeResponse,
  LeaseTimeToLiveRequest,
  LeaseTimeToLiveResponse,
  MemberAddRequest,
  MemberAddResponse,
  MemberListResponse,
  MemberPromoteRequest,
  MemberPromoteResponse,
  MemberRemoveRequest,
  MemberRemoveResponse,
  MemberUpdateRequest,
  MemberUpdateResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  SnapshotResponse,
  StatusResponse,
  TxnRequest,
  TxnResponse,
} from '@tsetcd/api';
import type { WatchServer } from './watch-server';

import type { AuthServer } from './auth-server';
import type { V2KeysBackend } from '../api/v2/keys-handler';
import type { V2StatsBackend } from '../api/v2/stats-handler';

/** What /v2/keys, /v2/stats and /v2/members need beyond the v3 cluster methods. */
export interface V2MemberApi extends V2KeysBackend, V2StatsBackend {
  leaderId(): bigint;
  isMemberRemoved(id: bigint): boolean;
}

export interface RequestContext {
  /** Aborted when the client cancels the call or the connection closes. */
  readonly signal: AbortSignal;
  /** Auth token from metadata (`token`, else `authorization`), if any. */
  readonly authToken?: string;
  /** `hasleader: true` metadata: fail fast with "etcdserver: no leader" when leaderless. */
  readonly requireLeader?: boolean;
  /** Cheaper than `signal` when the transport offers it (gRPC CallContext). */
  onAbort?(listener: (reason: unknown) => void): () => void;
  readonly isAborted?: boolean;
}

export interface KvServer {
  range(req: RangeRequest, ctx: RequestContext): Promise<RangeResponse>;
  put(req: PutRequest, ctx: RequestContext): Promise<PutResponse>;
  deleteRange(req: DeleteRangeRequest, ctx: RequestContext): Promise<DeleteRangeResponse>;
  txn(req: TxnRequest, ctx: RequestContext): Promise<TxnResponse>;
  compact(req: CompactionRequest, ctx: RequestContext): Promise<CompactionResponse>;
}

export interface MaintenanceServer {
  status(ctx: RequestContext): Promise<StatusResponse>;
  hash(ctx: RequestContext): Promise<HashResponse>;
  hashKV(req: HashKVRequest, ctx: RequestContext): Promise<HashKVResponse>;
  alarm(req: AlarmRequest, ctx: RequestContext): Promise<AlarmResponse>;
  defragment(ctx: RequestContext): Promise<DefragmentResponse>;
  /** The backend image in chunks; the last message's blob is the SHA-256 of all previous blobs. */
  snapshot(ctx: RequestContext): AsyncIterable<SnapshotResponse>;
}

export interface ClusterServer {
  memberList(ctx: RequestContext): Promise<MemberListResponse>;
  /** Membership changes (raft ConfChanges). Optional so API-side fakes need not implement them. */
  memberAdd?(req: MemberAddRequest, ctx: RequestContext): Promise<MemberAddResponse>;
  memberRemove?(req: MemberRemoveRequest, ctx: RequestContext): Promise<MemberRemoveResponse>;
  memberUpdate?(req: MemberUpdateRequest, ctx: RequestContext): Promise<MemberUpdateResponse>;
  memberPromote?(req: MemberPromoteRequest, ctx: RequestContext): Promise<MemberPromoteResponse>;
}

/** etcdserverpb.Lease as the member serves it (etcdserver/lease-server.ts). */
export interface LeaseServer {
  leaseGrant(req: LeaseGrantRequest, ctx: RequestContext): Promise<LeaseGrantResponse>;
  leaseRevoke(req: LeaseRevokeRequest, ctx: RequestContext): Promise<LeaseRevokeResponse>;
  /** One KeepAlive: renews and answers the TTL, or TTL 0 for a missing/expired lease (like etcd's v3rpc). */
  leaseKeepAlive(id: bigint, ctx: RequestContext): Promise<LeaseKeepAliveResponse>;
  /** An unknown lease answers TTL -1 (like etcd's v3rpc). */
  leaseTimeToLive(req: LeaseTimeToLiveRequest, ctx: RequestContext): Promise<LeaseTimeToLiveResponse>;
  leaseLeases(ctx: RequestContext): Promise<LeaseLeasesResponse>;
  /** Resolves after the next applied entry, or when `signal` aborts (waiters re-check the store). */
  nextApply?(signal: AbortSignal): Promise<void>;
}

export interface MemberIdentity {
  readonly clusterId: bigint;
  readonly memberId: bigint;
  readonly name: string;
}

/** A running member as the API layer sees it. */
export interface EtcdServerApi extends KvServer, MaintenanceServer, ClusterServer {
  readonly identity: MemberIdentity;
  /** The Watch service's side of the member (absent in API-only fakes: Watch answers UNIMPLEMENTED). */
  readonly watchServer?: WatchServer;
  /** etcdserverpb.Auth (absent in API-only fakes: Auth answers UNIMPLEMENTED). */
  readonly auth?: AuthServer;
  /** The v2 API's side of the member (absent in API-only fakes: /v2/* answers 404). */
  readonly v2?: V2MemberApi;
  /** true once the member has a leader and has applied its own no-op (for /health). */
  isReady(): boolean;
  /**
   * etcd's ReadyNotify: resolves once this member's attributes (name, client URLs) are published
   * through raft; the client URLs serve from then on. Absent in API-only fakes (serve at once).
   */
  readyNotify?(): Promise<void>;
  close(): Promise<void>;
  /**
   * Resolves once the member has stopped: with the fatal error that stopped it (a WAL/disk failure,
   * like etcd's Fatal: the process should exit non-zero), or undefined after close().
   */
  stopped?(): Promise<unknown>;
}
