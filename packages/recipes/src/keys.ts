// Key naming shared with Go's clientv3/concurrency: `<prefix>/<lease id in lowercase hex>`.
import type { Bytes } from '@tsetcd/client';

/** Go's fmt "%x" of an int64: lowercase, no padding, a '-' sign when negative. */
export function leaseHex(leaseId: bigint): string {
  return leaseId < 0n ? `-${(-leaseId).toString(16)}` : leaseId.toString(16);
}

/** Go's NewMutex/NewElection append "/" unconditionally ("a/" becomes "a//"). */
export function withSlash(prefix: string): string {
  return `${prefix}/`;
}

export function sessionKey(prefix: string, leaseId: bigint): string {
  return withSlash(prefix) + leaseHex(leaseId);
}

export function asString(bytes: Bytes): string {
  return typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
}
