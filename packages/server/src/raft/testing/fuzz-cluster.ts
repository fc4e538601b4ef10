// A small seeded randomized cluster for the core's own tests: lossy reordering network, crashes
// that lose unsynced writes, compaction and snapshots, and safety checks on every step.
// (The full simulation with a virtual clock and client histories lives in test/sim.)
import { describeEntry } from '../describe';
import { MemoryStorage } from '../memory-storage';
import { RawNode } from '../raw-node';
import { decodeConfChange } from '../confchange-codec';
import {
  ConfChangeType,
  EntryType,
  MessageType,
  ProposalDroppedError,
  StateType,
  type ConfState,
  type Message,
  type NodeId,
  type RaftConfig,
  type RaftMutation,
  type Snapshot,
} from '../types';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SafetyViolation extends Error {}

interface FuzzNode {
  id: NodeId;
  rawNode: RawNode;
  storage: MemoryStorage;
  /** The storage as of the last synced Ready: what survives a crash. */
  durable: MemoryStorage;
  appliedText: string;
  appliedIndex: number;
  confState: ConfState;
  up: boolean;
  /** Member of the initial cluster (false: joins later through conf changes, starts empty). */
  founder: boolean;
}

export interface FuzzOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly steps: number;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  readonly mutations?: ReadonlySet<RaftMutation>;
  readonly dropRate?: number;
  readonly crashRate?: number;
  /**
   * Membership changes the leaders work through, in order, e.g. ['l4', 'v4', 'r1'] (AddLearner 4,
   * promote 4, remove 1). Nodes named here but not among the first `nodes` start empty and join.
   */
  readonly confChanges?: readonly string[];
}

export interface FuzzResult {
  readonly commits: number;
  readonly leaders: number;
  readonly maxTerm: number;
}

function cloneStorage(s: MemoryStorage): MemoryStorage {
  const c = new MemoryStorage();
  const snap = s.snapshot();
  if (snap.metadata.index > 0) c.applySnapshot(snap);
  c.setHardState(s.initialState().hardState);
  const fi = s.firstIndex();
  const li = s.lastIndex();
  if (li >= fi) c.append(s.entries(fi, li + 1, Number.MAX_SAFE_INTEGER));
  return c;
}

export class FuzzCluster {
  readonly nodes: FuzzNode[] = [];
  messages: Message[] = [];
  private readonly rand: () => number;
  /** index -> the state-machine text after applying it (first applier wins; all must agree). */
  private readonly appliedAt = new Map<number, string>();
  private readonly leaderOfTerm = new Map<number, NodeId>();
  private proposals = 0;
  private reads = 0;
  readsAnswered = 0;
  private readonly pendingReads = new Map<string, number>();

  constructor(readonly opts: FuzzOptions) {
    this.rand = mulberry32(opts.seed);
    const peers = Array.from({ length: opts.nodes }, (_, i) => BigInt(i + 1));
    const joiners = new Set<bigint>();
    for (const c of opts.confChanges ?? []) {
      const id = BigInt(c.slice(1));
      if (id > BigInt(opts.nodes)) joiners.add(id);
    }
    for (const id of [...peers, ...[...joiners].sort((a, b) => Number(a - b))]) {
      const founder = id <= BigInt(opts.nodes);
      const storage = new MemoryStorage();
      const node: FuzzNode = {
        id,
        storage,
        durable: new MemoryStorage(),
        rawNode: undefined as unknown as RawNode,
        appliedText: '',
        appliedIndex: 0,
        confState: { voters: [], learners: [] },
        up: true,
        founder,
      };
      node.rawNode = founder ? new RawNode(this.config(node, 0), peers) : new RawNode(this.config(node, 0));
      this.nodes.push(node);
    }
  }

