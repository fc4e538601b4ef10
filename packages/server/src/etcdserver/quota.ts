// The backend quota (etcd's backendQuota): a write that would grow the backend past
// --quota-backend-bytes raises the NOSPACE alarm and is refused.

import type { PutRequest, RequestOp, TxnRequest } from '@tsetcd/api';
import { QUOTA_LEASE_GRANT_BYTES, QUOTA_PUT_OVERHEAD_BYTES } from '../config/limits';

export function costPut(r: PutRequest): number {
  return QUOTA_PUT_OVERHEAD_BYTES + r.key.length + r.value.length;
}

function costOp(op: RequestOp): number {
  return op.requestPut !== undefined ? costPut(op.requestPut) : 0;
}

/** The larger of the two branches' put costs (nested txns are not counted, as in etcd). */
export function costTxn(r: TxnRequest): number {
  const success = r.success.reduce((sum, op) => sum + costOp(op), 0);
  const failure = r.failure.reduce((sum, op) => sum + costOp(op), 0);
  return Math.max(success, failure);
}

export const costLeaseGrant = (): number => QUOTA_LEASE_GRANT_BYTES;

export class BackendQuota {
  /** @param quotaBytes resolved --quota-backend-bytes; negative = no quota. */
  constructor(
    private readonly quotaBytes: number,
    private readonly backendSizeBytes: () => number,
  ) {}

  get enabled(): boolean {
    return this.quotaBytes >= 0;
  }

  /** True when a write of `costBytes` fits (a zero-cost request always fits). */
  available(costBytes: number): boolean {
    if (!this.enabled || costBytes === 0) return true;
    return this.backendSizeBytes() + costBytes < this.quotaBytes;
  }
}
