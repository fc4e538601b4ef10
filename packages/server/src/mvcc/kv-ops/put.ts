// Put: ignore_value / ignore_lease take the current kv's value / lease (the key must exist),
// prev_kv returns the kv before the put. Always bumps revision and version.

import { ErrKeyNotFound, ErrLeaseNotFound, type PutRequest, type PutResponse } from '@tsetcd/api';
import { NO_LEASE, type LeaseChecker } from '../types';
import { revisionHeader, type TxnView } from './common';

/**
 * Applies a put to `view`. Outside a txn (`checkLease`), an unknown lease fails first; inside a
 * txn the lease was checked up front by checkTxnRequests. Throws before writing anything.
 */
export function putOp(view: TxnView, p: PutRequest, leases: LeaseChecker, checkLease: boolean): PutResponse {
  let value = p.value;
  let lease = p.lease;
  if (checkLease && lease !== NO_LEASE && !leases.has(lease)) throw new ErrLeaseNotFound();
  const needPrev = p.ignoreValue || p.ignoreLease || p.prevKv;
  const prev = needPrev ? view.range(p.key, undefined, {}).kvs[0] : undefined;
  if ((p.ignoreValue || p.ignoreLease) && prev === undefined) throw new ErrKeyNotFound();
  if (p.ignoreValue && prev) value = prev.value;
  if (p.ignoreLease && prev) lease = prev.lease;
  const rev = view.put(p.key, value, lease);
  return { header: revisionHeader(rev), prevKv: p.prevKv ? prev : undefined };
}
