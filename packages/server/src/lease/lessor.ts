// The lessor (etcd's lease/lessor.go): leases with their TTLs and attached keys, persisted in the
// backend's `lease` bucket. Every member applies grants, revokes and checkpoints in log order; only
// the primary (the raft leader) keeps expiry deadlines on a monotonic clock and reports expired
// leases, which the member then revokes through raft. A non-primary keeps every lease "forever".
//
// Decisions, not actions: the lessor never proposes anything. `expiredLeases()` and
// `dueCheckpoints()` return what the member's lease loop should propose.

import { ErrLeaseExist, ErrLeaseNotFound, ErrLeaseTTLTooLarge, EtcdError, GrpcStatus } from '@tsetcd/api';
import type { Backend, BatchTx } from '../backend/backend';
import type { KvStore } from '../mvcc/kv-store';
import { NO_LEASE, type LeaseChecker } from '../mvcc/types';
import { decodeLeaseRecord, encodeLeaseRecord, leaseKey } from './lease-codec';
import { LeaseHeap } from './lease-heap';

/** etcd's MaxLeaseTTL: 9,000,000,000 seconds. */
export const MAX_LEASE_TTL_SECONDS = 9_000_000_000n;
/** etcd's leaseRevokeRate: expired leases revoked per second at most. */
export const LEASE_REVOKE_RATE_PER_SECOND = 1000;
/** etcd's leaseCheckpointRate: checkpoints proposed per second at most. */
export const LEASE_CHECKPOINT_RATE_PER_SECOND = 1000;
/** etcd's maxLeaseCheckpointBatchSize. */
export const LEASE_CHECKPOINT_BATCH_MAX = 1000;
/** etcd's defaultLeaseCheckpointInterval (5 minutes). */
export const DEFAULT_LEASE_CHECKPOINT_INTERVAL_MS = 5 * 60 * 1000;
/** etcd's expiredLeaseRetryInterval: an expired lease not revoked yet is reported again after this. */
export const EXPIRED_LEASE_RETRY_INTERVAL_MS = 3000;

export class ErrNotPrimary extends EtcdError {
  constructor() {
    super(GrpcStatus.UNAVAILABLE, 'not a primary lessor');
  }
}

/** A monotonic millisecond clock (performance.now in production, a fake in tests). */
export type MonotonicClock = () => number;

export interface LessorOptions {
  /** ceil(1.5 x election timeout) seconds (config/limits minLeaseTtlSeconds). */
  readonly minTtlSeconds: number;
  readonly clock?: MonotonicClock;
  /** How often the primary checkpoints remaining TTLs (etcd: 5 min). 0 disables checkpoints. */
  readonly checkpointIntervalMs?: number;
}

export interface LeaseView {
  readonly id: bigint;
  readonly ttlSeconds: bigint;
  /** Whole seconds left (truncated, like etcd), or the TTL when this member is not primary. */
  readonly remainingSeconds: bigint;
  readonly keys: Buffer[];
}

export interface LeaseCheckpointItem {
  readonly id: bigint;
  readonly remainingTtlSeconds: bigint;
}

class Lease {
  /** Monotonic deadline; Infinity while this member is not primary. */
  expiryMs = Infinity;
  /** When the expiry heap reports this lease next (the deadline, then retries); its valid heap entry. */
  dueMs = Infinity;
  readonly keys = new Set<string>();
  /** Next checkpoint due (monotonic), Infinity when none is scheduled. */
  checkpointDueMs = Infinity;

  constructor(
    readonly id: bigint,
    public ttlSeconds: bigint,
    public remainingTtlSeconds: bigint,
  ) {}

  /** The TTL that a refresh starts from: the checkpointed remainder if there is one. */
  startingTtlMs(): number {
    const s = this.remainingTtlSeconds > 0n ? this.remainingTtlSeconds : this.ttlSeconds;
    return Number(s) * 1000;
  }
}

const keyId = (key: Uint8Array): string => Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');

export class Lessor implements LeaseChecker {
  private readonly leases = new Map<bigint, Lease>();
  private readonly expiryHeap = new LeaseHeap();
  private readonly checkpointHeap = new LeaseHeap();
  private readonly clock: MonotonicClock;
  private readonly checkpointIntervalMs: number;
  private primary = false;
  readonly minTtlSeconds: number;

  constructor(
    private readonly backend: Backend,
    private readonly kv: KvStore,
    opts: LessorOptions,
  ) {
    this.minTtlSeconds = opts.minTtlSeconds;
    this.clock = opts.clock ?? (() => performance.now());
    this.checkpointIntervalMs = opts.checkpointIntervalMs ?? DEFAULT_LEASE_CHECKPOINT_INTERVAL_MS;
    this.restore();
  }

