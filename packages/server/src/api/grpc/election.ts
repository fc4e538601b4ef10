// v3electionpb.Election served on the member's KV and lease calls, with Go's
// clientv3/concurrency key layout: a candidate's key is `<name>/<lease id %x>`, the leader is the
// key with the oldest create revision under `<name>/`. Errors are etcd's plain (UNKNOWN) texts.

import { ElectionDefinition, EtcdError, GrpcStatus, type KeyValue, type v3electionpb } from '@tsetcd/api';
import type { RequestContext } from '../../etcdserver/server-api';
import {
  createRevisionIs,
  firstCreate,
  nextChange,
  opDelete,
  opGet,
  opPut,
  ownKey,
  sessionLease,
  txn,
  waitDeletes,
  type ConcurrencyMember,
} from './election-wait';
import type { GrpcServer } from './server';

type CampaignRequest = v3electionpb.CampaignRequest;
type CampaignResponse = v3electionpb.CampaignResponse;
type LeaderKey = v3electionpb.LeaderKey;
type LeaderRequest = v3electionpb.LeaderRequest;
type LeaderResponse = v3electionpb.LeaderResponse;
type ProclaimRequest = v3electionpb.ProclaimRequest;
type ProclaimResponse = v3electionpb.ProclaimResponse;
type ResignRequest = v3electionpb.ResignRequest;
type ResignResponse = v3electionpb.ResignResponse;
import type { StreamCall } from './types';

export const ErrElectionNotLeader = (): EtcdError => new EtcdError(GrpcStatus.UNKNOWN, 'election: not leader');
export const ErrElectionNoLeader = (): EtcdError => new EtcdError(GrpcStatus.UNKNOWN, 'election: no leader');
export const ErrMissingLeaderKey = (): EtcdError => new EtcdError(GrpcStatus.UNKNOWN, '"leader" field must be provided');

const electionPrefix = (name: Buffer): Buffer => Buffer.concat([name, Buffer.from('/')]);

export function registerElectionService(server: GrpcServer, member: ConcurrencyMember): void {
  server.addService(ElectionDefinition, {
    campaign: (req, ctx) => campaign(member, req, ctx),
    proclaim: (req, ctx) => proclaim(member, req, ctx),
    leader: (req, ctx) => leader(member, req, ctx),
    observe: (call) => observe(member, call),
    resign: (req, ctx) => resign(member, req, ctx),
  });
}

/** Blocks until this candidate leads; a cancelled campaign withdraws its key. */
export async function campaign(member: ConcurrencyMember, req: CampaignRequest, ctx: RequestContext): Promise<CampaignResponse> {
  const lease = await sessionLease(member, req.lease, ctx);
  const prefix = electionPrefix(req.name);
  const key = ownKey(prefix, lease);
  const resp = await member.txn(txn([createRevisionIs(key, 0n)], [opPut(key, req.value, lease)], [opGet(key)]), ctx);
  let rev = resp.header!.revision;
  if (!resp.succeeded) {
    const kv = resp.responses[0]?.responseRange?.kvs[0];
    if (kv === undefined) throw ErrElectionNotLeader(); // the key vanished between compare and read
    rev = kv.createRevision;
    if (!kv.value.equals(req.value)) {
      const leaderKey: LeaderKey = { name: req.name, key, rev, lease };
      try {
        await proclaim(member, { leader: leaderKey, value: req.value }, ctx);
      } catch (err) {
        await resignKey(member, key, rev).catch(() => undefined);
        throw err;
      }
    }
  }
  try {
    await waitDeletes(member, prefix, rev - 1n, ctx);
  } catch (err) {
    if (ctx.signal.aborted) await resignKey(member, key, rev).catch(() => undefined);
    throw err;
  }
  return { header: resp.header, leader: { name: req.name, key, rev, lease } };
}

export async function proclaim(member: ConcurrencyMember, req: ProclaimRequest, ctx: RequestContext): Promise<ProclaimResponse> {
  const l = req.leader;
  if (l === undefined) throw ErrMissingLeaderKey();
  const resp = await member.txn(txn([createRevisionIs(l.key, l.rev)], [opPut(l.key, req.value, l.lease)], []), ctx);
  if (!resp.succeeded) throw ErrElectionNotLeader();
  return { header: resp.header };
}

export async function leader(member: ConcurrencyMember, req: LeaderRequest, ctx: RequestContext): Promise<LeaderResponse> {
  const resp = await member.range(firstCreate(electionPrefix(req.name), false), ctx);
  const kv = resp.kvs[0];
  if (kv === undefined) throw ErrElectionNoLeader();
  return { header: resp.header, kv };
}

export async function resign(member: ConcurrencyMember, req: ResignRequest, ctx: RequestContext): Promise<ResignResponse> {
  const l = req.leader;
  if (l === undefined) throw ErrMissingLeaderKey();
  const resp = await member.txn(txn([createRevisionIs(l.key, l.rev)], [opDelete(l.key)], []), ctx);
  return { header: resp.header };
}

function resignKey(member: ConcurrencyMember, key: Buffer, rev: bigint): Promise<unknown> {
  return member.txn(txn([createRevisionIs(key, rev)], [opDelete(key)], []), { signal: new AbortController().signal });
}

/**
 * Streams the leader's key/value: once when a leader appears, again on every change of its value,
 * and for each new leader after one resigns or expires. Ends when the client cancels.
 */
export async function observe(member: ConcurrencyMember, call: StreamCall<LeaderRequest, LeaderResponse>): Promise<void> {
  let name: Buffer | undefined;
  for await (const req of call.requests) {
    name = req.name;
    break;
  }
  if (name === undefined) return;
  const { signal } = call.ctx;
  const query = firstCreate(electionPrefix(name), true);
  let last: KeyValue | undefined;
  while (!signal.aborted) {
    const resp = await member.range(query, call.ctx);
    const kv = resp.kvs[0];
    if (kv !== undefined && (last === undefined || !last.key.equals(kv.key) || last.modRevision !== kv.modRevision || last.createRevision !== kv.createRevision)) {
      last = kv;
      const header = resp.header === undefined ? undefined : { ...resp.header, revision: kv.modRevision };
      await call.send({ header, kv });
    }
    try {
      await nextChange(member, signal);
    } catch {
      return;
    }
  }
}

