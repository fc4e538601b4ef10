// Applies a committed v2 request (etcdserverpb.Request, carried as InternalRaftRequest.v2) to the
// v2 store, the way etcd 3.4's applyV2 does. Times travel through raft as unix nanoseconds so every
// member computes the same expirations; SYNC (proposed by the leader) expires keys cluster-wide.

import type { Request } from '@tsetcd/api';
import type { TtlOptions, V2Event, V2Store } from '../v2store';

export const V2_METHODS = { get: 'GET', qget: 'QGET', put: 'PUT', post: 'POST', delete: 'DELETE', sync: 'SYNC', head: 'HEAD' } as const;

const NS_PER_MS = 1_000_000n;

export class V2UnknownMethodError extends Error {
  constructor(method: string) {
    super(`etcdserver: unknown method ${method}`);
    this.name = 'V2UnknownMethodError';
  }
}

function ttlOptions(r: Request): TtlOptions {
  return { expireTimeMs: r.Expiration === 0n ? 0 : Number(r.Expiration / NS_PER_MS), refresh: r.Refresh === true };
}

/** The store event of a SYNC is the list of expiries; other methods answer one event (or throw V2Error). */
export function applyV2Request(store: V2Store, r: Request): V2Event | V2Event[] {
  switch (r.Method) {
    case V2_METHODS.post:
      return store.create(r.Path, r.Dir, r.Val, true, ttlOptions(r));
    case V2_METHODS.put: {
      if (r.PrevExist === true) {
        if (r.PrevIndex === 0n && r.PrevValue === '') return store.update(r.Path, r.Val, ttlOptions(r));
        return store.compareAndSwap(r.Path, r.PrevValue, Number(r.PrevIndex), r.Val, ttlOptions(r));
      }
      if (r.PrevExist === false) return store.create(r.Path, r.Dir, r.Val, false, ttlOptions(r));
      if (r.PrevIndex > 0n || r.PrevValue !== '') {
        return store.compareAndSwap(r.Path, r.PrevValue, Number(r.PrevIndex), r.Val, ttlOptions(r));
      }
      return store.set(r.Path, r.Dir, r.Val, ttlOptions(r));
    }
    case V2_METHODS.delete:
      if (r.PrevIndex > 0n || r.PrevValue !== '') return store.compareAndDelete(r.Path, r.PrevValue, Number(r.PrevIndex));
      return store.delete(r.Path, r.Dir, r.Recursive);
    case V2_METHODS.qget:
      return store.get(r.Path, r.Recursive, r.Sorted);
    case V2_METHODS.sync:
      return store.deleteExpiredKeys(Number(r.Time / NS_PER_MS));
    default:
      throw new V2UnknownMethodError(r.Method);
  }
}

/** Milliseconds since the epoch -> the unix nanoseconds a Request carries. */
export function msToUnixNano(ms: number): bigint {
  return BigInt(Math.trunc(ms)) * NS_PER_MS;
}
