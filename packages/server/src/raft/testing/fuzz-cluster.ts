// A small seeded randomized cluster for the core's own tests: lossy reordering network, crashes
// that lose unsynced writes, compaction and snapshots, and safety checks on every step.
// (The full simulation with a virtual clock and client histories lives in test/sim.)
import { describeEntry } from '../describe';
import { MemoryStorage } from '../memory-storage';
import { RawNode } from '../raw-node';
import { decodeConfChange } from '../confchange-codec';
import {
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

  constructor(readonly opts: FuzzOptions) {
    this.rand = mulberry32(opts.seed);
    const peers = Array.from({ length: opts.nodes }, (_, i) => BigInt(i + 1));
    for (const id of peers) {
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
      };
      node.rawNode = new RawNode(this.config(node, 0), peers);
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
    } else if (r < 0.995) {
      this.propose(n);
    } else if (n.up) {
      this.compact(n);
    }
    this.checkLeaders();
  }

  /** Heals the network and runs until every live node applied a fresh proposal; false if it never did. */
  converge(maxSteps: number): boolean {
    for (const n of this.nodes) if (!n.up) this.crashAndRestart(n);
    let target = -1;
    for (let i = 0; i < maxSteps; i++) {
      this.step(0, 0, false);
      const leader = this.nodes.find((x) => x.rawNode.raft.state === StateType.Leader);
      if (target < 0 && leader) {
        try {
          leader.rawNode.propose(new TextEncoder().encode(`final`));
          target = leader.rawNode.raft.raftLog.lastIndex();
        } catch (e) {
          if (!(e instanceof ProposalDroppedError)) throw e;
        }
      }
      if (target > 0 && this.nodes.every((x) => x.appliedIndex >= target)) return true;
      if (target > 0 && leader === undefined) target = -1; // the leader was lost before committing; try again
    }
    return false;
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
    this.messages.push(...rd.messages);
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
    this.messages = this.messages.filter((m) => m.to !== n.id);
    const fresh = n.storage.lastIndex() === 0;
    // Crashed before the bootstrap Ready was synced: start over like a new member.
    n.rawNode = fresh ? new RawNode(this.config(n, 0), this.nodes.map((x) => x.id)) : new RawNode(this.config(n, n.appliedIndex));
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
