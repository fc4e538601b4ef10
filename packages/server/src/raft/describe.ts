// Human-readable renderings of raft values, in the shape of etcd's raft/util.go (used by transcripts and logs).
import { decodeConfChange } from './confchange-codec';
import {
  ConfChangeType,
  EntryType,
  MessageType,
  NONE,
  StateType,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type Ready,
  type Snapshot,
  type SoftState,
} from './types';

export type EntryFormatter = (data: Uint8Array) => string;

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Go's %q, close enough for transcripts. */
export function quoteBytes(data: Uint8Array): string {
  return JSON.stringify(utf8.decode(data));
}

export const hex = (id: bigint): string => id.toString(16);

export function stateName(s: StateType): string {
  return `State${StateType[s]}`;
}

export function describeHardState(hs: HardState): string {
  let s = `Term:${hs.term}`;
  if (hs.vote !== NONE) s += ` Vote:${hex(hs.vote)}`;
  return `${s} Commit:${hs.commit}`;
}

export function describeSoftState(ss: SoftState): string {
  return `Lead:${hex(ss.lead)} State:${stateName(ss.raftState)}`;
}

export function describeConfState(cs: ConfState): string {
  return `Voters:[${cs.voters.map(hex).join(' ')}] Learners:[${cs.learners.map(hex).join(' ')}]`;
}

export function describeSnapshot(s: Snapshot): string {
  const m = s.metadata;
  return `Index:${m.index} Term:${m.term} ConfState:${describeConfState(m.confState)}`;
}

const ccPrefix: Record<ConfChangeType, string> = {
  [ConfChangeType.AddNode]: 'v',
  [ConfChangeType.RemoveNode]: 'r',
  [ConfChangeType.UpdateNode]: 'u',
  [ConfChangeType.AddLearnerNode]: 'l',
};

export function describeEntry(e: Entry, f: EntryFormatter = quoteBytes): string {
  let formatted: string;
  if (e.type === EntryType.ConfChange) {
    try {
      const cc = decodeConfChange(e.data);
      formatted = `${ccPrefix[cc.type] ?? '?'}${hex(cc.nodeId)}`;
    } catch (err) {
      formatted = (err as Error).message;
    }
  } else {
    formatted = f(e.data);
  }
  return `${e.term}/${e.index} Entry${EntryType[e.type]}${formatted ? ' ' + formatted : ''}`;
}

export function describeEntries(ents: readonly Entry[], f?: EntryFormatter): string {
  return ents.map((e) => describeEntry(e, f) + '\n').join('');
}

export function describeMessage(m: Message, f?: EntryFormatter): string {
  let s = `${hex(m.from)}->${hex(m.to)} ${MessageType[m.type]} Term:${m.term} Log:${m.logTerm}/${m.index}`;
  if (m.reject) s += ` Rejected (Hint: ${m.rejectHint})`;
  if (m.commit !== 0) s += ` Commit:${m.commit}`;
  if (m.entries.length > 0) s += ` Entries:[${m.entries.map((e) => describeEntry(e, f)).join(', ')}]`;
  if (m.snapshot && m.snapshot.metadata.index !== 0) s += ` Snapshot: ${describeSnapshot(m.snapshot)}`;
  return s;
}

export function describeReady(rd: Ready, f?: EntryFormatter): string {
  let buf = '';
  if (rd.softState) buf += describeSoftState(rd.softState) + '\n';
  if (rd.hardState) buf += `HardState ${describeHardState(rd.hardState)}\n`;
  if (rd.readStates.length > 0) {
    buf += `ReadStates ${rd.readStates.map((rs) => `{Index:${rs.index} Ctx:${quoteBytes(rs.requestCtx)}}`).join(' ')}\n`;
  }
  if (rd.entries.length > 0) buf += 'Entries:\n' + describeEntries(rd.entries, f);
  if (rd.snapshot && rd.snapshot.metadata.index !== 0) buf += `Snapshot ${describeSnapshot(rd.snapshot)}\n`;
  if (rd.committedEntries.length > 0) buf += 'CommittedEntries:\n' + describeEntries(rd.committedEntries, f);
  if (rd.messages.length > 0) {
    buf += 'Messages:\n';
    for (const m of rd.messages) buf += describeMessage(m, f) + '\n';
  }
  if (buf.length > 0) return `Ready MustSync=${rd.mustSync}:\n${buf}`;
  return '<empty Ready>';
}
