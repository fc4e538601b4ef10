// --initial-cluster-state=existing (etcd's GetClusterFromRemotePeers): ask the other members of
// --initial-cluster for the member list over their peer URLs, then find this member in it.

import { formatId } from './member-id';
import type { PeerFetch } from '../peer/peer-fetch';
import type { MemberRecord } from './membership';

export interface RemoteCluster {
  readonly clusterId: bigint;
  readonly members: readonly MemberRecord[];
}

/** Per-URL timeout of the member lookup. */
export const JOIN_LOOKUP_TIMEOUT_MS = 2000;

interface MemberJson {
  id: string | number;
  name?: string;
  peerURLs?: string[];
  clientURLs?: string[];
  isLearner?: boolean;
}

/** etcd's /members body with the uint64 id written as a quoted decimal (safe for JSON.parse). */
export function encodeMembersJson(members: readonly MemberRecord[]): string {
  return JSON.stringify(
    members.map((m) => ({ id: m.id.toString(), name: m.name, peerURLs: m.peerUrls, clientURLs: m.clientUrls, ...(m.isLearner ? { isLearner: true } : {}) })),
  );
}

export function decodeMembersJson(text: string): MemberRecord[] {
  // Unquoted 64-bit ids (etcd writes numbers) are quoted before parsing so no precision is lost.
  const safe = text.replace(/"id":\s*(\d+)/g, '"id":"$1"');
  const list = JSON.parse(safe) as MemberJson[];
  return list.map((m) => ({
    id: BigInt(m.id),
    name: m.name ?? '',
    peerUrls: m.peerURLs ?? [],
    clientUrls: m.clientURLs ?? [],
    isLearner: m.isLearner ?? false,
  }));
}

export async function fetchClusterFromPeers(peerUrls: readonly string[], fetchFn: PeerFetch): Promise<RemoteCluster> {
  const errors: string[] = [];
  for (const u of peerUrls) {
    try {
      const res = await fetchFn(new URL('/members', u), { signal: AbortSignal.timeout(JOIN_LOOKUP_TIMEOUT_MS) });
      if (!res.ok) throw new Error(`status ${res.status}`);
      const cid = res.headers.get('x-etcd-cluster-id');
      if (cid === null || !/^[0-9a-f]{1,16}$/i.test(cid)) throw new Error('response without X-Etcd-Cluster-ID');
      return { clusterId: BigInt(`0x${cid}`), members: decodeMembersJson(await res.text()) };
    } catch (err) {
      errors.push(`${u}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  throw new Error(`could not retrieve cluster information from the given URLs (${errors.join('; ')})`);
}

/** The member whose peer URLs are exactly ours (etcd: "unmatched member while checking PeerURLs"). */
export function findSelf(cluster: RemoteCluster, advertisePeerUrls: readonly string[]): MemberRecord {
  const want = [...advertisePeerUrls].sort().join(',');
  const self = cluster.members.find((m) => [...m.peerUrls].sort().join(',') === want);
  if (self === undefined) {
    throw new Error(
      `error validating peerURLs ${JSON.stringify(advertisePeerUrls)}: unmatched member while checking PeerURLs ` +
        `(cluster ${formatId(cluster.clusterId)}: add this member with "etcdctl member add" first)`,
    );
  }
  return self;
}
