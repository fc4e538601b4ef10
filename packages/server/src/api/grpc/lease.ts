// etcdserverpb.Lease (etcd's v3rpc/lease.go): unary Grant/Revoke/TimeToLive/Leases and the
// LeaseKeepAlive bidi stream, answered one request at a time in order. The member already maps a
// missing lease to TTL 0 (keep-alive) / TTL -1 (time-to-live) like etcd's v3rpc.

import { LeaseDefinition, type LeaseKeepAliveRequest, type LeaseKeepAliveResponse } from '@tsetcd/api';
import type { LeaseServer } from '../../etcdserver/server-api';
import type { GrpcServer } from './server';
import type { StreamCall } from './types';

/** Does this member serve leases? (API-side fakes may not.) */
export function isLeaseServer(member: object): member is LeaseServer {
  return typeof (member as Partial<LeaseServer>).leaseKeepAlive === 'function';
}

export function registerLeaseService(server: GrpcServer, member: LeaseServer): void {
  server.addService(LeaseDefinition, {
    leaseGrant: (req, ctx) => member.leaseGrant(req, ctx),
    leaseRevoke: (req, ctx) => member.leaseRevoke(req, ctx),
    leaseKeepAlive: (call) => keepAliveStream(member, call),
    leaseTimeToLive: (req, ctx) => member.leaseTimeToLive(req, ctx),
    leaseLeases: (_req, ctx) => member.leaseLeases(ctx),
  });
}

/** Renews lease after lease, answering each in order until the client half-closes. */
export async function keepAliveStream(member: LeaseServer, call: StreamCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse>): Promise<void> {
  for await (const req of call.requests) await call.send(await member.leaseKeepAlive(req.ID, call.ctx));
}
