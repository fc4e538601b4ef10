// The apply side of the member: committed raft entries -> state machine, in order, inside ONE
// backend write transaction per batch that also stores the applied (consistent) index.
// Wrapping order as in etcd: corrupt / capped (NOSPACE) / quota checks -> the backend applier.

import {
  AlarmRequest_AlarmAction,
  AlarmType,
  ErrCorrupt,
  ErrMemberExist,
  ErrMemberNotEnoughStarted,
  ErrNoSpace,
  EtcdError,
  GrpcStatus,
  InternalRaftRequest,
  type AlarmResponse,
  type Request as V2Request,
} from '@tsetcd/api';
import type { BatchTx } from '../backend/backend';
import type { KvStore } from '../mvcc/kv-store';
import { decodeConfChange } from '../raft/confchange-codec';
import { ConfChangeError } from '../raft/confchange/changer';
import { EntryType, type ConfChange, type ConfState, type Entry, type RawNodeApi } from '../raft/types';
import type { AlarmStore } from './alarm-store';
import { replayedChangeStands, validateConfChange } from './conf-change';
import type { Membership } from './membership';
import { applyMemberAttributes } from './publish';
import { assert } from './assert';
import { applyCompaction, applyDeleteRange, applyPut, applyTxn, type CompactionResult } from './kv-requests';
import { costPut, costTxn, type BackendQuota } from './quota';

/** What a proposer gets back from the apply loop. */
export interface ApplyResult {
  readonly response?: unknown;
  readonly error?: Error;
  /** Compaction: resolves once the physical compaction is done. */
  readonly physical?: Promise<void>;
}

export interface ApplierDeps {
  readonly kv: KvStore;
  readonly alarms: AlarmStore;
  readonly quota: BackendQuota;
  readonly node: RawNodeApi;
  readonly membership: Membership;
  readonly memberId: bigint;
  /** The waiter registry: is a local proposer waiting for this id? */
  isWaiting(id: bigint): boolean;
  onAlarmChange(): void;
  /** More request kinds (the lessor's LeaseGrant/Revoke/Checkpoint): undefined when not theirs. */
  readonly applyExtra?: (tx: BatchTx, req: InternalRaftRequest) => ApplyResult | undefined;
  /**
   * The v2 store's apply (etcd 3.4 keeps it beside the backend, restored from the snap file, so it
   * also takes the v2 entries the backend already holds when the WAL is replayed).
   */
  readonly applyV2?: (req: V2Request) => ApplyResult;
  /** The v2 store's /0/members bookkeeping for every ConfChange entry, replayed or not. */
  readonly applyV2ConfChange?: (cc: ConfChange) => void;
}

export interface AppliedEntry {
  readonly id: bigint;
  readonly result: ApplyResult;
}

export interface ApplyBatchOutcome {
  readonly results: AppliedEntry[];
  /** Requests that hit the quota at apply time: NOSPACE must be raised through raft. */
  readonly raiseNoSpace: boolean;
  /** Terms of the no-op entries applied (a leader is ready once it applied its own). */
  readonly emptyEntryTerms: number[];
  readonly confState: ConfState | undefined;
}

export class Applier {
  constructor(private readonly deps: ApplierDeps) {}

  /**
   * Applies `entries` through `tx`. Normal entries at or below `consistentIndex` were applied by
   * an earlier run (WAL replay) and only ConfChanges are re-applied to raft.
   */
  applyEntries(tx: BatchTx, entries: readonly Entry[], consistentIndex: number): ApplyBatchOutcome {
    const results: AppliedEntry[] = [];
    const emptyEntryTerms: number[] = [];
    let raiseNoSpace = false;
    let confState: ConfState | undefined;
    for (const e of entries) {
      if (e.type === EntryType.ConfChange) {
        const cc = decodeConfChange(e.data);
        const applied = this.applyConfChange(tx, cc, e.index <= consistentIndex);
        this.deps.applyV2ConfChange?.(cc);
        confState = applied.confState;
        if (applied.result !== undefined) results.push({ id: cc.id, result: applied.result });
        continue;
      }
      if (e.data.length === 0) {
        emptyEntryTerms.push(e.term);
        continue;
      }
      if (e.index <= consistentIndex) {
        this.replayV2(e.data);
        continue;
      }
      const req = InternalRaftRequest.decode(e.data);
      const id = req.ID !== 0n ? req.ID : (req.header?.ID ?? 0n);
      const result = this.applyRequest(tx, req);
      if (result.error instanceof ErrNoSpace && !this.deps.alarms.has(AlarmType.NOSPACE)) raiseNoSpace = true;
      results.push({ id, result });
    }
    return { results, raiseNoSpace, emptyEntryTerms, confState };
  }

  /** An entry the backend already holds: only the v2 store (rebuilt from the snap file) needs it. */
  private replayV2(data: Uint8Array): void {
    if (this.deps.applyV2 === undefined) return;
    const req = InternalRaftRequest.decode(data);
    if (req.v2 !== undefined) this.deps.applyV2(req.v2);
  }

