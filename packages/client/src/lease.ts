// Lease RPCs (grant, revoke, time-to-live, leases) and keepalive handles.
import { LeaseDefinition, LeaseGrantRequest, LeaseLeasesRequest, LeaseRevokeRequest, LeaseTimeToLiveRequest } from '@tsetcd/api';
import type { CallOptions, Caller } from './caller';
import { headerFromWire, type ResponseHeader } from './key-value';
import type { KeyMapper } from './key-mapper';
import type { KeepAlive, KeepAliveHub, KeepAliveOptions } from './keepalive';
import { monotonicNow } from './keepalive-schedule';

export interface GrantOptions extends CallOptions {
  /** Ask for this lease id (0 or omitted: the server picks). */
  id?: bigint;
}

export interface TimeToLiveResult {
  header: ResponseHeader;
  id: bigint;
  /** Remaining seconds; -1 when the lease has expired or does not exist. */
  ttlSeconds: bigint;
  grantedTtlSeconds: bigint;
  /** Attached keys (only when asked for with { keys: true }). */
  keys: Buffer[];
}

/** A granted lease. */
export class Lease {
  constructor(
    private readonly api: LeaseApi,
    readonly id: bigint,
    readonly ttlSeconds: bigint,
    readonly header: ResponseHeader,
    /** When the grant request was sent, on the monotonic clock. */
    readonly grantedAtMs: number,
  ) {}

  keepAlive(): KeepAlive {
    return this.api.keepAlive(this.id, { ttlSeconds: this.ttlSeconds, grantedAtMs: this.grantedAtMs });
  }

  revoke(options?: CallOptions): Promise<{ header: ResponseHeader }> {
    return this.api.revoke(this.id, options);
  }

  timeToLive(options?: CallOptions & { keys?: boolean }): Promise<TimeToLiveResult> {
    return this.api.timeToLive(this.id, options);
  }
}

export class LeaseApi {
  constructor(
    private readonly caller: Caller,
    private readonly hub: KeepAliveHub,
    private readonly mapper: KeyMapper,
  ) {}

  async grant(ttlSeconds: number | bigint, options: GrantOptions = {}): Promise<Lease> {
    const sentAtMs = monotonicNow();
    const method = LeaseDefinition.methods.leaseGrant;
    // a grant with a server-chosen id is not idempotent: retried only if never sent
    const res = await this.caller.unary(LeaseDefinition, method, LeaseGrantRequest.fromPartial({ TTL: BigInt(ttlSeconds), ID: options.id ?? 0n }), 'write', options);
    if (res.error !== '') throw new Error(`lease grant: ${res.error}`);
    return new Lease(this, res.ID, res.TTL, headerFromWire(res.header), sentAtMs);
  }

  async revoke(id: bigint, options: CallOptions = {}): Promise<{ header: ResponseHeader }> {
    const res = await this.caller.unary(LeaseDefinition, LeaseDefinition.methods.leaseRevoke, LeaseRevokeRequest.fromPartial({ ID: id }), 'write', options);
    return { header: headerFromWire(res.header) };
  }

  async timeToLive(id: bigint, options: CallOptions & { keys?: boolean } = {}): Promise<TimeToLiveResult> {
    const res = await this.caller.unary(
      LeaseDefinition,
      LeaseDefinition.methods.leaseTimeToLive,
      LeaseTimeToLiveRequest.fromPartial({ ID: id, keys: options.keys ?? false }),
      'read',
      options,
    );
    return {
      header: headerFromWire(res.header),
      id: res.ID,
      ttlSeconds: res.TTL,
      grantedTtlSeconds: res.grantedTTL,
      keys: res.keys.filter((k) => this.mapper.owns(k)).map((k) => this.mapper.fromServerKey(k)),
    };
  }

  async leases(options: CallOptions = {}): Promise<{ header: ResponseHeader; ids: bigint[] }> {
    const res = await this.caller.unary(LeaseDefinition, LeaseDefinition.methods.leaseLeases, LeaseLeasesRequest.fromPartial({}), 'read', options);
    return { header: headerFromWire(res.header), ids: res.leases.map((l) => l.ID) };
  }

  /** Keep a lease alive until the handle is closed or the lease is lost. */
  keepAlive(id: bigint, options: KeepAliveOptions = {}): KeepAlive {
    return this.hub.keepAlive(id, options);
  }
}