  private config(n: FuzzNode, applied: number): RaftConfig {
    return {
      id: n.id,
      electionTick: 10,
      heartbeatTick: 1,
      storage: n.storage,
      applied,
      maxSizePerMsg: 1024,
      maxInflightMsgs: 16,
      maxInflightBytes: 8192,
      maxUncommittedEntriesSize: 1 << 20,
      checkQuorum: this.opts.checkQuorum ?? false,
      preVote: this.opts.preVote ?? false,
      randomInt: (k) => Math.floor(this.rand() * k),
      ...(this.opts.mutations ? { mutations: this.opts.mutations } : {}),
    };
  }

  private int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  run(): FuzzResult {
    for (let i = 0; i < this.opts.steps; i++) this.step(this.opts.dropRate ?? 0.05, this.opts.crashRate ?? 0.002);
    return this.result();
  }

  result(): FuzzResult {
    return { commits: this.appliedAt.size, leaders: this.leaderOfTerm.size, maxTerm: Math.max(0, ...this.leaderOfTerm.keys()) };
  }

  /** One random action; `load` false stops new proposals and compactions (used while converging). */
  step(dropRate: number, crashRate: number, load = true): void {
    const r = this.rand();
    const n = this.nodes[this.int(this.nodes.length)]!;
    if (r < crashRate) {
      this.crashAndRestart(n);
    } else if (r < 0.25) {
      if (n.up) n.rawNode.tick();
    } else if (r < 0.7) {
      // Deliver a few: the network must have more capacity than the load offered to it.
      for (let k = 0; k < 3; k++) this.deliverOne(dropRate);
    } else if (r < 0.96) {
      if (n.up && n.rawNode.hasReady()) this.processReady(n);
    } else if (!load) {
      // quiet
    } else if (r < 0.985) {
      this.propose(n);
    } else if (r < 0.99) {
      this.readIndex(n);
    } else if (r < 0.992) {
      this.transfer(n);
    } else if (r < 0.995) {
      this.proposeConfChange(n);
    } else if (n.up) {
      this.compact(n);
    }
    this.checkLeaders();
  }

  /**
   * Heals the network, finishes the scripted membership changes, and runs until every member
   * applied a fresh proposal; false if that never happened.
   */
  converge(maxSteps: number): boolean {
    for (const n of this.nodes) if (!n.up) this.crashAndRestart(n);
    let target = -1;
    for (let i = 0; i < maxSteps; i++) {
      this.step(0, 0, false);
      const leader = this.nodes.find((x) => x.up && x.rawNode.raft.state === StateType.Leader);
      if (!leader) {
        target = -1; // no leader (or it was lost before committing): try again with the next one
        continue;
      }
      // A removed member shuts itself down, as etcd's does when its peers refuse it.
      const members = this.members(leader);
      for (const x of this.nodes) {
        const removed = (this.opts.confChanges ?? []).includes(`r${x.id}`);
        if (x.up && removed && !members.includes(x)) x.up = false;
      }
      if (this.pendingConfChanges(leader) > 0) {
        if (i % 50 === 0) this.proposeConfChange(leader);
        continue;
      }
      if (target < 0) {
        try {
          leader.rawNode.propose(new TextEncoder().encode(`final`));
          target = leader.rawNode.raft.raftLog.lastIndex();
        } catch (e) {
          if (!(e instanceof ProposalDroppedError)) throw e;
        }
      }
      if (target > 0 && members.every((x) => x.appliedIndex >= target)) return true;
    }
    return false;
  }

  /**
   * Issues a ReadIndex. Linearizability demands the answer be at least every commit index any
   * node knew when the read started (those entries were committed before the read).
   */
  private readIndex(n: FuzzNode): void {
    if (!n.up) return;
    const ctx = new TextEncoder().encode(`r${this.reads++}`);
    const minIndex = Math.max(...this.nodes.map((x) => x.rawNode.raft.raftLog.committed));
    this.pendingReads.set(new TextDecoder().decode(ctx), minIndex);
    n.rawNode.readIndex(ctx);
  }

  private transfer(n: FuzzNode): void {
    if (!n.up || n.rawNode.raft.state !== StateType.Leader) return;
    const to = this.nodes[this.int(this.nodes.length)]!.id;
    n.rawNode.transferLeader(to);
  }

