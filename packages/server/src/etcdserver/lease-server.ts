// The member's lease front end (etcd's EtcdServer.LeaseGrant/Revoke/Renew/TimeToLive/Leases and
// its revokeExpiredLeases / checkpoint goroutines): turns client calls into proposals or primary
// lessor reads, and runs the loop through which the primary proposes revokes of expired leases
// and checkpoints of remaining TTLs.

import {
  ErrLeaseNotFound,
  ErrLeaseTTLTooLarge,
  ErrNotLeader,
  type InternalRaftRequest,
  type LeaseGrantRequest,
  type LeaseGrantResponse,
  type LeaseKeepAliveResponse,
  type LeaseLeasesResponse,
  type LeaseRevokeRequest,
  type LeaseRevokeResponse,
  type LeaseTimeToLiveRequest,
  type LeaseTimeToLiveResponse,
  type ResponseHeader,
} from '@tsetcd/api';
import type { Logger } from 'pino';
import {
  ErrNotPrimary,
  LEASE_CHECKPOINT_BATCH_MAX,
  LEASE_CHECKPOINT_RATE_PER_SECOND,
  LEASE_REVOKE_RATE_PER_SECOND,
  MAX_LEASE_TTL_SECONDS,
  type Lessor,
} from '../lease/lessor';
import type { RequestContext } from './server-api';

/** etcd's lessor runLoop period. */
export const LEASE_LOOP_INTERVAL_MS = 500;

export interface LeaseMemberHooks {
  propose(partial: Partial<InternalRaftRequest>, ctx: RequestContext): Promise<unknown>;
  /** A header with cluster/member/term filled; `revision` when given, else the current one. */
  header(revision?: bigint): ResponseHeader;
  /** This member leads and has applied its term's no-op. */
  isReadyLeader(): boolean;
  /** Waits (bounded by the request timeout) until the member is ready; resolves false if it did not lead. */
  waitReady(ctx: RequestContext): Promise<void>;
  /** Waits until everything committed so far is applied (etcd's waitAppliedIndex). */
  waitApplied(): Promise<void>;
  /** A fresh request id (the member's id generator). */
  nextId(): bigint;
  /** The member's stop signal: proposals of the loop are abandoned with it. */
  readonly stopSignal: AbortSignal;
}

export class LeaseFrontend {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly lessor: Lessor,
    private readonly hooks: LeaseMemberHooks,
    private readonly logger: Logger,
  ) {}

  // ---- client calls ----------------------------------------------------------------------------

  async leaseGrant(req: LeaseGrantRequest, ctx: RequestContext): Promise<LeaseGrantResponse> {
    if (req.TTL > MAX_LEASE_TTL_SECONDS) throw new ErrLeaseTTLTooLarge();
    // etcd: a zero id is replaced by a positive one from the request id generator.
    const id = req.ID !== 0n ? req.ID : this.hooks.nextId() & ((1n << 63n) - 1n);
    const resp = (await this.hooks.propose({ leaseGrant: { ID: id, TTL: req.TTL } }, ctx)) as LeaseGrantResponse;
    return { ...resp, header: this.hooks.header(resp.header?.revision) };
  }

  async leaseRevoke(req: LeaseRevokeRequest, ctx: RequestContext): Promise<LeaseRevokeResponse> {
    const resp = (await this.hooks.propose({ leaseRevoke: { ID: req.ID } }, ctx)) as LeaseRevokeResponse;
    return { header: this.hooks.header(resp.header?.revision) };
  }

  /**
   * KeepAlive: renews on the leader and answers the lease's TTL, or TTL 0 for an unknown or
   * expired lease (etcd's v3rpc turns ErrLeaseNotFound into TTL 0). A follower would forward to
   * the leader: tsetcd has no peer transport yet, so a member that does not lead answers
   * "etcdserver: not leader".
   */
  async leaseKeepAlive(id: bigint, ctx: RequestContext): Promise<LeaseKeepAliveResponse> {
    await this.primaryReady(ctx);
    let ttl = 0n;
    try {
      const renewed = this.lessor.renew(id);
      ttl = renewed.ttlSeconds;
      if (renewed.clearRemaining) {
        this.proposeInBackground({ leaseCheckpoint: { checkpoints: [{ ID: id, remainingTTL: 0n }] } }, 'clearing lease checkpoint');
      }
    } catch (err) {
      if (!(err instanceof ErrLeaseNotFound)) throw err;
    }
    return { header: this.hooks.header(), ID: id, TTL: ttl };
  }

  /** TimeToLive; an unknown lease answers TTL -1 (etcd's v3rpc does the same). */
  async leaseTimeToLive(req: LeaseTimeToLiveRequest, ctx: RequestContext): Promise<LeaseTimeToLiveResponse> {
    await this.primaryReady(ctx);
    const l = this.lessor.lookup(req.ID);
    if (l === undefined) return { header: this.hooks.header(), ID: req.ID, TTL: -1n, grantedTTL: 0n, keys: [] };
    return {
      header: this.hooks.header(),
      ID: l.id,
      TTL: l.remainingSeconds,
      grantedTTL: l.ttlSeconds,
      keys: req.keys ? l.keys : [],
    };
  }

  async leaseLeases(ctx: RequestContext): Promise<LeaseLeasesResponse> {
    await this.primaryReady(ctx);
    return { header: this.hooks.header(), leases: this.lessor.ids().map((ID) => ({ ID })) };
  }

  private async primaryReady(ctx: RequestContext): Promise<void> {
    if (!this.hooks.isReadyLeader()) await this.hooks.waitReady(ctx);
    if (!this.hooks.isReadyLeader() || !this.lessor.isPrimary) throw new ErrNotLeader();
    await this.hooks.waitApplied();
    if (!this.lessor.isPrimary) throw new ErrNotLeader();
  }

  // ---- the primary's loop ----------------------------------------------------------------------

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.tick(), LEASE_LOOP_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One loop round: revoke expired leases and checkpoint due ones (rate limited like etcd). */
  tick(): void {
    if (!this.lessor.isPrimary || this.hooks.stopSignal.aborted) return;
    const revokeLimit = Math.max(1, Math.floor((LEASE_REVOKE_RATE_PER_SECOND * LEASE_LOOP_INTERVAL_MS) / 1000));
    for (const id of this.lessor.expiredLeases(revokeLimit)) {
      this.proposeInBackground({ leaseRevoke: { ID: id } }, 'revoking expired lease');
    }
    const checkpointLimit = Math.max(1, Math.floor((LEASE_CHECKPOINT_RATE_PER_SECOND * LEASE_LOOP_INTERVAL_MS) / 1000));
    let budget = checkpointLimit;
    while (budget > 0) {
      const due = this.lessor.dueCheckpoints(Math.min(budget, LEASE_CHECKPOINT_BATCH_MAX));
      if (due.length === 0) break;
      budget -= due.length;
      this.proposeInBackground(
        { leaseCheckpoint: { checkpoints: due.map((c) => ({ ID: c.id, remainingTTL: c.remainingTtlSeconds })) } },
        'checkpointing leases',
      );
    }
  }

  private proposeInBackground(partial: Partial<InternalRaftRequest>, what: string): void {
    this.hooks.propose(partial, { signal: this.hooks.stopSignal }).catch((err: unknown) => {
      if (err instanceof ErrLeaseNotFound || err instanceof ErrNotPrimary) return;
      if (this.hooks.stopSignal.aborted) return;
      this.logger.warn({ err }, what);
    });
  }
}
