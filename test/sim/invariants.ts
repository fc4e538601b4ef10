// Raft's safety properties, checked continuously as the simulated members hand out Readys, send
// messages and apply entries. Each check throws an InvariantViolation naming the property.

import {
  MessageType,
  StateType,
  type Entry,
  type Message,
  type NodeId,
  type Ready,
  type Status,
} from '../../packages/server/src/raft/types';
import type { SimDisk } from './sim-disk';

export class InvariantViolation extends Error {
  constructor(readonly property: string, detail: string) {
    super(`${property}: ${detail}`);
  }
}

const decoder = new TextDecoder();

function entryKey(e: Entry): string {
  return `${e.type}:${decoder.decode(e.data)}`;
}

interface TrackedLog {
  terms: number[];
  keys: string[];
}

export interface InvariantCounts {
  readys: number;
  sends: number;
  applies: number;
}

export class Invariants {
  /**
   * @param protocolRules also check two rules of the protocol that are not end-to-end safety
   *   properties themselves (a leader commits only entries of its term by counting; a restart
   *   restores the durable term and vote). Off, only the end-to-end properties are checked, which
   *   shows how far they alone catch each mutation.
   */
  constructor(private readonly protocolRules = true) {}

  readonly counts: InvariantCounts = { readys: 0, sends: 0, applies: 0 };
  /** term -> the one member that led it. */
  private readonly leaders = new Map<number, NodeId>();
  /** Each member's log as handed out through Readys (durable + still being written). */
  private readonly logs = new Map<NodeId, TrackedLog>();
  /** `${index}:${term}` -> `${prevTerm}|${entry}`: the same (index, term) must always mean the same entry and history. */
  private readonly identity = new Map<string, string>();
  /**
   * Entries known committed (some member applied them), by index - 1, with `byTerm`: an upper
   * bound on the term in which they were committed (the highest term seen when first applied).
   * Leaders of later terms must hold them.
   */
  private readonly committed: { term: number; key: string; byTerm: number }[] = [];
  private maxTermSeen = 0;
  /** member -> the term it currently leads. */
  private readonly leading = new Map<NodeId, number>();
  private readonly applied = new Map<NodeId, number>();
  /** `${member}:${term}` -> the candidate it voted for (its own id when campaigning). */
  private readonly votes = new Map<string, NodeId>();
  /** Each member's commit index at its previous Ready. */
  private readonly commits = new Map<NodeId, number>();
  /** Each member's term at its previous Ready: everything in its next Ready was said at a term >= this. */
  private readonly readyTerms = new Map<NodeId, number>();
  /** `${member}|${leader}|${term}`: the member took that leader's append/heartbeat while not past its term. */
  private readonly acceptedLeaders = new Set<string>();

  /** A (re)started member: its log is what its disk holds, nothing applied yet. */
  restart(id: NodeId, disk: SimDisk): void {
    const snapIndex = disk.durableSnapshot().metadata.index;
    const log = this.committedPrefix(id, disk.durableOffset());
    for (let i = log.terms.length + 1; i <= disk.durableLastIndex(); i++) {
      const e = disk.durableEntryAt(i)!;
      log.terms.push(e.term);
      log.keys.push(entryKey(e));
    }
    this.logs.set(id, log);
    this.leading.delete(id);
    this.applied.set(id, snapIndex);
    this.commits.set(id, 0);
    this.readyTerms.set(id, disk.durableHardState().term);
  }

  /** The log a member holds up to a snapshot's index: the committed entries (checked there). */
  private committedPrefix(id: NodeId, upTo: number): TrackedLog {
    if (upTo > this.committed.length) {
      throw new InvariantViolation('snapshot safety', `member ${id} holds a snapshot at ${upTo}, beyond anything applied anywhere (${this.committed.length})`);
    }
    const c = this.committed.slice(0, upTo);
    return { terms: c.map((x) => x.term), keys: c.map((x) => x.key) };
  }

  /** A member is handed a snapshot (from the leader): it must be of committed state; its log restarts there. */
  private onSnapshot(id: NodeId, index: number, term: number): TrackedLog {
    const log = this.committedPrefix(id, index);
    if (index > 0 && log.terms[index - 1] !== term) {
      throw new InvariantViolation('snapshot safety', `member ${id} installs snapshot ${index}@${term}; the committed entry there has term ${log.terms[index - 1]}`);
    }
    this.logs.set(id, log);
    return log;
  }

  /** The member's state machine now holds the snapshot's state. */
  onSnapshotApplied(id: NodeId, index: number): void {
    const prev = this.applied.get(id) ?? 0;
    if (index < prev) throw new InvariantViolation('apply order', `member ${id} installs snapshot ${index} after applying ${prev}`);
    this.applied.set(id, index);
  }

