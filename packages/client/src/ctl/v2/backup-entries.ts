// Which WAL entries a backup keeps (etcdctl backup's loadWAL): membership is dropped, so
// ConfChanges and members' attribute updates become empty entries (the no-op a new leader
// appends); without --with-v3 so do v3 requests. Indexes never move: the backend's applied
// index and the snapshot keep matching the log (etcd 3.4 renumbered, 3.5 turned them into no-ops).

import { InternalRaftRequest } from '@tsetcd/api';
import { EntryType, type Entry } from '../../../../server/src/raft/types';

/** A v2 PUT of `/0/members/<hex id>/attributes`: a member publishing its name and client URLs. */
export const MEMBER_ATTRIBUTES_PATH = /^\/0\/members\/[0-9a-fA-F]{1,16}\/attributes$/;

export type BackupEntryFate = 'keep' | 'conf-change' | 'member-attributes' | 'v3';

/** What a backup does with one entry: keep it, or make it a no-op for the given reason. */
export function backupEntryFate(e: Entry, withV3: boolean): BackupEntryFate {
  if (e.type === EntryType.ConfChange) return 'conf-change';
  if (e.data.length === 0) return 'keep';
  const req = InternalRaftRequest.decode(e.data);
  if (req.v2 !== undefined) {
    return req.v2.Method === 'PUT' && MEMBER_ATTRIBUTES_PATH.test(req.v2.Path) ? 'member-attributes' : 'keep';
  }
  return withV3 ? 'keep' : 'v3';
}

export interface FilteredEntries {
  readonly entries: Entry[];
  readonly dropped: Record<Exclude<BackupEntryFate, 'keep'>, number>;
}

/** etcdctl backup's log line for an entry it drops. */
export function droppedEntryLine(e: Entry, fate: Exclude<BackupEntryFate, 'keep'>): string {
  switch (fate) {
    case 'conf-change':
      return 'ignoring EntryConfChange raft entry';
    case 'member-attributes':
      return `ignoring member attribute update on ${InternalRaftRequest.decode(e.data).v2?.Path ?? ''}`;
    case 'v3':
      return 'ignoring v3 raft entry';
  }
}

export function filterBackupEntries(entries: readonly Entry[], withV3: boolean, log?: (line: string) => void): FilteredEntries {
  const dropped = { 'conf-change': 0, 'member-attributes': 0, v3: 0 };
  const out = entries.map((e): Entry => {
    const fate = backupEntryFate(e, withV3);
    if (fate === 'keep') return e;
    dropped[fate]++;
    log?.(droppedEntryLine(e, fate));
    return { term: e.term, index: e.index, type: EntryType.Normal, data: new Uint8Array(0) };
  });
  return { entries: out, dropped };
}
