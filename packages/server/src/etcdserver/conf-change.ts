// Membership changes as raft ConfChanges (etcd's configure / ValidateConfigurationChange):
// the context carries the member JSON (or, for a promotion, {"Member":...,"IsPromote":true});
// validation runs at apply time against the applied membership, so every replica agrees.

import {
  ErrLearnerNotReady,
  ErrMemberBadURLs,
  ErrMemberExist,
  ErrMemberNotFound,
  ErrMemberNotLearner,
  ErrPeerURLExist,
  ErrTooManyLearners,
  type EtcdError,
} from '@tsetcd/api';
import { ConfChangeType, type ConfChange } from '../raft/types';
import { decodeMemberJson, encodeMemberJson, type MemberRecord, type Membership } from './membership';

/** etcd's maxLearners. */
export const MAX_LEARNERS = 1;
/** A learner may be promoted once its match index is at least this share of the leader's. */
export const LEARNER_READY_PERCENT = 0.9;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** etcd's types.NewURLs checks: http(s)/unix(s) scheme, host:port, no path. */
export function validatePeerUrls(urls: readonly string[]): void {
  if (urls.length === 0) throw new ErrMemberBadURLs();
  for (const u of urls) {
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      throw new ErrMemberBadURLs();
    }
    if (!['http:', 'https:', 'unix:', 'unixs:'].includes(parsed.protocol)) throw new ErrMemberBadURLs();
    if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.port === '' && !/:\d+$/.test(parsed.host)) {
      throw new ErrMemberBadURLs();
    }
    if (parsed.pathname !== '' && parsed.pathname !== '/') throw new ErrMemberBadURLs();
  }
}

export function promoteContext(id: bigint): Uint8Array {
  return utf8.encode(`{"Member":{"id":${id.toString()}},"IsPromote":true}`);
}

export function isPromoteContext(context: Uint8Array): boolean {
  return /"IsPromote":\s*true/.test(utf8Decoder.decode(context));
}

export type ConfChangeEffect =
  | { readonly kind: 'add'; readonly member: MemberRecord }
  | { readonly kind: 'promote'; readonly id: bigint }
  | { readonly kind: 'remove'; readonly id: bigint }
  | { readonly kind: 'update'; readonly id: bigint; readonly peerUrls: readonly string[] }
  | { readonly kind: 'none' };

/** What a committed ConfChange does to `membership`, or the etcd error that rejects it. */
export function validateConfChange(membership: Membership, removed: (id: bigint) => boolean, cc: ConfChange): ConfChangeEffect | EtcdError {
  const id = cc.nodeId;
  if (removed(id)) return new ErrMemberNotFound();
  const members = membership.all();
  switch (cc.type) {
    case ConfChangeType.AddNode:
    case ConfChangeType.AddLearnerNode: {
      if (isPromoteContext(cc.context)) {
        const m = membership.member(id);
        if (m === undefined) return new ErrMemberNotFound();
        if (!m.isLearner) return new ErrMemberNotLearner();
        return { kind: 'promote', id };
      }
      if (membership.member(id) !== undefined) return new ErrMemberExist();
      const member = decodeMemberJson(cc.context);
      const inUse = new Set(members.flatMap((m) => m.peerUrls));
      if (member.peerUrls.some((u) => inUse.has(u))) return new ErrPeerURLExist();
      if (member.isLearner && members.filter((m) => m.isLearner).length + 1 > MAX_LEARNERS) return new ErrTooManyLearners();
      return { kind: 'add', member };
    }
    case ConfChangeType.RemoveNode:
      if (membership.member(id) === undefined) return new ErrMemberNotFound();
      return { kind: 'remove', id };
    case ConfChangeType.UpdateNode: {
      if (membership.member(id) === undefined) return new ErrMemberNotFound();
      const update = decodeMemberJson(cc.context);
      const inUse = new Set(members.filter((m) => m.id !== id).flatMap((m) => m.peerUrls));
      if (update.peerUrls.some((u) => inUse.has(u))) return new ErrPeerURLExist();
      return { kind: 'update', id, peerUrls: update.peerUrls };
    }
    default:
      return { kind: 'none' };
  }
}

/**
 * During WAL replay (entries the backend already applied) the membership is already final:
 * apply a ConfChange to raft only if it agrees with it, so rejected changes stay no-ops.
 */
export function replayedChangeStands(membership: Membership, cc: ConfChange): boolean {
  const m = membership.member(cc.nodeId);
  switch (cc.type) {
    case ConfChangeType.AddNode:
      return m !== undefined && !m.isLearner;
    case ConfChangeType.AddLearnerNode:
      return m !== undefined;
    case ConfChangeType.RemoveNode:
      return m === undefined;
    default:
      return true;
  }
}

/** etcd's isLearnerReady on the leader: the learner's match vs the leader's. */
export function learnerReady(learnerMatch: number, leaderMatch: number): boolean {
  return learnerMatch >= leaderMatch * LEARNER_READY_PERCENT;
}

export { encodeMemberJson, ErrLearnerNotReady };
