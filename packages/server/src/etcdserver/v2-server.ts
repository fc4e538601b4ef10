// The member's side of the v2 API: owns the V2Store, applies committed `InternalRaftRequest.v2`
// requests, serves /v2/keys through a propose function (writes and QGETs go through raft; plain
// GETs read locally), and lets the leader propose SYNC every V2_TTL_SYNC_INTERVAL_MS while TTL keys
// exist. Not wired into EtcdServer yet (see v2store/README.md).

import { Request } from '@tsetcd/api';
import { V2_TTL_SYNC_INTERVAL_MS } from '../config/limits';
import type { V2KeysBackend } from '../api/v2/keys-handler';
import { V2Error, V2Store, type V2Event } from '../v2store';
import { applyV2Request, msToUnixNano } from './v2-apply';

/** What apply produces for a v2 entry: the event(s), or the store error the proposer rethrows. */
export type V2ApplyResult = { readonly event: V2Event | V2Event[] } | { readonly error: V2Error };

export interface V2ServerDeps {
  /** Proposes `{ v2: request }` and resolves with the apply result of that entry. */
  readonly propose: (request: Request) => Promise<V2ApplyResult>;
  readonly clusterIdHex: () => string;
  readonly raftIndex: () => number;
  readonly raftTerm: () => number;
  readonly now?: () => number;
}

export const V2_NAMESPACES = ['/0', '/1'] as const;

export class V2Server implements V2KeysBackend {
  readonly store: V2Store;
  private syncTimer: ReturnType<typeof setInterval> | undefined;

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

  async doV2(request: Request): Promise<V2Event> {
    if (request.Method === 'GET') return this.store.get(request.Path, request.Recursive, request.Sorted);
    const result = await this.deps.propose(request);
    if ('error' in result) throw result.error;
    if (Array.isArray(result.event)) throw new Error('etcdserver: unexpected SYNC result for a keys request');
    return result.event;
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