  /** The nodes in the leader's configuration (all nodes when there is no leader). */
  private members(leader: FuzzNode | undefined): FuzzNode[] {
    if (!leader) return this.nodes;
    const prs = leader.rawNode.raft.prs;
    return this.nodes.filter((x) => prs.voters.has(x.id) || prs.learners.has(x.id));
  }

  /** The leader proposes the first scripted change its configuration does not reflect yet. */
  private proposeConfChange(n: FuzzNode): void {
    if (!n.up || n.rawNode.raft.state !== StateType.Leader) return;
    const prs = n.rawNode.raft.prs;
    for (const c of this.opts.confChanges ?? []) {
      const id = BigInt(c.slice(1));
      const done = c[0] === 'l' ? prs.learners.has(id) || prs.voters.has(id) : c[0] === 'v' ? prs.voters.has(id) : !prs.progress.has(id);
      if (done) continue;
      const type = c[0] === 'l' ? ConfChangeType.AddLearnerNode : c[0] === 'v' ? ConfChangeType.AddNode : ConfChangeType.RemoveNode;
      try {
        n.rawNode.proposeConfChange({ id: BigInt(this.proposals++), type, nodeId: id, context: new Uint8Array(0) });
      } catch (e) {
        if (!(e instanceof ProposalDroppedError)) throw e;
      }
      return;
    }
  }

  /** Scripted changes still to do, as the given node sees its configuration. */
  pendingConfChanges(n: FuzzNode): number {
    const prs = n.rawNode.raft.prs;
    return (this.opts.confChanges ?? []).filter((c) => {
      const id = BigInt(c.slice(1));
      return c[0] === 'l' ? !(prs.learners.has(id) || prs.voters.has(id)) : c[0] === 'v' ? !prs.voters.has(id) : prs.progress.has(id);
    }).length;
  }

  private propose(n: FuzzNode): void {
    if (!n.up) return;
    try {
      n.rawNode.propose(new TextEncoder().encode(`p${this.proposals++}`));
    } catch (e) {
      if (!(e instanceof ProposalDroppedError)) throw e;
    }
  }

  /** Delivers one of the oldest few messages (bounded reordering), maybe dropping or duplicating it. */
  private deliverOne(dropRate: number): void {
    if (this.messages.length === 0) return;
    const i = this.int(Math.min(this.messages.length, 6));
    const m = this.messages[i]!;
    this.messages.splice(i, 1);
    const to = this.nodes.find((x) => x.id === m.to);
    const lost = !to || !to.up || this.rand() < dropRate;
    if (m.type === MessageType.MsgSnap) {
      // The transport reports snapshot delivery back to the sender, as etcd's does.
      const from = this.nodes.find((x) => x.id === m.from);
      from?.rawNode.reportSnapshot(m.to, lost ? 'failure' : 'finish');
    }
    if (lost) return;
    if (this.rand() < 0.02) this.messages.push(m); // duplicate, delivered later
    to.rawNode.step(m);
  }

