// The member (etcd's EtcdServer): proposals, linearizable reads, apply, headers, maintenance.
// The raft driver loop (raft-driver.ts) owns the Ready cycle; this class owns what goes in
// (proposals, ReadIndex) and what comes out (apply results, read states, leadership).

import { MemberRemovedError } from './member-removed-error';
import { randomInt } from 'node:crypto';
import {
  AlarmRequest_AlarmAction,
  AlarmType,
  ErrNoLeader,
  ErrNoSpace,
  ErrRequestCancelled,
  ErrRequestTooLarge,
  ErrStopped,
  ErrTimeout,
  ErrTooManyRequests,
  ErrTimeoutDueToLeaderFail,
  EtcdError,
  GrpcStatus,
  InternalRaftRequest,
  type AlarmRequest,
  type AlarmResponse,
  type CompactionRequest,
  type CompactionResponse,
  type DefragmentResponse,
  type DeleteRangeRequest,
  type DeleteRangeResponse,
  type HashKVRequest,
  type HashKVResponse,
  type HashResponse,
  type Member,
  type MemberAddRequest,
  type MemberAddResponse,
  type MemberListResponse,
  type MemberPromoteRequest,
  type MemberPromoteResponse,
  type MemberRemoveRequest,
  type MemberRemoveResponse,
  type MemberUpdateRequest,
  type MemberUpdateResponse,
  type MoveLeaderRequest,
  type MoveLeaderResponse,
  type PutRequest,
  type PutResponse,
  type RangeRequest,
  type RangeResponse,
  type ResponseHeader,
  type SnapshotResponse,
  type StatusResponse,
  type TxnRequest,
  type TxnResponse,
} from '@tsetcd/api';
import type { Logger } from 'pino';
import type { Backend } from '../backend/backend';
import { MAX_GAP_BETWEEN_APPLY_AND_COMMIT_INDEX, RAFT_MAX_INFLIGHT_MSGS, RAFT_MAX_SIZE_PER_MSG_BYTES } from '../config/limits';
import { KvStore } from '../mvcc/kv-store';
import { createWatchServer, type WatchServer } from './watch-server';
import { IdGenerator } from '../pkg/idutil';
import { Wait, WaitTime } from '../pkg/wait';
import { RawNode } from '../raft/raw-node';
import type { MemoryStorage } from '../raft/memory-storage';
import { ProposalDroppedError, StateType, type ConfChange, type ConfState, type Entry, type HardState, type RaftConfig, type Snapshot, type SoftState } from '../raft/types';
import type { Snapshotter } from '../snap';
import type { Wal } from '../wal';
import { AlarmStore } from './alarm-store';
import { Applier, type ApplyResult } from './applier';
import { AuthStore } from '../auth/auth-store';
import { createTokenProvider, SIMPLE_TOKEN_TTL_DEFAULT_SECONDS } from '../auth/simple-token';
import { AuthApplier } from './apply-auth';
import { MemberAuth } from './auth-server';
import { assert } from './assert';
import { checkDeleteRangeRequest, checkPutRequest, checkRangeRequest, checkTxnRequest, isTxnReadOnly, isTxnSerializable, rangeLocal, txnReadOnlyLocal } from './kv-requests';
import { snapshotStream } from './maintenance';
import { Lessor } from '../lease/lessor';
import { minLeaseTtlSeconds } from '../config/limits';
import { applyLeaseRequest } from './lease-apply';
import { LeaseFrontend } from './lease-server';
import type { LeaseGrantRequest, LeaseGrantResponse, LeaseKeepAliveResponse, LeaseLeasesResponse, LeaseRevokeRequest, LeaseRevokeResponse, LeaseTimeToLiveRequest, LeaseTimeToLiveResponse } from '@tsetcd/api';
import { formatId } from './member-id';
import { encodeMemberJson, type Membership } from './membership';
import { MembershipChanges } from './membership-changes';
import { BackendQuota, costPut, costTxn } from './quota';
import { RaftDriver } from './raft-driver';
import { RaftSnapshots } from './raft-snapshots';
import { decodeStateSnapshot, encodeStateSnapshot } from './state-snapshot';
import { V2Server, type V2ApplyResult } from './v2-server';
import { LeaderStats, RaftTrafficStats, ServerStats as V2ServerStats, type RaftStateName } from './v2-stats';
import { ClusterLink, forwardPromote, type StartablePeerTransport } from './cluster-link';
import { encodeMembersJson } from './join';
import { leaderTransfer } from './leader-transfer';
import { publishLoop } from './publish';
import { ReadIndexBatcher } from './read-index';
import type { EtcdServerApi, MemberIdentity, RequestContext } from './server-api';
import type { OpenedStorage } from './server-storage';
import { createPeerFetch, type PeerFetch } from '../peer/peer-fetch';
import { encodeShared } from '../pkg/shared-writer';

export interface EtcdServerOptions {
  readonly name: string;
  readonly heartbeatIntervalMs: number;
  readonly electionTimeoutMs: number;
  readonly snapshotCount: number;
  readonly maxSnapshots: number;
  readonly maxWals: number;
  readonly maxRequestBytes: number;
  readonly maxTxnOps: number;
  readonly quotaBackendBytes: number;
  readonly requestTimeoutMs: number;
  readonly preVote: boolean;
  readonly serverVersion: string;
  readonly initialClusterToken: string;
  readonly strictReconfigCheck: boolean;
  /** --advertise-client-urls, published to the cluster (member list). */
  readonly advertiseClientUrls?: readonly string[];
  /** --auth-token (only `simple` is built) and --auth-token-ttl. */
  readonly authToken?: string;
  readonly authTokenTtlSeconds?: number;
  /** --bcrypt-cost: the cost of new auth password hashes (etcd's default 10). */
  readonly bcryptCost?: number;
  /** --experimental-watch-progress-notify-interval (default 10 min). */
  readonly watchProgressNotifyIntervalMs?: number;
}