  /** Reloads the lease bucket and the keys attached to each lease (start-up, snapshot install). */
  restore(): void {
    this.leases.clear();
    this.expiryHeap.clear();
    this.checkpointHeap.clear();
    for (const { value } of this.backend.range('lease', new Uint8Array(0))) {
      const r = decodeLeaseRecord(value);
      this.leases.set(r.id, new Lease(r.id, r.ttlSeconds, r.remainingTtlSeconds));
    }
    this.kv.setLeaseChecker(this);
    this.kv.forEachLeasedKey((key, lease) => this.attach(lease, key));
    if (this.primary) this.refreshAll(0);
  }

  get isPrimary(): boolean {
    return this.primary;
  }

  get size(): number {
    return this.leases.size;
  }

  // ---- LeaseChecker (mvcc hooks) -------------------------------------------------------------

  has(id: bigint): boolean {
    return this.leases.has(id);
  }

  attach(id: bigint, key: Uint8Array): void {
    this.leases.get(id)?.keys.add(keyId(key));
  }

  detach(id: bigint, key: Uint8Array): void {
    this.leases.get(id)?.keys.delete(keyId(key));
  }

  // ---- apply side (every member, in log order) -------------------------------------------------

  /** LeaseGrant at apply: ttl below the minimum is raised to it. Returns the lease's TTL. */
  grant(tx: BatchTx, id: bigint, ttlSeconds: bigint): bigint {
    if (id === NO_LEASE) throw new ErrLeaseNotFound();
    if (ttlSeconds > MAX_LEASE_TTL_SECONDS) throw new ErrLeaseTTLTooLarge();
    if (this.leases.has(id)) throw new ErrLeaseExist();
    const ttl = ttlSeconds < BigInt(this.minTtlSeconds) ? BigInt(this.minTtlSeconds) : ttlSeconds;
    const l = new Lease(id, ttl, 0n);
    this.leases.set(id, l);
    this.persist(tx, l);
    if (this.primary) this.refresh(l, 0);
    return ttl;
  }

  /**
   * LeaseRevoke at apply: deletes every attached key in ONE mvcc write txn (one revision, a DELETE
   * event per key, in key order), then the lease.
   */
  revoke(tx: BatchTx, id: bigint): void {
    const l = this.leases.get(id);
    if (l === undefined) throw new ErrLeaseNotFound();
    const keys = [...l.keys].sort();
    if (keys.length > 0) {
      this.kv.write((txn) => {
        for (const k of keys) txn.deleteRange(Buffer.from(k, 'latin1'), undefined);
      });
    }
    this.leases.delete(id);
    tx.delete('lease', leaseKey(id));
  }

  /** LeaseCheckpoint at apply: records each lease's remaining TTL (persisted, survives restarts). */
  checkpoint(tx: BatchTx, items: readonly LeaseCheckpointItem[]): void {
    for (const c of items) {
      const l = this.leases.get(c.id);
      if (l === undefined) continue;
      l.remainingTtlSeconds = c.remainingTtlSeconds;
      this.persist(tx, l);
      if (this.primary) this.scheduleCheckpoint(l);
    }
  }

  private persist(tx: BatchTx, l: Lease): void {
    tx.put('lease', leaseKey(l.id), encodeLeaseRecord({ id: l.id, ttlSeconds: l.ttlSeconds, remainingTtlSeconds: l.remainingTtlSeconds }));
  }

  // ---- primary side ----------------------------------------------------------------------------

  /**
   * Becomes primary (this member leads): every lease gets a deadline of now + extend + its
   * remaining TTL (checkpointed remainder, else the full TTL), like etcd's Promote.
   */
  promote(extendMs: number): void {
    this.primary = true;
    this.refreshAll(extendMs);
  }

  /** Stops expiring: deadlines become "forever" until the next promote. */
  demote(): void {
    this.primary = false;
    this.expiryHeap.clear();
    this.checkpointHeap.clear();
    for (const l of this.leases.values()) {
      l.expiryMs = Infinity;
      l.dueMs = Infinity;
      l.checkpointDueMs = Infinity;
    }
  }

  private refreshAll(extendMs: number): void {
    this.expiryHeap.clear();
    this.checkpointHeap.clear();
    for (const l of this.leases.values()) this.refresh(l, extendMs);
  }

  private refresh(l: Lease, extendMs: number): void {
    l.expiryMs = this.clock() + extendMs + l.startingTtlMs();
    l.dueMs = l.expiryMs;
    this.expiryHeap.push({ id: l.id, expiryMs: l.dueMs });
    this.scheduleCheckpoint(l);
  }