  /** A ConfChange: validated against the membership, then applied to it and to raft (or a no-op). */
  private applyConfChange(tx: BatchTx, cc: ConfChange, replayed: boolean): { confState: ConfState; result?: ApplyResult } {
    const { node, membership } = this.deps;
    const noop = (): ConfState => node.applyConfChange({ ...cc, nodeId: 0n });
    if (replayed) {
      // The backend already holds this change's effect (or its rejection): only raft needs it.
      return { confState: replayedChangeStands(membership, cc) ? node.applyConfChange(cc) : noop() };
    }
    let effect = validateConfChange(membership, (id) => membership.isRemoved(id), cc);
    // Bootstrap entries (id 0) add the members stored when the member was created.
    if (effect instanceof ErrMemberExist && cc.id === 0n && membership.member(cc.nodeId) !== undefined) effect = { kind: 'none' };
    if (effect instanceof EtcdError) return { confState: noop(), result: { error: effect } };
    let confState: ConfState;
    try {
      confState = node.applyConfChange(cc);
    } catch (err) {
      if (err instanceof ConfChangeError) return { confState: noop(), result: { error: new ErrMemberNotEnoughStarted() } };
      throw err;
    }
    switch (effect.kind) {
      case 'add':
        membership.put(tx, effect.member);
        break;
      case 'promote':
        membership.put(tx, { ...membership.member(effect.id)!, isLearner: false });
        break;
      case 'remove':
        membership.remove(tx, effect.id);
        break;
      case 'update':
        // etcd 3.4 replaces the member's raft attributes wholesale on MemberUpdate, and the new
        // attributes carry no learner flag: an updated learner is listed as a voter (observed
        // against etcd 3.4.23 by test/compat/cluster.diff). Raft's own config is unchanged.
        membership.put(tx, { ...membership.member(effect.id)!, peerUrls: [...effect.peerUrls], isLearner: false });
        break;
      case 'none':
        break;
    }
    return { confState, result: { response: membership.toProto() } };
  }

  private applyRequest(tx: BatchTx, req: InternalRaftRequest): ApplyResult {
    try {
      return this.dispatch(tx, req);
    } catch (err) {
      // Request errors (unknown lease, compacted revision, ...) are answers; anything else is a bug
      // that must stop the member rather than let replicas diverge.
      if (err instanceof EtcdError) return { error: err };
      throw err;
    }
  }

  private dispatch(tx: BatchTx, req: InternalRaftRequest): ApplyResult {
    const { kv, alarms, quota } = this.deps;
    const corrupt = alarms.has(AlarmType.CORRUPT);
    const capped = alarms.has(AlarmType.NOSPACE);
    if (req.alarm !== undefined) return { response: this.applyAlarm(tx, req.alarm.action, req.alarm.memberID, req.alarm.alarm) };
    if (corrupt && (req.put || req.deleteRange || req.txn || req.compaction || req.range)) throw new ErrCorrupt();
    if (req.put !== undefined) {
      if (capped) throw new ErrNoSpace();
      const fits = quota.available(costPut(req.put));
      const response = applyPut(kv, req.put);
      // etcd applies the put, then reports the quota breach (and raises NOSPACE).
      return fits ? { response } : { error: new ErrNoSpace() };
    }
    if (req.deleteRange !== undefined) return { response: applyDeleteRange(kv, req.deleteRange) };
    if (req.txn !== undefined) {
      const cost = costTxn(req.txn);
      if (capped && cost > 0) throw new ErrNoSpace();
      const fits = quota.available(cost);
      const response = applyTxn(kv, req.txn);
      return fits ? { response } : { error: new ErrNoSpace() };
    }
    if (req.compaction !== undefined) {
      const r: CompactionResult = applyCompaction(kv, req.compaction);
      return { response: r.response, physical: r.physical };
    }
    if (req.v2 !== undefined) {
      // Member attributes are a v2 PUT under /0/members (etcd 3.4's publish): membership and store.
      const attributes = applyMemberAttributes(tx, this.deps.membership, req.v2);
      if (this.deps.applyV2 !== undefined) return this.deps.applyV2(req.v2);
      if (attributes) return { response: undefined };
    }
    const extra = this.deps.applyExtra?.(tx, req);
    if (extra !== undefined) return extra;
    return { error: new EtcdError(GrpcStatus.UNIMPLEMENTED, 'etcdserver: request type not supported by this member yet') };
  }

  private applyAlarm(tx: BatchTx, action: AlarmRequest_AlarmAction, memberId: bigint, type: AlarmType): AlarmResponse {
    const { alarms } = this.deps;
    const resp: AlarmResponse = { header: undefined, alarms: [] };
    switch (action) {
      case AlarmRequest_AlarmAction.GET:
        resp.alarms = alarms.get(type);
        break;
      case AlarmRequest_AlarmAction.ACTIVATE: {
        if (type === AlarmType.NONE) break;
        resp.alarms.push(alarms.activate(tx, memberId, type));
        this.deps.onAlarmChange();
        break;
      }
      case AlarmRequest_AlarmAction.DEACTIVATE: {
        const m = alarms.deactivate(tx, memberId, type);
        if (m !== undefined) resp.alarms.push(m);
        this.deps.onAlarmChange();
        break;
      }
      default:
        assert(true, 'unknown alarm actions are ignored like etcd (nil response)');
    }
    return resp;
  }
}