  /** Right after a (re)start: the member must have restored the durable term and vote. */
  onStart(id: NodeId, status: Status, disk: SimDisk): void {
    if (!this.protocolRules) return;
    const hs = disk.durableHardState();
    if (status.hardState.term !== hs.term || status.hardState.vote !== hs.vote) {
      throw new InvariantViolation('restart restores HardState', `member ${id} restarted with term ${status.hardState.term} vote ${status.hardState.vote}, its disk holds term ${hs.term} vote ${hs.vote}`);
    }
  }

  onReady(id: NodeId, rd: Ready, status: Status): void {
    this.counts.readys++;
    const term = status.hardState.term;
    this.maxTermSeen = Math.max(this.maxTermSeen, term);
    const isLeader = status.softState.raftState === StateType.Leader;
    const wasLeadingThisTerm = this.leading.get(id) === term;
    let log = this.logs.get(id);
    if (!log) throw new Error(`invariants: member ${id} was never started`);
    if (rd.snapshot) log = this.onSnapshot(id, rd.snapshot.metadata.index, rd.snapshot.metadata.term);
    if (rd.entries.length > 0) this.appendToLog(id, log, rd.entries, wasLeadingThisTerm);
    if (this.protocolRules) this.checkMessageTerms(id, rd);
    this.readyTerms.set(id, term);
    const commit = status.hardState.commit;
    if (this.protocolRules && wasLeadingThisTerm && isLeader && commit > (this.commits.get(id) ?? 0) && log.terms[commit - 1] !== term) {
      // Raft §5.4.2: a leader commits by counting replicas only entries of its own term.
      throw new InvariantViolation('leader commit rule', `leader ${id} of term ${term} advances commit to ${commit}, an entry of term ${log.terms[commit - 1]}`);
    }
    this.commits.set(id, commit);
    if (!isLeader) {
      this.leading.delete(id);
      return;
    }
    this.claimLeadership(id, term, 'Ready');
    if (!wasLeadingThisTerm) {
      // Leader completeness: a new leader holds every entry known committed.
      this.committed.forEach((c, i) => {
        if (c.byTerm < term && log.terms[i] !== c.term) {
          throw new InvariantViolation('leader completeness', `member ${id} leads term ${term} without committed entry ${i + 1} (term ${c.term}); its log has term ${log.terms[i]}`);
        }
      });
      this.leading.set(id, term);
    }
  }

  /** A leader's message reaches a member whose term was `memberTerm` just before stepping it. */
  onDeliver(id: NodeId, m: Message, memberTerm: number): void {
    if (m.term >= memberTerm) this.acceptedLeaders.add(`${id}|${m.from}|${m.term}`);
  }

  /**
   * Terms only grow, and a member stamps what it sends with its current term (vote replies with the
   * candidate's term, which is never lower). So every message of a Ready carries a term at least the
   * member's term at the previous Ready, except proposals and read requests (no term) and replies
   * to a leader held until the entries they acknowledge are durable: those keep the term of a
   * leader the member did accept, but never answer an append from an already stale leader.
   */
  private checkMessageTerms(id: NodeId, rd: Ready): void {
    const floor = this.readyTerms.get(id) ?? 0;
    for (const m of rd.messages) {
      if (m.term >= floor || m.type === MessageType.MsgProp || m.type === MessageType.MsgReadIndex) continue;
      const reply = m.type === MessageType.MsgAppResp || m.type === MessageType.MsgHeartbeatResp;
      if (reply && this.acceptedLeaders.has(`${id}|${m.to}|${m.term}`)) continue;
      throw new InvariantViolation('message term', `member ${id} at term >= ${floor} sends ${MessageType[m.type]} to ${m.to} in older term ${m.term}${reply ? ', answering a leader it never accepted in that term' : ''}`);
    }
  }

