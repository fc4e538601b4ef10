// The state-machine part of a raft snapshot (the snap file's data, and a MsgSnap's): the member ids
// and the v2 store. The backend image travels beside it; etcd 3.4's snap data is its v2 store too.

import { formatId } from './member-id';

export interface StateSnapshot {
  readonly members: readonly string[];
  /** V2Store.save() output; absent in snapshots taken before the v2 store was wired. */
  readonly v2?: string;
}

export function encodeStateSnapshot(memberIds: readonly bigint[], v2Saved: string): Uint8Array {
  const snap: StateSnapshot = { members: memberIds.map(formatId), v2: v2Saved };
  return new TextEncoder().encode(JSON.stringify(snap));
}

/** undefined for an empty payload (a snapshot that carries no state-machine data). */
export function decodeStateSnapshot(data: Uint8Array): StateSnapshot | undefined {
  if (data.length === 0) return undefined;
  const parsed = JSON.parse(new TextDecoder().decode(data)) as Partial<StateSnapshot>;
  if (!Array.isArray(parsed.members)) throw new Error('snapshot data: members missing');
  return { members: parsed.members, ...(typeof parsed.v2 === 'string' ? { v2: parsed.v2 } : {}) };
}
