// Cluster membership as far as a single member needs it: the members of the bootstrap
// --initial-cluster, their ids, and their persistence in the backend's `members` bucket
// (key = hex member id, value = etcd's member JSON) and `cluster` bucket (clusterVersion).

import type { Member } from '@tsetcd/api';
import type { BatchTx, ReadTx } from '../backend/backend';
import { computeClusterId, computeMemberId, formatId } from './member-id';

export interface MemberRecord {
  readonly id: bigint;
  readonly name: string;
  readonly peerUrls: readonly string[];
  readonly clientUrls: readonly string[];
  readonly isLearner: boolean;
}

const EMPTY = new Uint8Array(0);
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();
export const CLUSTER_VERSION_KEY = utf8.encode('clusterVersion');

/** etcd's JSON with the uint64 id written as a number (JSON.stringify cannot, so it is spliced in). */
export function encodeMemberJson(m: MemberRecord): Uint8Array {
  const body: Record<string, unknown> = { peerURLs: m.peerUrls };
  if (m.isLearner) body.isLearner = true;
  if (m.name !== '') body.name = m.name;
  if (m.clientUrls.length > 0) body.clientURLs = m.clientUrls;
  const rest = JSON.stringify(body).slice(1);
  return utf8.encode(`{"id":${m.id.toString()},${rest}`);
}

export function decodeMemberJson(bytes: Uint8Array): MemberRecord {
  const text = utf8Decoder.decode(bytes);
  const idMatch = /"id":\s*(\d+)/.exec(text);
  if (idMatch === null || idMatch[1] === undefined) throw new Error(`membership: member record without id: ${text}`);
  const parsed = JSON.parse(text) as { name?: string; peerURLs?: string[]; clientURLs?: string[]; isLearner?: boolean };
  return {
    id: BigInt(idMatch[1]),
    name: parsed.name ?? '',
    peerUrls: parsed.peerURLs ?? [],
    clientUrls: parsed.clientURLs ?? [],
    isLearner: parsed.isLearner ?? false,
  };
}

export interface BootstrapCluster {
  readonly clusterId: bigint;
  readonly members: readonly MemberRecord[];
}

/**
 * The bootstrap cluster from --initial-cluster (`name=url,...`) and the token. Members other
 * than `selfName` are recorded without client URLs (they have not published yet).
 */
export function bootstrapCluster(
  initialCluster: ReadonlyMap<string, readonly string[]>,
  token: string,
  selfName: string,
  selfClientUrls: readonly string[],
): BootstrapCluster {
  const members: MemberRecord[] = [];
  for (const [name, peerUrls] of initialCluster) {
    for (const u of peerUrls) {
      try {
        new URL(u);
      } catch {
        throw new Error(`membership: invalid peer URL ${JSON.stringify(u)} for member ${name}`);
      }
    }
    members.push({
      id: computeMemberId(peerUrls, token),
      name,
      peerUrls: [...peerUrls].sort(),
      clientUrls: name === selfName ? [...selfClientUrls] : [],
      isLearner: false,
    });
  }
  if (!members.some((m) => m.name === selfName)) {
    throw new Error(`couldn't find local name "${selfName}" in the initial cluster configuration`);
  }
  const ids = new Set(members.map((m) => m.id));
  if (ids.size !== members.length) throw new Error('membership: two members of the initial cluster have the same id');
  return { clusterId: computeClusterId([...ids]), members };
}

export class Membership {
  private readonly members = new Map<bigint, MemberRecord>();
  private readonly removed = new Set<bigint>();

  constructor(readonly clusterId: bigint, members: Iterable<MemberRecord>, removedIds: Iterable<bigint> = []) {
    for (const m of members) this.members.set(m.id, m);
    for (const id of removedIds) this.removed.add(id);
  }

  static load(clusterId: bigint, tx: ReadTx): Membership {
    const members: MemberRecord[] = [];
    for (const { value } of tx.range('members', EMPTY)) members.push(decodeMemberJson(value));
    const removed: bigint[] = [];
    for (const { key } of tx.range('members_removed', EMPTY)) removed.push(BigInt(`0x${utf8Decoder.decode(key)}`));
    return new Membership(clusterId, members, removed);
  }

  /** Replaces the in-memory view with what the backend holds (after a snapshot image is installed). */
  reload(tx: ReadTx): void {
    const fresh = Membership.load(this.clusterId, tx);
    this.members.clear();
    this.removed.clear();
    for (const m of fresh.all()) this.members.set(m.id, m);
    for (const id of fresh.removed) this.removed.add(id);
  }

  isRemoved(id: bigint): boolean {
    return this.removed.has(id);
  }

  save(tx: BatchTx, clusterVersion: string): void {
    for (const m of this.members.values()) tx.put('members', utf8.encode(formatId(m.id)), encodeMemberJson(m));
    tx.put('cluster', CLUSTER_VERSION_KEY, utf8.encode(clusterVersion));
  }

  get size(): number {
    return this.members.size;
  }

  all(): MemberRecord[] {
    return this.ids().map((id) => this.members.get(id)!);
  }

  /** Adds or replaces a member, in memory and in the backend. */
  put(tx: BatchTx, m: MemberRecord): void {
    this.members.set(m.id, m);
    tx.put('members', utf8.encode(formatId(m.id)), encodeMemberJson(m));
  }

  /** Removes a member and records its id in members_removed (etcd never reuses a removed id). */
  remove(tx: BatchTx, id: bigint): void {
    this.members.delete(id);
    this.removed.add(id);
    const key = utf8.encode(formatId(id));
    tx.delete('members', key);
    tx.put('members_removed', key, utf8.encode('removed'));
  }

  member(id: bigint): MemberRecord | undefined {
    return this.members.get(id);
  }

  ids(): bigint[] {
    return [...this.members.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** MemberList order: ascending ids, like etcd. */
  toProto(): Member[] {
    return this.ids().map((id) => {
      const m = this.members.get(id)!;
      return { ID: m.id, name: m.name, peerURLs: [...m.peerUrls], clientURLs: [...m.clientUrls], isLearner: m.isLearner };
    });
  }
}