  private scheduleCheckpoint(l: Lease): void {
    if (this.checkpointIntervalMs <= 0) return;
    // Only leases that outlive the interval need one (etcd's scheduleCheckpointIfNeeded).
    if (l.expiryMs - this.clock() <= this.checkpointIntervalMs) return;
    l.checkpointDueMs = this.clock() + this.checkpointIntervalMs;
    this.checkpointHeap.push({ id: l.id, expiryMs: l.checkpointDueMs });
  }

  /**
   * KeepAlive on the primary: restarts the lease's full TTL. `clearRemaining` asks the member to
   * propose a checkpoint of 0 so every member (and a restart) forgets the old remainder, as etcd does.
   */
  renew(id: bigint): { ttlSeconds: bigint; clearRemaining: boolean } {
    if (!this.primary) throw new ErrNotPrimary();
    const l = this.leases.get(id);
    if (l === undefined || l.expiryMs <= this.clock()) throw new ErrLeaseNotFound();
    const clearRemaining = l.remainingTtlSeconds > 0n;
    l.remainingTtlSeconds = 0n;
    this.refresh(l, 0);
    return { ttlSeconds: l.ttlSeconds, clearRemaining };
  }

  /** Lease ids whose deadline passed (oldest first), at most `limit`; each is reported again only
   * after EXPIRED_LEASE_RETRY_INTERVAL_MS if it is still not revoked. */
  expiredLeases(limit: number): bigint[] {
    const out: bigint[] = [];
    const now = this.clock();
    while (out.length < limit) {
      const top = this.expiryHeap.peek();
      if (top === undefined || top.expiryMs > now) break;
      this.expiryHeap.pop();
      const l = this.leases.get(top.id);
      if (l === undefined || l.dueMs !== top.expiryMs) continue; // revoked or renewed since
      out.push(l.id);
      l.dueMs = now + EXPIRED_LEASE_RETRY_INTERVAL_MS;
      this.expiryHeap.push({ id: l.id, expiryMs: l.dueMs });
    }
    return out;
  }

  /** Checkpoints due now (remaining TTL in whole seconds, rounded up), at most `limit`. */
  dueCheckpoints(limit: number): LeaseCheckpointItem[] {
    const out: LeaseCheckpointItem[] = [];
    const now = this.clock();
    while (out.length < limit) {
      const top = this.checkpointHeap.peek();
      if (top === undefined || top.expiryMs > now) break;
      this.checkpointHeap.pop();
      const l = this.leases.get(top.id);
      if (l === undefined || l.checkpointDueMs !== top.expiryMs || l.expiryMs === Infinity) continue;
      l.checkpointDueMs = Infinity;
      const remainingMs = l.expiryMs - now;
      if (remainingMs <= 0) continue;
      const remaining = BigInt(Math.ceil(remainingMs / 1000));
      if (remaining >= l.ttlSeconds) continue;
      out.push({ id: l.id, remainingTtlSeconds: remaining });
    }
    return out;
  }

  /** Checkpoints for every lease right now (e.g. before a planned leadership handover). */
  allCheckpoints(): LeaseCheckpointItem[] {
    const now = this.clock();
    const out: LeaseCheckpointItem[] = [];
    for (const l of this.leases.values()) {
      if (l.expiryMs === Infinity) continue;
      const remainingMs = l.expiryMs - now;
      if (remainingMs > 0) out.push({ id: l.id, remainingTtlSeconds: BigInt(Math.ceil(remainingMs / 1000)) });
    }
    return out;
  }

  // ---- reads -----------------------------------------------------------------------------------

  lookup(id: bigint): LeaseView | undefined {
    const l = this.leases.get(id);
    if (l === undefined) return undefined;
    let remainingSeconds: bigint;
    if (l.expiryMs === Infinity) remainingSeconds = BigInt(l.startingTtlMs() / 1000);
    else remainingSeconds = BigInt(Math.max(0, Math.trunc((l.expiryMs - this.clock()) / 1000)));
    return {
      id: l.id,
      ttlSeconds: l.ttlSeconds,
      remainingSeconds,
      keys: [...l.keys].sort().map((k) => Buffer.from(k, 'latin1')),
    };
  }

  /** Every lease id, ascending. */
  ids(): bigint[] {
    return [...this.leases.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The earliest deadline (for the lease loop's sleep), Infinity when none. */
  nextExpiryMs(): number {
    return this.expiryHeap.peek()?.expiryMs ?? Infinity;
  }
}