  private processReady(n: FuzzNode): void {
    const rn = n.rawNode;
    const rd = rn.ready();
    if (rd.snapshot) {
      n.storage.applySnapshot(rd.snapshot);
      this.checkSnapshot(n, rd.snapshot);
      n.appliedText = new TextDecoder().decode(rd.snapshot.data);
      n.appliedIndex = rd.snapshot.metadata.index;
      n.confState = rd.snapshot.metadata.confState;
    }
    if (rd.hardState) n.storage.setHardState(rd.hardState);
    n.storage.append(rd.entries);
    if (rd.mustSync || rd.snapshot) n.durable = cloneStorage(n.storage);
    for (const e of rd.committedEntries) {
      if (e.index !== n.appliedIndex + 1) {
        throw new SafetyViolation(`node ${n.id} applies ${describeEntry(e)} after ${n.appliedIndex} (gap or repeat)`);
      }
      if (e.type === EntryType.ConfChange) {
        n.confState = rn.applyConfChange(decodeConfChange(e.data));
      } else {
        n.appliedText += `|${e.term}:${new TextDecoder().decode(e.data)}`;
      }
      n.appliedIndex = e.index;
      const seen = this.appliedAt.get(e.index);
      if (seen === undefined) this.appliedAt.set(e.index, n.appliedText);
      else if (seen !== n.appliedText) {
        throw new SafetyViolation(`state machines diverge at index ${e.index}: node ${n.id} has ${n.appliedText.slice(-60)} vs ${seen.slice(-60)}`);
      }
    }
    for (const rs of rd.readStates) {
      const key = new TextDecoder().decode(rs.requestCtx);
      const min = this.pendingReads.get(key);
      if (min === undefined) continue;
      if (rs.index < min) throw new SafetyViolation(`node ${n.id} read at index ${rs.index} but ${min} was committed before the read started`);
      this.readsAnswered++;
    }
    for (const m of rd.messages) {
      if (m.type !== MessageType.MsgSnap) {
        this.messages.push(m);
        continue;
      }
      // Like etcd's createMergedSnapshotMessage: send the current applied state and membership,
      // not the (possibly older) stored snapshot, so a member added since can restore it.
      const snapshot: Snapshot = {
        data: new TextEncoder().encode(n.appliedText),
        metadata: { index: n.appliedIndex, term: n.storage.term(n.appliedIndex), confState: n.confState },
      };
      this.messages.push({ ...m, snapshot });
    }
    rn.advance(rd);
  }

  private checkSnapshot(n: FuzzNode, s: Snapshot): void {
    const seen = this.appliedAt.get(s.metadata.index);
    const text = new TextDecoder().decode(s.data);
    if (seen !== undefined && seen !== text) throw new SafetyViolation(`node ${n.id} restored a snapshot at ${s.metadata.index} that differs from the applied state`);
  }

  private compact(n: FuzzNode): void {
    const idx = n.appliedIndex;
    if (idx <= n.storage.snapshot().metadata.index + 2 || idx > n.storage.lastIndex()) return;
    n.storage.createSnapshot(idx, n.confState, new TextEncoder().encode(n.appliedText));
    n.storage.compact(idx);
    n.durable = cloneStorage(n.storage);
  }

  private crashAndRestart(n: FuzzNode): void {
    // The disk keeps only what was synced; the state machine restarts from the snapshot.
    n.storage = cloneStorage(n.durable);
    const snap = n.storage.snapshot();
    n.appliedIndex = snap.metadata.index;
    n.appliedText = new TextDecoder().decode(snap.data);
    n.confState = snap.metadata.index > 0 ? snap.metadata.confState : { voters: [], learners: [] };
    for (const m of this.messages) {
      // The sender's transport notices the broken connection and reports the snapshot failed.
      if (m.to === n.id && m.type === MessageType.MsgSnap) this.nodes.find((x) => x.id === m.from)?.rawNode.reportSnapshot(m.to, 'failure');
    }
    this.messages = this.messages.filter((m) => m.to !== n.id);
    const fresh = n.founder && n.storage.lastIndex() === 0;
    // Crashed before the bootstrap Ready was synced: start over like a new member.
    const founders = this.nodes.filter((x) => x.founder).map((x) => x.id);
    n.rawNode = fresh ? new RawNode(this.config(n, 0), founders) : new RawNode(this.config(n, n.appliedIndex));
    n.up = true;
  }

  private checkLeaders(): void {
    for (const n of this.nodes) {
      const r = n.rawNode.raft;
      if (r.state !== StateType.Leader) continue;
      const prev = this.leaderOfTerm.get(r.term);
      if (prev === undefined) this.leaderOfTerm.set(r.term, n.id);
      else if (prev !== n.id) throw new SafetyViolation(`two leaders in term ${r.term}: ${prev} and ${n.id}`);
      const rl = r.raftLog;
      if (!(rl.applied <= rl.committed || this.opts.mutations?.has('apply-beyond-commit'))) {
        throw new SafetyViolation(`node ${n.id} applied ${rl.applied} > committed ${rl.committed}`);
      }
    }
  }
}
