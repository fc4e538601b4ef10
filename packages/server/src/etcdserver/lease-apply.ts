// The lease half of the applier: LeaseGrant / LeaseRevoke / LeaseCheckpoint entries -> lessor,
// inside the apply batch's backend transaction (so the lease bucket, the revoke's key deletions
// and the consistent index commit together).

import { ErrNoSpace, type InternalRaftRequest, type LeaseCheckpointResponse, type LeaseGrantResponse, type LeaseRevokeResponse } from '@tsetcd/api';
import type { BatchTx } from '../backend/backend';
import type { Lessor } from '../lease/lessor';
import type { KvStore } from '../mvcc/kv-store';
import type { ApplyResult } from './applier';

/**
 * Applies a lease request, or returns undefined when `req` is not one. Errors are thrown (EtcdError).
 * `capped` (a NOSPACE alarm is active): grants fail like etcd's capped applier; revokes still free space.
 */
export function applyLeaseRequest(lessor: Lessor, kv: KvStore, tx: BatchTx, req: InternalRaftRequest, capped = false): ApplyResult | undefined {
  if (req.leaseGrant !== undefined) {
    if (capped) throw new ErrNoSpace();
    const ttl = lessor.grant(tx, req.leaseGrant.ID, req.leaseGrant.TTL);
    const response: LeaseGrantResponse = { header: { clusterId: 0n, memberId: 0n, revision: kv.rev(), raftTerm: 0n }, ID: req.leaseGrant.ID, TTL: ttl, error: '' };
    return { response };
  }
  if (req.leaseRevoke !== undefined) {
    lessor.revoke(tx, req.leaseRevoke.ID);
    const response: LeaseRevokeResponse = { header: { clusterId: 0n, memberId: 0n, revision: kv.rev(), raftTerm: 0n } };
    return { response };
  }
  if (req.leaseCheckpoint !== undefined) {
    lessor.checkpoint(
      tx,
      req.leaseCheckpoint.checkpoints.map((c) => ({ id: c.ID, remainingTtlSeconds: c.remainingTTL })),
    );
    const response: LeaseCheckpointResponse = { header: undefined };
    return { response };
  }
  return undefined;
}