export interface ServerStats {
  /** Readies processed by the driver (each with a WAL write = at most one fdatasync). */
  readonly readyCount: number;
  /** Readies whose WAL write was fdatasync'ed (raft's mustSync). */
  readonly syncCount: number;
  readonly entriesPersisted: number;
  readonly appliedIndex: number;
  readonly committedIndex: number;
  readonly snapshotIndex: number;
  /** ReadIndex rounds issued for linearizable reads (one round serves a whole batch). */
  readonly readIndexRounds: number;
}

const EMPTY_INTERNAL_RAFT_REQUEST = InternalRaftRequest.fromPartial({});

interface ProposeOptions {
  readonly complete?: boolean;
  readonly unlimited?: boolean;
}

/** raceAbort over a RequestContext: ctx.onAbort when offered (no AbortController), else its signal. */
function raceCtx<T>(p: Promise<T>, ctx: RequestContext, onAbort: () => Error): Promise<T> {
  if (ctx.onAbort === undefined) return raceAbort(p, ctx.signal, onAbort);
  if (ctx.isAborted) return Promise.reject(onAbort());
  return new Promise<T>((resolve, reject) => {
    const unhook = ctx.onAbort!(() => reject(onAbort()));
    p.then(
      (v) => {
        unhook();
        resolve(v);
      },
      (err: unknown) => {
        unhook();
        reject(err);
      },
    );
  });
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal, onAbort: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => reject(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(e);
      },
    );
  });
}

export class EtcdServer implements EtcdServerApi {
  readonly identity: MemberIdentity;
  private readonly backend: Backend;
  private readonly wal: Wal;
  private readonly snapshotter: Snapshotter;
  private readonly raftStorage: MemoryStorage;
  private readonly membership: Membership;
  private readonly node: RawNode;
  private readonly driver: RaftDriver;
  readonly kv: KvStore;
  readonly watchServer: WatchServer;
  readonly lessor: Lessor;
  private readonly leases: LeaseFrontend;
  private readonly applier: Applier;
  private readonly authApplier: AuthApplier;
  readonly authStore: AuthStore;
  /** etcdserverpb.Auth (auth-server.ts). */
  readonly auth: MemberAuth;
  private readonly alarms: AlarmStore;
  private readonly quota: BackendQuota;
  private readonly wait = new Wait<ApplyResult>();
  private readonly appliedWait: WaitTime;
  private readonly readIndex: ReadIndexBatcher;
  private readonly idGen: IdGenerator;
  private readonly stopController = new AbortController();
  /** Fail functions of the requests in flight (requestGuard): run when the member stops. */
  private readonly guards = new Set<() => void>();
  private lead = 0n;
  /** When the current leader was first seen (etcd's leadElectedTime), monotonic ms. */
  private leadElectedAtMs = 0;
  private raftState = StateType.Follower;
  private term = 0;
  /** The term whose first entry (the leader's no-op) this member has applied. */
  private appliedNoopTerm = 0;
  private stateWaiters: (() => void)[] = [];
  private confState: ConfState;
  private readonly snapshots: RaftSnapshots;
  /** The v2 keys API's store and its raft plumbing (etcd 3.4 keeps it beside the backend). */
  readonly v2: V2Server;
  /** Last entry index whose effects the state machine holds (set synchronously by apply). */
  private stateIndex: number;
  /** etcd's v2 server and leader stats (/v2/stats/self, /v2/stats/leader), fed by raft traffic. */
  private readonly serverStats: V2ServerStats;
  private readonly leaderStats: LeaderStats;
  private readonly trafficStats: RaftTrafficStats;
  private readonly membershipChanges: MembershipChanges;
  /** Peer traffic (undefined: no transport, e.g. unit tests of a single member). */
  private readonly cluster: ClusterLink | undefined;
  private defragInProgress: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private fatal: unknown;
  private readonly stoppedPromise: Promise<unknown>;
  /** HTTP to the peers' peer URLs (the transport's, with peer TLS; plain otherwise). */
  private readonly peerFetch: PeerFetch;
  /** Set by start(): settles when publish succeeds (ready to serve clients) or the member stops. */
  private published: Promise<void> | undefined;
  private resolveStopped!: (err: unknown) => void;

