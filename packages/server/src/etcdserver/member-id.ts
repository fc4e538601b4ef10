// Member and cluster ids computed the way etcd computes them (etcdserver/api/membership), so a
// tsetcd member started with the same flags as an etcd member reports the same ids.

import { createHash } from 'node:crypto';

function firstUint64BigEndian(digest: Buffer): bigint {
  return digest.readBigUInt64BE(0);
}

/**
 * sha1(sorted peer URLs concatenated + cluster token [+ decimal unix seconds]), first 8 bytes BE.
 * `addedAtUnixSeconds` is only given when a member is added at runtime (MemberAdd).
 */
export function computeMemberId(peerUrls: readonly string[], clusterToken: string, addedAtUnixSeconds?: number): bigint {
  if (peerUrls.length === 0) throw new Error('member id: a member needs at least one peer URL');
  const sorted = [...peerUrls].sort();
  let text = sorted.join('') + clusterToken;
  if (addedAtUnixSeconds !== undefined) text += String(Math.floor(addedAtUnixSeconds));
  return firstUint64BigEndian(createHash('sha1').update(text, 'utf8').digest());
}

/** sha1 of the 8-byte big-endian member ids in ascending order, first 8 bytes BE. */
export function computeClusterId(memberIds: readonly bigint[]): bigint {
  if (memberIds.length === 0) throw new Error('cluster id: a cluster needs at least one member');
  const sorted = [...memberIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const bytes = Buffer.alloc(8 * sorted.length);
  sorted.forEach((id, i) => bytes.writeBigUInt64BE(id, 8 * i));
  return firstUint64BigEndian(createHash('sha1').update(bytes).digest());
}

/** `%x` form used by etcd logs, etcdctl and the v2 API. */
export function formatId(id: bigint): string {
  return id.toString(16);
}