  private appendToLog(id: NodeId, log: TrackedLog, entries: readonly Entry[], leading: boolean): void {
    const first = entries[0]!.index;
    if (first < 1 || first > log.terms.length + 1) {
      throw new InvariantViolation('log continuity', `member ${id} appends at ${first} after last index ${log.terms.length}`);
    }
    if (leading && first <= log.terms.length) {
      throw new InvariantViolation('leader append-only', `leader ${id} rewrites its log from index ${first} (last ${log.terms.length})`);
    }
    log.terms.length = first - 1;
    log.keys.length = first - 1;
    entries.forEach((e, k) => {
      if (e.index !== first + k) throw new InvariantViolation('log continuity', `member ${id} Ready entries not contiguous at ${e.index}`);
      const prevTerm = e.index === 1 ? 0 : log.terms[e.index - 2]!;
      if (e.term < prevTerm) throw new InvariantViolation('log terms monotonic', `member ${id} entry ${e.index} term ${e.term} < previous ${prevTerm}`);
      const key = entryKey(e);
      const id2 = `${e.index}:${e.term}`;
      const identity = `${prevTerm}|${key}`;
      const known = this.identity.get(id2);
      if (known === undefined) this.identity.set(id2, identity);
      else if (known !== identity) {
        throw new InvariantViolation('log matching', `member ${id} has entry ${id2} = ${identity}, another member had ${known}`);
      }
      log.terms.push(e.term);
      log.keys.push(key);
    });
  }

  private claimLeadership(id: NodeId, term: number, evidence: string): void {
    const other = this.leaders.get(term);
    if (other === undefined) this.leaders.set(term, id);
    else if (other !== id) {
      throw new InvariantViolation('election safety', `members ${other} and ${id} both lead term ${term} (seen in ${evidence})`);
    }
  }

  /** At the send boundary: nothing that promises durability leaves before the disk holds it. */
  onSend(id: NodeId, m: Message, disk: SimDisk): void {
    this.counts.sends++;
    if (m.from !== id) throw new InvariantViolation('message origin', `member ${id} sends a message from ${m.from}`);
    const hs = disk.durableHardState();
    this.maxTermSeen = Math.max(this.maxTermSeen, m.term);
    switch (m.type) {
      case MessageType.MsgApp:
      case MessageType.MsgHeartbeat:
      case MessageType.MsgSnap:
        this.claimLeadership(id, m.term, MessageType[m.type]);
        break;
      // A durable higher term also covers a vote: the member can never vote in the older term again.
      case MessageType.MsgVote:
        this.recordVote(id, m.term, id);
        if (hs.term < m.term || (hs.term === m.term && hs.vote !== id)) {
          throw new InvariantViolation('durability ordering', `member ${id} asks votes for term ${m.term} before persisting its own vote (disk: term ${hs.term} vote ${hs.vote})`);
        }
        break;
      case MessageType.MsgVoteResp:
        if (!m.reject) this.recordVote(id, m.term, m.to);
        if (!m.reject && (hs.term < m.term || (hs.term === m.term && hs.vote !== m.to))) {
          throw new InvariantViolation('durability ordering', `member ${id} grants its term-${m.term} vote to ${m.to} before persisting it (disk: term ${hs.term} vote ${hs.vote})`);
        }
        break;
      case MessageType.MsgAppResp:
        if (!m.reject && disk.durableLastIndex() < m.index) {
          throw new InvariantViolation('durability ordering', `member ${id} acks index ${m.index} with only ${disk.durableLastIndex()} entries fsynced`);
        }
        break;
      default:
        break;
    }
  }

  /** One vote per member per term, across restarts. */
  private recordVote(id: NodeId, term: number, candidate: NodeId): void {
    const key = `${id}:${term}`;
    const before = this.votes.get(key);
    if (before === undefined) this.votes.set(key, candidate);
    else if (before !== candidate) {
      throw new InvariantViolation('one vote per term', `member ${id} votes for ${candidate} in term ${term} after voting for ${before}`);
    }
  }

  onApply(id: NodeId, e: Entry, commit: number, disk: SimDisk): void {
    this.counts.applies++;
    const prev = this.applied.get(id) ?? 0;
    if (e.index !== prev + 1) throw new InvariantViolation('apply order', `member ${id} applies ${e.index} after ${prev}`);
    if (e.index > commit) throw new InvariantViolation('applied <= committed', `member ${id} applies ${e.index} beyond its commit index ${commit}`);
    if (e.index > disk.lastIndex()) throw new InvariantViolation('apply after persist', `member ${id} applies ${e.index} with ${disk.lastIndex()} entries on disk`);
    const key = entryKey(e);
    const known = this.committed[e.index - 1];
    if (known === undefined) {
      if (e.index !== this.committed.length + 1) throw new Error('invariants: committed prefix has a gap');
      this.committed.push({ term: e.term, key, byTerm: this.maxTermSeen });
    } else if (known.term !== e.term || known.key !== key) {
      throw new InvariantViolation('state machine safety', `member ${id} applies ${e.index}@${e.term} ${key}; another member applied ${e.index}@${known.term} ${known.key}`);
    }
    this.applied.set(id, e.index);
  }

  committedCount(): number {
    return this.committed.length;
  }

  leaderCount(): number {
    return this.leaders.size;
  }
}