  constructor(
    private readonly opts: EtcdServerOptions,
    storage: OpenedStorage,
    private readonly logger: Logger,
    transport?: StartablePeerTransport,
  ) {
    assert(opts.heartbeatIntervalMs > 0 && opts.electionTimeoutMs >= opts.heartbeatIntervalMs, 'raft timing is validated by config');
    this.identity = { clusterId: storage.clusterId, memberId: storage.memberId, name: opts.name };
    this.peerFetch = transport?.peerFetch ?? createPeerFetch();
    this.stoppedPromise = new Promise((resolve) => {
      this.resolveStopped = resolve;
    });
    this.backend = storage.backend;
    this.wal = storage.wal;
    this.snapshotter = storage.snapshotter;
    this.raftStorage = storage.raftStorage;
    this.membership = storage.membership;
    this.idGen = new IdGenerator(storage.memberId, Date.now());
    this.kv = new KvStore(this.backend);
    this.watchServer = createWatchServer({
      kv: this.kv,
      header: (revision) => this.header(revision),
      hasLeader: () => this.lead !== 0n,
      electionTimeoutMs: opts.electionTimeoutMs,
      maxRequestBytes: opts.maxRequestBytes,
      ...(opts.watchProgressNotifyIntervalMs !== undefined ? { progressNotifyIntervalMs: opts.watchProgressNotifyIntervalMs } : {}),
    });
    this.lessor = new Lessor(this.backend, this.kv, { minTtlSeconds: minLeaseTtlSeconds(opts.electionTimeoutMs) });
    this.leases = new LeaseFrontend(
      this.lessor,
      {
        propose: (partial, ctx) => this.propose(partial, ctx),
        header: (revision) => this.header(revision),
        isReadyLeader: () => this.isReady() && this.raftState === StateType.Leader,
        waitReady: (ctx) => this.waitUntil(() => this.isReady(), AbortSignal.any([ctx.signal, AbortSignal.timeout(opts.requestTimeoutMs)])),
        waitApplied: () => this.appliedWait.wait(this.driver.committed),
        nextId: () => this.idGen.next(),
        stopSignal: this.stopController.signal,
        peerUrls: () => transport?.peerUrlList?.(),
        peerFetch: this.peerFetch,
      },
      logger,
    );
    transport?.setLeaseTarget?.(this.leases.routeTarget());
    this.alarms = new AlarmStore(this.backend.readTx());
    this.quota = new BackendQuota(opts.quotaBackendBytes, () => this.backend.size);
    this.confState = storage.snapshot?.metadata.confState ?? { voters: [], learners: [] };
    const startApplied = storage.snapshot?.metadata.index ?? 0;
    this.snapshots = new RaftSnapshots(
      {
        backend: this.backend,
        wal: this.wal,
        snapshotter: this.snapshotter,
        raftStorage: this.raftStorage,
        logger,
        snapshotCount: opts.snapshotCount,
        maxWals: opts.maxWals,
        maxSnapshots: opts.maxSnapshots,
      },
      startApplied,
    );
    this.term = storage.hardState.term;
    this.appliedWait = new WaitTime(Math.max(startApplied, this.backend.consistentIndex()));
    this.stateIndex = startApplied;
    this.serverStats = new V2ServerStats(opts.name, storage.memberId);
    this.leaderStats = new LeaderStats(storage.memberId);
    this.trafficStats = new RaftTrafficStats(this.serverStats, this.leaderStats);
    this.v2 = new V2Server({
      propose: (request) => this.propose({ v2: request }, { signal: this.stopController.signal }, { complete: true, unlimited: true }) as Promise<V2ApplyResult>,
      clusterIdHex: () => formatId(this.identity.clusterId),
      raftIndex: () => this.driver.committed,
      raftTerm: () => this.term,
      selfStatsJson: () => this.serverStats.toJson(RAFT_STATE_NAMES[this.raftState], this.lead),
      leaderStatsJson: () => (this.raftState === StateType.Leader ? this.leaderStats.toJson() : undefined),
      leaderId: () => this.lead,
      isMemberRemoved: (id) => this.membership.isRemoved(id),
    });
    // The v2 store comes back from the snap file; WAL replay after the snapshot rebuilds the rest.
    const restored = storage.snapshot === undefined ? undefined : decodeStateSnapshot(storage.snapshot.data);
    if (restored?.v2 !== undefined) this.v2.store.recovery(restored.v2);

    const raftConfig: RaftConfig = {
      id: storage.memberId,
      electionTick: Math.floor(opts.electionTimeoutMs / opts.heartbeatIntervalMs),
      heartbeatTick: 1,
      storage: this.raftStorage,
      applied: startApplied,
      maxSizePerMsg: RAFT_MAX_SIZE_PER_MSG_BYTES,
      maxInflightMsgs: RAFT_MAX_INFLIGHT_MSGS,
      checkQuorum: true,
      preVote: opts.preVote,
      randomInt: (n) => randomInt(n),
      logger: {
        debug: (m) => logger.debug(m),
        info: (m) => logger.info(m),
        warn: (m) => logger.warn(m),
      },
    };
    // A member that crashed after creating its WAL but before its first Ready was saved has an
    // empty log: bootstrap it again (the membership was stored before the WAL was created).
    // A member joining an existing cluster starts empty: the leader sends it the log or a snapshot.
    const needsBootstrap =
      storage.joining !== true && this.membership.size > 0 && (storage.isNew || (storage.snapshot === undefined && this.raftStorage.lastIndex() === 0));
    this.node = needsBootstrap
      ? RawNode.bootstrap(
          raftConfig,
          this.membership.ids().map((id) => ({ id, context: memberContext(this.membership, id) })),
        )
      : new RawNode(raftConfig);

    this.applier = new Applier({
      kv: this.kv,
      alarms: this.alarms,
      quota: this.quota,
      node: this.node,
      membership: this.membership,
      memberId: storage.memberId,
      isWaiting: (id) => this.wait.isRegistered(id),
      onAlarmChange: () => undefined,
      applyExtra: (tx, req) => applyLeaseRequest(this.lessor, this.kv, tx, req, this.alarms.has(AlarmType.NOSPACE)),
      applyV2: (req) => ({ response: this.v2.apply(req) }),
      applyV2ConfChange: (cc) => this.v2.applyConfChange(cc),
    });

    this.authStore = new AuthStore(
      this.backend.readTx(),
      createTokenProvider(opts.authToken ?? 'simple', opts.authTokenTtlSeconds ?? SIMPLE_TOKEN_TTL_DEFAULT_SECONDS),
      opts.bcryptCost,
    );
    this.backend.batchTx((tx) => this.authStore.persistInitialRevision(tx));
    this.authApplier = new AuthApplier(this.applier, this.authStore, (id) => this.lessor.lookup(id)?.keys);
    this.auth = new MemberAuth({
      store: this.authStore,
      propose: (partial, ctx) => this.propose(partial, ctx),
      linearizableReadNotify: (ctx) => this.linearizableReadNotify(ctx),
      header: () => this.header(),
      appliedIndex: () => this.appliedWait.lastTriggered,
      waitApplied: (index) => this.appliedWait.wait(index),
    });

    this.readIndex = new ReadIndexBatcher({
      requestReadIndex: (ctx) => {
        if (this.isStopped) return;
        this.node.readIndex(ctx);
        this.driver.notify();
      },
      waitReadable: (signal) => this.waitUntil(() => this.isReady(), signal),
      appliedWait: this.appliedWait,
      nextId: () => this.idGen.next(),
      timeoutError: () => new ErrTimeout(),
      timeoutMs: opts.requestTimeoutMs,
    });

    this.driver = new RaftDriver(
      {
        node: this.node,
        storage: this.raftStorage,
        persister: {
          saveSnapshot: async (snap) => {
            await this.snapshotter.save(snap);
            await this.wal.saveSnapshot({ index: snap.metadata.index, term: snap.metadata.term });
          },
          save: (hs, entries) => this.wal.save(hs, entries),
        },
        hooks: {
          onSoftState: (ss) => this.onSoftState(ss),
          onHardState: (hs) => this.onHardState(hs),
          onReadStates: (rs) => this.readIndex.onReadStates(rs),
          apply: (snap, entries) => this.apply(snap, entries),
          send: (messages) => {
            this.trafficStats.onSend(messages);
            if (this.cluster !== undefined) this.cluster.send(messages);
            else if (messages.length > 0) this.logger.debug({ count: messages.length }, 'dropping raft messages: no peer transport');
          },
          onFatal: (err) => this.onFatal(err),
        },
        tickIntervalMs: opts.heartbeatIntervalMs,
      },
      { applied: startApplied, committed: storage.hardState.commit, persisted: this.raftStorage.lastIndex() },
    );
    this.membershipChanges = new MembershipChanges({
      membership: this.membership,
      node: this.node,
      selfId: storage.memberId,
      clusterToken: opts.initialClusterToken,
      strictReconfigCheck: opts.strictReconfigCheck,
      header: () => this.header(0n),
      configure: (change, ctx) => this.configure(change, ctx),
    });
    this.cluster =
      transport === undefined
        ? undefined
        : new ClusterLink({
            selfId: storage.memberId,
            transport,
            node: this.node,
            raftStorage: this.raftStorage,
            backend: this.backend,
            snapshotter: this.snapshotter,
            membership: this.membership,
            logger,
            notify: () => this.driver.notify(),
            stateSnapshot: () => ({ index: this.stateIndex, confState: this.confState, data: this.stateSnapshotData() }),
            isStopped: () => this.isStopped,
            onRemoved: () => this.onFatal(new MemberRemovedError()),
            onReceive: (m) => this.trafficStats.onReceive(m),
            onPeerRemoved: (id) => this.trafficStats.removePeer(id),
          });
    transport?.setPromoteHandler?.(async (id) => {
      const resp = await this.membershipChanges.promote({ ID: id }, { signal: AbortSignal.timeout(opts.requestTimeoutMs) });
      return encodeMembersJson(resp.members.map((m) => ({ id: m.ID, name: m.name, peerUrls: m.peerURLs, clientUrls: m.clientURLs, isLearner: m.isLearner })));
    });
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  start(): void {
    this.cluster?.start();
    this.driver.start();
    this.published = this.publish().then((done) => {
      if (!done) throw new ErrStopped();
    });
    this.published.catch(() => undefined);
    this.leases.start();
    this.v2.startSync(
      () => this.isReady() && this.raftState === StateType.Leader,
      (err) => this.logger.warn({ err }, 'v2 TTL sync failed'),
    );
    // A single voter need not wait an election timeout to lead (etcd fast-forwards its ticks).
    this.driver.notify();
    this.campaignIfAlone();
    this.logger.info(
      { memberId: formatId(this.identity.memberId), clusterId: formatId(this.identity.clusterId), name: this.identity.name },
      'started member',
    );
  }

  readyNotify(): Promise<void> {
    return this.published ?? Promise.reject(new Error('etcdserver: member not started'));
  }

  /** etcd's publish: name and client URLs go to every member's membership through raft. */
  private publish(): Promise<boolean> {
    return publishLoop({
      id: this.identity.memberId,
      name: this.opts.name,
      clientUrls: this.opts.advertiseClientUrls ?? [],
      membership: this.membership,
      propose: (req, signal) => this.propose(req, { signal }),
      waitReady: (signal) => this.waitUntil(() => this.isReady(), signal),
      stopSignal: this.stopController.signal,
      logger: this.logger,
    });
  }

  private campaignIfAlone(): void {
    const voters = this.confState.voters;
    if (voters.length === 1 && voters[0] === this.identity.memberId && this.raftState !== StateType.Leader && !this.isStopped) {
      this.node.campaign();
      this.driver.notify();
    }
  }

  private get isStopped(): boolean {
    return this.stopController.signal.aborted;
  }

  isReady(): boolean {
    return !this.isStopped && this.lead !== 0n && this.appliedNoopTerm === this.term && this.term > 0;
  }

  close(): Promise<void> {
    this.closing ??= this.doClose().finally(() => this.resolveStopped(this.fatal));
    return this.closing;
  }

  stopped(): Promise<unknown> {
    return this.stoppedPromise;
  }

  private async doClose(): Promise<void> {
    this.stopController.abort();
    for (const onStop of this.guards) onStop();
    this.v2.stopSync();
    this.watchServer.close();
    this.leases.stop();
    this.notifyStateWaiters();
    const stopped = new ErrStopped();
    this.readIndex.close(stopped);
    this.wait.triggerAll(() => ({ error: stopped }));
    await this.driver.stop();
    await this.cluster?.close();
    await this.defragInProgress?.catch(() => undefined);
    await this.wal.close().catch((err: unknown) => this.logger.warn({ err }, 'closing WAL'));
    await this.backend.close();
    this.logger.info({ stats: this.stats() }, 'stopped member');
  }

  private onFatal(err: unknown): void {
    this.fatal = err;
    this.logger.error({ err }, 'raft driver stopped: member is going down');
    void this.close();
  }

  stats(): ServerStats {
    return {
      ...this.driver.stats,
      appliedIndex: this.driver.applied,
      committedIndex: this.driver.committed,
      snapshotIndex: this.snapshots.index,
      readIndexRounds: this.readIndex.rounds,
    };
  }

  // ---- raft state ------------------------------------------------------------------------------

  private onSoftState(ss: SoftState): void {
    if (ss.lead !== this.lead) this.logger.info({ leader: formatId(ss.lead), term: this.term }, 'leader changed');
    if (ss.lead !== this.lead && ss.lead !== 0n) this.leadElectedAtMs = performance.now();
    this.lead = ss.lead;
    if (ss.raftState === StateType.Leader && this.raftState !== StateType.Leader) {
      this.serverStats.becomeLeader();
      this.leaderStats.reset(this.identity.memberId);
    }
    this.raftState = ss.raftState;
    // Only the leader expires leases (etcd promotes its lessor with an election timeout of grace).
    if (ss.raftState === StateType.Leader) {
      if (!this.lessor.isPrimary) this.lessor.promote(this.opts.electionTimeoutMs);
    } else if (this.lessor.isPrimary) this.lessor.demote();
    // A role change comes with a new term that the HardState of this Ready persists next; readiness
    // must already wait for the new term's no-op.
    this.term = Math.max(this.term, this.node.raft.term);
    this.notifyStateWaiters();
  }

  private onHardState(hs: HardState): void {
    this.term = hs.term;
    this.notifyStateWaiters();
  }

  private notifyStateWaiters(): void {
    const waiters = this.stateWaiters;
    this.stateWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when `cond()` holds (checked on every raft state change), rejects on abort/stop. */
  private async waitUntil(cond: () => boolean, signal: AbortSignal): Promise<void> {
    while (!cond()) {
      if (this.isStopped) throw new ErrStopped();
      if (signal.aborted) throw new ErrTimeout();
      await new Promise<void>((resolve) => {
        const done = (): void => {
          signal.removeEventListener('abort', done);
          resolve();
        };
        this.stateWaiters.push(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  private header(revision?: bigint): ResponseHeader {
    return {
      clusterId: this.identity.clusterId,
      memberId: this.identity.memberId,
      revision: revision ?? this.kv.rev(),
      raftTerm: BigInt(this.term),
    };
  }

  /** Fills cluster/member/term; keeps a revision the applier set, else the current one. */
  private fillHeader<T extends { header: ResponseHeader | undefined }>(resp: T): T {
    const rev = resp.header?.revision;
    resp.header = this.header(rev !== undefined && rev !== 0n ? rev : undefined);
    return resp;
  }

  // ---- apply -----------------------------------------------------------------------------------

  private async apply(snapshot: Snapshot | undefined, entries: readonly Entry[]): Promise<void> {
    if (snapshot !== undefined) await this.installSnapshot(snapshot);
    if (entries.length === 0) return;
    while (this.defragInProgress !== undefined) await this.defragInProgress.catch(() => undefined);
    const consistentIndex = this.backend.consistentIndex();
    const last = entries[entries.length - 1]!;
    const outcome = this.backend.batchTx((tx) => {
      const out = this.authApplier.applyEntries(tx, entries, consistentIndex);
      if (last.index > consistentIndex) tx.setConsistentIndex(last.index);
      return out;
    });
    this.stateIndex = last.index;
    if (outcome.confState !== undefined) {
      this.confState = outcome.confState;
      // raft refuses to campaign while a conf change is committed but not yet advanced past.
      setImmediate(() => this.campaignIfAlone());
      this.cluster?.syncPeers();
    }
    for (const t of outcome.emptyEntryTerms) if (t > this.appliedNoopTerm) this.appliedNoopTerm = t;
    if (this.appliedWait.lastTriggered < last.index) this.appliedWait.trigger(last.index);
    for (const { id, result } of outcome.results) this.wait.trigger(id, result);
    if (outcome.emptyEntryTerms.length > 0) this.notifyStateWaiters();
    if (outcome.raiseNoSpace) this.raiseNoSpaceAlarm();
    if (outcome.emptyEntryTerms.length > 0) {
      this.v2.maybeSetClusterVersion(this.isReady() && this.raftState === StateType.Leader, (err) =>
        this.logger.warn({ err }, 'setting the cluster version failed'),
      );
    }
    await this.snapshots.maybeSnapshot(last.index, this.confState, () => this.stateSnapshotData());
  }

  /** The snap data at stateIndex: member ids and the v2 store. */
  private stateSnapshotData(): Uint8Array {
    return encodeStateSnapshot(this.membership.ids(), this.v2.store.save());
  }

  /** A snapshot from the leader: swap in its backend image and rebuild everything on top. */
  private async installSnapshot(snapshot: Snapshot): Promise<void> {
    while (this.defragInProgress !== undefined) await this.defragInProgress.catch(() => undefined);
    const installed = (await this.cluster?.installSnapshotImage(snapshot.metadata.index)) ?? false;
    this.confState = snapshot.metadata.confState;
    // Raft resumes after the snapshot's index: the v2 store must be exactly there (it is behind).
    const state = decodeStateSnapshot(snapshot.data);
    if (state?.v2 !== undefined) this.v2.store.recovery(state.v2);
    this.stateIndex = snapshot.metadata.index;
    if (installed) {
      this.kv.reload();
      this.watchServer.watchable.restore();
      this.lessor.restore();
      this.authStore.reload(this.backend.readTx());
      this.cluster?.syncPeers();
    }
    const index = Math.max(snapshot.metadata.index, this.backend.consistentIndex());
    if (this.appliedWait.lastTriggered < index) this.appliedWait.trigger(index);
    this.snapshots.restoredTo(snapshot.metadata.index);
    // The snapshot covers its term's first entry (the leader's no-op): readiness counts it applied.
    if (snapshot.metadata.term > this.appliedNoopTerm) this.appliedNoopTerm = snapshot.metadata.term;
    this.notifyStateWaiters();
  }

  private raiseNoSpaceAlarm(): void {
    const req: AlarmRequest = { action: AlarmRequest_AlarmAction.ACTIVATE, memberID: this.identity.memberId, alarm: AlarmType.NOSPACE };
    this.propose({ alarm: req }, { signal: this.stopController.signal }).catch((err: unknown) =>
      this.logger.warn({ err }, 'raising NOSPACE alarm failed'),
    );
  }

  // ---- proposals -------------------------------------------------------------------------------

  /** etcd's processInternalRaftRequestOnce. */
  /**
   * `complete`: the request is a whole decoded message (no deep default-filling copy needed);
   * `unlimited`: not held to --max-request-bytes (etcd 3.4 checks only v3 requests).
   */
  private async propose(partial: Partial<InternalRaftRequest>, ctx: RequestContext, opts: ProposeOptions = {}): Promise<unknown> {
    if (this.isStopped) throw new ErrStopped();
    if (ctx.requireLeader && this.lead === 0n) throw new ErrNoLeader();
    if (this.driver.committed > this.driver.applied + MAX_GAP_BETWEEN_APPLY_AND_COMMIT_INDEX) throw new ErrTooManyRequests();
    const id = this.idGen.next();
    if (ctx.authToken !== undefined) await this.auth.waitForToken(ctx);
    const authInfo = this.auth.authInfo(ctx);
    const header = { ID: id, username: authInfo?.username ?? '', authRevision: authInfo?.revision ?? 0n };
    // API requests are whole decoded messages: only the top level needs defaults (no deep copy).
    const req = opts.complete === true ? ({ ...EMPTY_INTERNAL_RAFT_REQUEST, ...partial, header } as InternalRaftRequest) : InternalRaftRequest.fromPartial({ ...partial, header } as never);
    const data = encodeShared(InternalRaftRequest, req);
    if (opts.unlimited !== true && data.length > this.opts.maxRequestBytes) throw new ErrRequestTooLarge();

    const result = await this.submitToRaft(id, ctx, () => this.node.propose(data));
    if (result.physical !== undefined) await result.physical;
    return result.response;
  }

  /**
   * Hands one proposal to raft and waits for its apply: blocks while there is no leader (like
   * etcd's node.Propose), never proposes for a caller that left, and fails by requestGuard.
   */
  private async submitToRaft(id: bigint, ctx: RequestContext, submit: () => void): Promise<ApplyResult> {
    const settled = this.wait.register(id);
    const guard = this.requestGuard(ctx);
    try {
      if (this.lead === 0n) await Promise.race([this.waitForLeader(), guard.failed]);
      if (ctx.isAborted ?? ctx.signal.aborted) throw new ErrRequestCancelled();
      try {
        submit();
      } catch (err) {
        if (err instanceof ProposalDroppedError) throw new EtcdError(GrpcStatus.UNKNOWN, 'raft proposal dropped');
        throw err;
      }
      this.driver.notify();
      const result = await Promise.race([settled, guard.failed]);
      if (result.error !== undefined) throw result.error;
      return result;
    } finally {
      guard.dispose();
      this.wait.cancel(id);
    }
  }

  /**
   * One request's way out: rejects with "request timed out" after the request timeout, "request
   * cancelled" when the caller aborts, "server stopped" when the member closes.
   */
  private requestGuard(ctx: RequestContext): { failed: Promise<never>; dispose(): void } {
    let reject!: (err: Error) => void;
    const failed = new Promise<never>((_, r) => {
      reject = r;
    });
    failed.catch(() => undefined);
    const startedAtMs = performance.now();
    const timer = setTimeout(() => reject(this.timeoutError(startedAtMs)), this.opts.requestTimeoutMs);
    const onAbort = (): void => reject(this.isStopped ? new ErrStopped() : new ErrRequestCancelled());
    if (this.isStopped) onAbort();
    this.guards.add(onAbort);
    let unhook: () => void;
    if (ctx.onAbort !== undefined) {
      unhook = ctx.onAbort(onAbort);
    } else {
      const signal = ctx.signal;
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      unhook = () => signal.removeEventListener('abort', onAbort);
    }
    return {
      failed,
      dispose: () => {
        clearTimeout(timer);
        this.guards.delete(onAbort);
        unhook();
      },
    };
  }

  /**
   * etcd's parseProposeCtxErr: a request that started while the previous leader was failing
   * (up to two election timeouts before the current leader was elected) blames that failure.
   */
  private timeoutError(startedAtMs: number): EtcdError {
    const elected = this.leadElectedAtMs;
    const prevLeadLost = elected - 2 * this.opts.electionTimeoutMs;
    if (startedAtMs > prevLeadLost && startedAtMs < elected) return new ErrTimeoutDueToLeaderFail();
    return new ErrTimeout();
  }

  private waitForLeader(): Promise<void> {
    return this.waitUntil(() => this.lead !== 0n, this.stopController.signal);
  }

  private async linearizableReadNotify(ctx: RequestContext): Promise<void> {
    if (ctx.requireLeader && this.lead === 0n) throw new ErrNoLeader();
    await raceCtx(this.readIndex.waitLinearizable(), ctx, () => new ErrRequestCancelled());
  }

  private checkQuota(cost: number): void {
    if (this.alarms.has(AlarmType.NOSPACE) && cost > 0) throw new ErrNoSpace();
    if (this.quota.available(cost)) return;
    this.raiseNoSpaceAlarm();
    throw new ErrNoSpace();
  }

  // ---- KV --------------------------------------------------------------------------------------

  async range(req: RangeRequest, ctx: RequestContext): Promise<RangeResponse> {
    checkRangeRequest(req);
    this.checkOpen();
    if (!req.serializable) await this.linearizableReadNotify(ctx);
    if (ctx.authToken !== undefined) await this.auth.waitForToken(ctx);
    this.auth.checkRange(req, ctx);
    const resp = rangeLocal(this.kv, req);
    resp.header = this.header();
    return resp;
  }

  async put(req: PutRequest, ctx: RequestContext): Promise<PutResponse> {
    checkPutRequest(req);
    this.checkQuota(costPut(req));
    const resp = (await this.propose({ put: req }, ctx, { complete: true })) as PutResponse;
    return this.fillHeader(resp);
  }

  async deleteRange(req: DeleteRangeRequest, ctx: RequestContext): Promise<DeleteRangeResponse> {
    checkDeleteRangeRequest(req);
    const resp = (await this.propose({ deleteRange: req }, ctx, { complete: true })) as DeleteRangeResponse;
    return this.fillHeader(resp);
  }

  async txn(req: TxnRequest, ctx: RequestContext): Promise<TxnResponse> {
    checkTxnRequest(req, this.opts.maxTxnOps);
    if (isTxnReadOnly(req)) {
      this.checkOpen();
      if (!isTxnSerializable(req)) await this.linearizableReadNotify(ctx);
      if (ctx.authToken !== undefined) await this.auth.waitForToken(ctx);
      this.auth.checkReadOnlyTxn(req, ctx);
      const resp = txnReadOnlyLocal(this.kv, req);
      resp.header = this.header();
      return resp;
    }
    this.checkQuota(costTxn(req));
    const resp = (await this.propose({ txn: req }, ctx, { complete: true })) as TxnResponse;
    return this.fillHeader(resp);
  }

  async compact(req: CompactionRequest, ctx: RequestContext): Promise<CompactionResponse> {
    const resp = ((await this.propose({ compaction: req }, ctx)) as CompactionResponse | undefined) ?? { header: undefined };
    if (req.physical) await this.backend.sync();
    resp.header = this.header();
    return resp;
  }

  private checkOpen(): void {
    if (this.isStopped) throw new ErrStopped();
  }

  // ---- Lease (lease-server.ts) -----------------------------------------------------------------

  leaseGrant(req: LeaseGrantRequest, ctx: RequestContext): Promise<LeaseGrantResponse> {
    return this.leases.leaseGrant(req, ctx);
  }

  leaseRevoke(req: LeaseRevokeRequest, ctx: RequestContext): Promise<LeaseRevokeResponse> {
    return this.leases.leaseRevoke(req, ctx);
  }

  leaseKeepAlive(id: bigint, ctx: RequestContext): Promise<LeaseKeepAliveResponse> {
    return this.leases.leaseKeepAlive(id, ctx);
  }

  leaseTimeToLive(req: LeaseTimeToLiveRequest, ctx: RequestContext): Promise<LeaseTimeToLiveResponse> {
    return this.leases.leaseTimeToLive(req, ctx);
  }

  leaseLeases(ctx: RequestContext): Promise<LeaseLeasesResponse> {
    return this.leases.leaseLeases(ctx);
  }

  /** Resolves after the next applied entry (or at once if aborted): lets waiters re-check the store. */
  nextApply(signal: AbortSignal): Promise<void> {
    const next = this.appliedWait.wait(this.appliedWait.lastTriggered + 1);
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        this.stopController.signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      this.stopController.signal.addEventListener('abort', done, { once: true });
      void next.then(done);
    });
  }

  // ---- Maintenance -----------------------------------------------------------------------------

  async status(_ctx: RequestContext): Promise<StatusResponse> {
    this.checkOpen();
    const errors: string[] = [];
    if (this.lead === 0n) errors.push(new ErrNoLeader().message);
    for (const a of this.alarms.get(AlarmType.NONE)) errors.push(`memberID:${a.memberID} alarm:${AlarmType[a.alarm]} `);
    return {
      header: this.header(),
      version: this.opts.serverVersion,
      dbSize: BigInt(this.backend.size),
      leader: this.lead,
      raftIndex: BigInt(this.driver.committed),
      raftTerm: BigInt(this.term),
      raftAppliedIndex: BigInt(this.driver.applied),
      errors,
      dbSizeInUse: BigInt(this.backend.sizeInUse),
      isLearner: this.membership.member(this.identity.memberId)?.isLearner ?? this.confState.learners.includes(this.identity.memberId),
    };
  }

  /** Maintenance.MoveLeader: the leader hands over to a voting member and waits for it to lead. */
  async moveLeader(req: MoveLeaderRequest, ctx: RequestContext): Promise<MoveLeaderResponse> {
    this.checkOpen();
    const signal = AbortSignal.any([ctx.signal, this.stopController.signal, AbortSignal.timeout(this.opts.requestTimeoutMs)]);
    await leaderTransfer(
      {
        node: this.node,
        membership: this.membership,
        notify: () => this.driver.notify(),
        leader: () => this.lead,
        waitUntil: (cond, sig) => this.waitUntil(cond, sig),
      },
      req,
      signal,
    );
    return { header: this.header() };
  }

  async hash(_ctx: RequestContext): Promise<HashResponse> {
    this.checkOpen();
    this.auth.checkAdmin(_ctx);
    await this.backend.sync();
    const { hash, revision } = this.kv.hash();
    return { header: this.header(revision), hash };
  }

  async hashKV(req: HashKVRequest, _ctx: RequestContext): Promise<HashKVResponse> {
    this.checkOpen();
    this.auth.checkAdmin(_ctx);
    const r = this.kv.hashByRev(req.revision);
    return { header: this.header(r.currentRev), hash: r.hash, compactRevision: r.compactRevision };
  }

  async alarm(req: AlarmRequest, ctx: RequestContext): Promise<AlarmResponse> {
    const resp = ((await this.propose({ alarm: req }, ctx)) as AlarmResponse | undefined) ?? { header: undefined, alarms: [] };
    resp.header = undefined;
    return resp;
  }

  async defragment(_ctx: RequestContext): Promise<DefragmentResponse> {
    this.checkOpen();
    this.auth.checkAdmin(_ctx);
    while (this.defragInProgress !== undefined) await this.defragInProgress.catch(() => undefined);
    const run = this.backend.defragment();
    this.defragInProgress = run;
    try {
      await run;
    } finally {
      this.defragInProgress = undefined;
    }
    return { header: undefined };
  }

  snapshot(ctx: RequestContext): AsyncIterable<SnapshotResponse> {
    this.checkOpen();
    this.auth.checkAdmin(ctx);
    return snapshotStream(this.backend, ctx.signal);
  }

  // ---- Cluster ---------------------------------------------------------------------------------

  async memberList(_ctx: RequestContext): Promise<MemberListResponse> {
    this.checkOpen();
    return { header: this.header(0n), members: this.membership.toProto() };
  }

  memberAdd(req: MemberAddRequest, ctx: RequestContext): Promise<MemberAddResponse> {
    return this.membershipChanges.add(req, ctx);
  }

  memberRemove(req: MemberRemoveRequest, ctx: RequestContext): Promise<MemberRemoveResponse> {
    return this.membershipChanges.remove(req, ctx);
  }

  memberUpdate(req: MemberUpdateRequest, ctx: RequestContext): Promise<MemberUpdateResponse> {
    return this.membershipChanges.update(req, ctx);
  }

  async memberPromote(req: MemberPromoteRequest, ctx: RequestContext): Promise<MemberPromoteResponse> {
    // Only the leader knows whether the learner caught up: a follower forwards (etcd 3.4).
    if (this.cluster !== undefined && this.raftState !== StateType.Leader) {
      if (this.lead === 0n) throw new ErrNoLeader();
      const leaderUrl = this.membership.member(this.lead)?.peerUrls[0];
      if (leaderUrl === undefined) throw new ErrNoLeader();
      const members = await forwardPromote(this.peerFetch, leaderUrl, req.ID, this.opts.requestTimeoutMs);
      await this.appliedWait.wait(this.driver.committed);
      return {
        header: this.header(0n),
        members: members.map((m) => ({ ID: m.id, name: m.name, peerURLs: [...m.peerUrls], clientURLs: [...m.clientUrls], isLearner: m.isLearner })),
      };
    }
    return this.membershipChanges.promote(req, ctx);
  }

  /** Proposes a ConfChange and waits for its apply (etcd's configure); returns the new member list. */
  private async configure(change: Omit<ConfChange, 'id'>, ctx: RequestContext): Promise<Member[]> {
    this.checkOpen();
    if (ctx.requireLeader && this.lead === 0n) throw new ErrNoLeader();
    const cc: ConfChange = { ...change, id: this.idGen.next() };
    const result = await this.submitToRaft(cc.id, ctx, () => this.node.proposeConfChange(cc));
    return result.response as Member[];
  }
}

const RAFT_STATE_NAMES: Record<StateType, RaftStateName> = {
  [StateType.Follower]: 'StateFollower',
  [StateType.Candidate]: 'StateCandidate',
  [StateType.Leader]: 'StateLeader',
  [StateType.PreCandidate]: 'StatePreCandidate',
};

function memberContext(membership: Membership, id: bigint): Uint8Array {
  const m = membership.member(id);
  assert(m !== undefined, 'bootstrap peers come from the membership');
  return encodeMemberJson(m);
}
