// v3lockpb.Lock served on the member's KV and lease calls, with Go's concurrency.Mutex layout:
// a locker's key is `<name>/<lease id %x>` and the lock belongs to the oldest key under `<name>/`.
// Lock blocks until acquired (a cancelled Lock removes its key); Unlock deletes the key.

import { LockDefinition, type v3lockpb } from '@tsetcd/api';
import type { RequestContext } from '../../etcdserver/server-api';
import { createRevisionIs, opFirstCreate, opGet, opPut, ownKey, sessionLease, txn, waitDeletes, type ConcurrencyMember } from './election-wait';
import type { GrpcServer } from './server';

type LockRequest = v3lockpb.LockRequest;
type LockResponse = v3lockpb.LockResponse;
type UnlockRequest = v3lockpb.UnlockRequest;
type UnlockResponse = v3lockpb.UnlockResponse;

export function registerLockService(server: GrpcServer, member: ConcurrencyMember): void {
  server.addService(LockDefinition, {
    lock: (req, ctx) => lock(member, req, ctx),
    unlock: (req, ctx) => unlock(member, req, ctx),
  });
}

export async function lock(member: ConcurrencyMember, req: LockRequest, ctx: RequestContext): Promise<LockResponse> {
  const lease = await sessionLease(member, req.lease, ctx);
  const prefix = Buffer.concat([req.name, Buffer.from('/')]);
  const key = ownKey(prefix, lease);
  const resp = await member.txn(
    txn([createRevisionIs(key, 0n)], [opPut(key, Buffer.alloc(0), lease), opFirstCreate(prefix)], [opGet(key), opFirstCreate(prefix)]),
    ctx,
  );
  let myRev = resp.header!.revision;
  if (!resp.succeeded) myRev = resp.responses[0]?.responseRange?.kvs[0]?.createRevision ?? myRev;
  const owner = resp.responses[1]?.responseRange?.kvs[0];
  if (owner === undefined || owner.createRevision === myRev) return { header: resp.header, key };
  try {
    const header = await waitDeletes(member, prefix, myRev - 1n, ctx);
    return { header, key };
  } catch (err) {
    await member.deleteRange({ key, rangeEnd: Buffer.alloc(0), prevKv: false }, { signal: new AbortController().signal }).catch(() => undefined);
    throw err;
  }
}

export async function unlock(member: ConcurrencyMember, req: UnlockRequest, ctx: RequestContext): Promise<UnlockResponse> {
  const resp = await member.deleteRange({ key: req.key, rangeEnd: Buffer.alloc(0), prevKv: false }, ctx);
  return { header: resp.header };
}
