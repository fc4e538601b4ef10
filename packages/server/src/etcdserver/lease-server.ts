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
import { ErrNotPrimaryLocal, type LeaseRouteTarget } from '../peer/lease-forward-routes';
import { renewViaPrimary, timeToLiveViaPrimary, type LeaseForwardDeps } from './lease-forward';
import type { PeerFetch } from '../peer/peer-fetch';

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
  /** The other members' peer URLs; undefined without a peer transport. */
  peerUrls(): ReadonlyArray<readonly string[]> | undefined;
  /** HTTP to the peers (lease forwarding), with the peer TLS pair for https peers. */
  readonly peerFetch: PeerFetch;
}

export class LeaseFrontend {
  private timer: NodeJS.Timeout | undefined;
  /** The member id this front end serves the peer lease routes as (set by start). */

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
   * KeepAlive: renews on the primary lessor and answers the lease's TTL, or TTL 0 for an unknown
   * or expired lease (etcd's v3rpc turns ErrLeaseNotFound into TTL 0). A follower forwards to the
   * primary over the peer URLs (lease-forward.ts).
   */
  async leaseKeepAlive(id: bigint, ctx: RequestContext): Promise<LeaseKeepAliveResponse> {
    const ttl = await renewViaPrimary(this.forwardDeps(), id, ctx.signal, () => this.renewLocal(id, ctx));
    return { header: this.hooks.header(), ID: id, TTL: ttl ?? 0n };
  }

  /** TimeToLive (forwarded like KeepAlive); an unknown lease answers TTL -1 (as etcd's v3rpc). */
  async leaseTimeToLive(req: LeaseTimeToLiveRequest, ctx: RequestContext): Promise<LeaseTimeToLiveResponse> {
    const resp = await timeToLiveViaPrimary(this.forwardDeps(), req, ctx.signal, () => this.timeToLiveLocal(req, ctx));
    if (resp === undefined) return { header: this.hooks.header(), ID: req.ID, TTL: -1n, grantedTTL: 0n, keys: [] };
    return { ...resp, header: this.hooks.header() };
  }

  /** etcd 3.4 lists the member's own lessor, leader or not. */
  async leaseLeases(_ctx: RequestContext): Promise<LeaseLeasesResponse> {
    return { header: this.hooks.header(), leases: this.lessor.ids().map((ID) => ({ ID })) };
  }

  private forwardDeps(): LeaseForwardDeps {
    return {
      peerUrls: () => this.hooks.peerUrls(),
      peerFetch: this.hooks.peerFetch,
      isLocalPrimary: () => this.hooks.isReadyLeader() && this.lessor.isPrimary,
      stopSignal: this.hooks.stopSignal,
    };
  }

  /** Renews on this member (the primary): the TTL, or undefined for an unknown lease. */
  private async renewLocal(id: bigint, ctx: RequestContext): Promise<bigint | undefined> {
    await this.primaryReady(ctx);
    try {
      const renewed = this.lessor.renew(id);
      if (renewed.clearRemaining) {
        this.proposeInBackground({ leaseCheckpoint: { checkpoints: [{ ID: id, remainingTTL: 0n }] } }, 'clearing lease checkpoint');
      }
      return renewed.ttlSeconds;
    } catch (err) {
      if (err instanceof ErrLeaseNotFound) return undefined;
      throw err;
    }
  }

  private async timeToLiveLocal(req: LeaseTimeToLiveRequest, ctx: RequestContext): Promise<LeaseTimeToLiveResponse | undefined> {
    await this.primaryReady(ctx);
    const l = this.lessor.lookup(req.ID);
    if (l === undefined) return undefined;
    return {
      header: this.hooks.header(),
      ID: l.id,
      TTL: l.remainingSeconds,
      grantedTTL: l.ttlSeconds,
      keys: req.keys ? l.keys : [],
    };
  }

  /** The peer route's side: answers only while this member is the ready primary, without waiting to become it. */
  private async servePeer<T>(signal: AbortSignal, run: (ctx: RequestContext) => Promise<T>): Promise<T> {
    if (!this.hooks.isReadyLeader() || !this.lessor.isPrimary) throw new ErrNotPrimaryLocal();
    try {
      return await run({ signal });
    } catch (err) {
      if (err instanceof ErrNotLeader || err instanceof ErrNotPrimary) throw new ErrNotPrimaryLocal();
      throw err;
    }
  }

  private async primaryReady(ctx: RequestContext): Promise<void> {
    if (!this.hooks.isReadyLeader()) await this.hooks.waitReady(ctx);
    if (!this.hooks.isReadyLeader() || !this.lessor.isPrimary) throw new ErrNotLeader();
    await this.hooks.waitApplied();
    if (!this.lessor.isPrimary) throw new ErrNotLeader();
  }

  /** What this member answers to peers' forwarded lease requests (served by the peer transport). */
  routeTarget(): LeaseRouteTarget {
    return {
      renewLocal: (id, signal) => this.servePeer(signal, (ctx) => this.renewLocal(id, ctx)),
      timeToLiveLocal: (req, signal) => this.servePeer(signal, (ctx) => this.timeToLiveLocal(req, ctx)),
    };
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
