// The member's side of the v2 API: owns the V2Store, applies committed `InternalRaftRequest.v2`
// requests and the membership bookkeeping under /0, serves /v2/keys through a propose function
// (writes and QGETs go through raft; plain GETs and watches read locally), and lets the leader
// propose SYNC every V2_TTL_SYNC_INTERVAL_MS while TTL keys exist.

import { Request } from '@tsetcd/api';
import { CLUSTER_VERSION, V2_TTL_SYNC_INTERVAL_MS } from '../config/limits';
import type { V2KeysBackend } from '../api/v2/keys-handler';
import type { V2StatsBackend } from '../api/v2/stats-handler';
import { ConfChangeType, type ConfChange } from '../raft/types';
import { V2Error, V2Store, type V2Event, type V2Watcher } from '../v2store';
import { decodeMemberJson } from './membership';
import { formatId } from './member-id';
import { applyV2Request, msToUnixNano } from './v2-apply';

/** What apply produces for a v2 entry: the event(s), or the store error the proposer rethrows. */
export type V2ApplyResult = { readonly event: V2Event | V2Event[] } | { readonly error: V2Error };

export interface V2ServerDeps {
  /** Proposes `{ v2: request }` and resolves with the apply result of that entry. */
  readonly propose: (request: Request) => Promise<V2ApplyResult>;
  readonly clusterIdHex: () => string;
  readonly raftIndex: () => number;
  readonly raftTerm: () => number;
  /** The member's /v2/stats/self body. */
  readonly selfStatsJson: () => string;
  /** The /v2/stats/leader body; undefined when this member does not lead. */
  readonly leaderStatsJson: () => string | undefined;
  /** The current leader's id, 0n during an election. */
  readonly leaderId: () => bigint;
  readonly isMemberRemoved: (id: bigint) => boolean;
  readonly now?: () => number;
}

export const V2_NAMESPACES = ['/0', '/1'] as const;
/** etcd 3.4's bookkeeping paths in the v2 store (not reachable through /v2/keys, which is /1). */
const MEMBERS_DIR = '/0/members';
const REMOVED_MEMBERS_DIR = '/0/removed_members';
export const CLUSTER_VERSION_PATH = '/0/version';

export class V2Server implements V2KeysBackend, V2StatsBackend {
  readonly store: V2Store;
  private syncTimer: ReturnType<typeof setInterval> | undefined;
  private versionProposed = false;

  constructor(private readonly deps: V2ServerDeps) {
    this.store = new V2Store({ now: deps.now ?? Date.now, namespaces: V2_NAMESPACES });
  }

  /** Called by the applier for each committed v2 request, in log order. */
  apply(request: Request): V2ApplyResult {
    try {
      return { event: applyV2Request(this.store, request) };
    } catch (err) {
      if (err instanceof V2Error) return { error: err };
      throw err;
    }
  }

  /**
   * Mirrors a committed ConfChange into /0/members like etcd 3.4 (each write takes a store index).
   * Decided from the store's own /0 tree only, so WAL replay from a snapshot reproduces it exactly.
   */
  applyConfChange(cc: ConfChange): void {
    const dir = `${MEMBERS_DIR}/${formatId(cc.nodeId)}`;
    const raftAttributes = `${dir}/raftAttributes`;
    const present = this.store.exists(dir);
    switch (cc.type) {
      case ConfChangeType.AddNode:
      case ConfChangeType.AddLearnerNode: {
        if (cc.context.length === 0 || this.store.exists(`${REMOVED_MEMBERS_DIR}/${formatId(cc.nodeId)}`)) return;
        const m = decodeMemberJson(cc.context);
        const attrs = JSON.stringify({ peerURLs: m.peerUrls, ...(m.isLearner ? { isLearner: true } : {}) });
        // An AddNode for a present member is a learner's promotion: its attributes are rewritten.
        if (present) this.store.set(raftAttributes, false, attrs);
        else this.store.create(raftAttributes, false, attrs, false);
        return;
      }
      case ConfChangeType.RemoveNode:
        if (!present) return;
        this.store.delete(dir, true, true);
        this.store.create(`${REMOVED_MEMBERS_DIR}/${formatId(cc.nodeId)}`, false, '', false);
        return;
      case ConfChangeType.UpdateNode:
        if (!present || cc.context.length === 0) return;
        this.store.update(raftAttributes, JSON.stringify({ peerURLs: decodeMemberJson(cc.context).peerUrls }));
        return;
    }
  }

  /** etcd's "set the initial cluster version": the first ready leader writes /0/version once. */
  maybeSetClusterVersion(isReadyLeader: boolean, onError: (err: unknown) => void): void {
    if (!isReadyLeader || this.versionProposed || this.store.exists(CLUSTER_VERSION_PATH)) return;
    this.versionProposed = true;
    const request = Request.fromPartial({ Method: 'PUT', Path: CLUSTER_VERSION_PATH, Val: CLUSTER_VERSION });
    this.deps.propose(request).catch((err: unknown) => {
      this.versionProposed = false;
      onError(err);
    });
  }

  async doV2(request: Request): Promise<V2Event> {
    if (request.Method === 'GET') return this.store.get(request.Path, request.Recursive, request.Sorted);
    const result = await this.deps.propose(request);
    if ('error' in result) throw result.error;
    if (Array.isArray(result.event)) throw new Error('etcdserver: unexpected SYNC result for a keys request');
    return result.event;
  }

  /** A ?wait=true request: a watcher on the local store (etcd serves watches without raft). */
  watch(request: Request): V2Watcher {
    return this.store.watch(request.Path, request.Recursive, request.Stream, Number(request.Since));
  }

  clusterIdHex(): string {
    return this.deps.clusterIdHex();
  }

  raftIndex(): number {
    return this.deps.raftIndex();
  }

  raftTerm(): number {
    return this.deps.raftTerm();
  }

  /** etcd's v2 auth check (a store get of /2/enabled, counted in the store stats like etcd's). */
  v2AuthEnabled(): boolean {
    return this.store.v2AuthEnabled();
  }

  selfStatsJson(): string {
    return this.deps.selfStatsJson();
  }

  leaderStatsJson(): string | undefined {
    return this.deps.leaderStatsJson();
  }

  storeStatsJson(): string {
    return JSON.stringify(this.store.statsJson());
  }

  leaderId(): bigint {
    return this.deps.leaderId();
  }

  isMemberRemoved(id: bigint): boolean {
    return this.deps.isMemberRemoved(id);
  }

  now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** One SYNC proposal when this member leads and TTL keys exist (the timer calls this). */
  async syncOnce(isLeader: boolean): Promise<boolean> {
    if (!isLeader || !this.store.hasTtlKeys()) return false;
    await this.deps.propose(Request.fromPartial({ Method: 'SYNC', Time: msToUnixNano(this.now()) }));
    return true;
  }

  startSync(isLeader: () => boolean, onError: (err: unknown) => void): void {
    this.stopSync();
    this.syncTimer = setInterval(() => {
      this.syncOnce(isLeader()).catch(onError);
    }, V2_TTL_SYNC_INTERVAL_MS);
    this.syncTimer.unref?.();
  }

  stopSync(): void {
    if (this.syncTimer !== undefined) clearInterval(this.syncTimer);
    this.syncTimer = undefined;
  }
}
