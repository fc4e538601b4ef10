// The interaction environment behind the raft transcripts (testdata/*.txt), modelled on etcd's
// rafttest.InteractionEnv: nodes with a MemoryStorage each, an in-flight message list, and one
// handler per command. Test code only.
import { decodeConfChange } from '../confchange-codec';
import { describeEntries, describeMessage, describeReady, describeSnapshot, hex, stateName } from '../describe';
import { MemoryStorage } from '../memory-storage';
import { RawNode } from '../raw-node';
import { sortIds } from '../tracker/progress-tracker';
import {
  ConfChangeType,
  EntryType,
  StateType,
  type ConfChange,
  type ConfState,
  type Message,
  type NodeId,
  type RaftConfig,
  type RaftLogger,
  type RaftMutation,
  type Snapshot,
} from '../types';
import { argValue, hasArg, type TestData } from './datadriven';

type LogLevel = 'debug' | 'info' | 'warn' | 'none';
const LEVELS: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, none: 3 };

/** Like etcd's snapOverrideStorage: the snapshot a leader sends is the node's latest applied state. */
class EnvStorage extends MemoryStorage {
  snapshotOverride: (() => Snapshot) | undefined;

  override snapshot(): Snapshot {
    return this.snapshotOverride ? this.snapshotOverride() : super.snapshot();
  }
}

export interface EnvNode {
  rawNode: RawNode;
  storage: EnvStorage;
  config: RaftConfig;
  /** The "appender" state machine: applied Normal entry data concatenated, and the applied ConfState. */
  appliedData: Uint8Array;
  confState: ConfState;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function indent(s: string): string {
  return s
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => '  ' + l)
    .join('\n');
}

export function parseConfChanges(input: string): ConfChange[] {
  const out: ConfChange[] = [];
  for (const tok of input.split(/\s+/).filter(Boolean)) {
    const kinds: Record<string, ConfChangeType> = {
      v: ConfChangeType.AddNode,
      r: ConfChangeType.RemoveNode,
      u: ConfChangeType.UpdateNode,
      l: ConfChangeType.AddLearnerNode,
    };
    const type = kinds[tok[0]!];
    if (type === undefined) throw new Error(`unknown conf change ${tok}`);
    out.push({ id: 0n, type, nodeId: BigInt(tok.slice(1)), context: new Uint8Array(0) });
  }
  return out;
}

export class InteractionEnv {
  nodes: EnvNode[] = [];
  messages: Message[] = [];
  private out: string[] = [];
  private level: LogLevel = 'info';

  private readonly logger: RaftLogger = {
    debug: (msg) => this.log('debug', msg),
    info: (msg) => this.log('info', msg),
    warn: (msg) => this.log('warn', msg),
  };

  private log(level: LogLevel, msg: string): void {
    if (LEVELS[level] >= LEVELS[this.level]) this.out.push(`${level.toUpperCase()} ${msg}`);
  }

  private write(s: string): void {
    if (s !== '') this.out.push(s.replace(/\n$/, ''));
  }

  private capture(f: () => void): string {
    const saved = this.out;
    this.out = [];
    try {
      f();
      return this.out.join('\n');
    } finally {
      this.out = saved;
    }
  }

  handle(d: TestData): string {
    this.out = [];
    try {
      this.dispatch(d);
    } catch (e) {
      this.out.push(`error: ${(e as Error).message}`);
    }
    const s = this.out.join('\n');
    this.out = [];
    return s;
  }

  private nodeIdx(d: TestData, at = 0): number {
    const a = d.args[at];
    if (!a) throw new Error(`${d.cmd}: node id expected`);
    const idx = Number(a.key) - 1;
    if (!(idx >= 0 && idx < this.nodes.length)) throw new Error(`${d.cmd}: no node ${a.key}`);
    return idx;
  }

  private allNodeIdxs(d: TestData): number[] {
    const ids = d.args.filter((a) => a.vals.length === 0 && /^\d+$/.test(a.key)).map((a) => Number(a.key) - 1);
    return ids.length > 0 ? ids : this.nodes.map((_, i) => i);
  }

  private dispatch(d: TestData): void {
    switch (d.cmd) {
      case 'log-level':
        this.level = d.args[0]!.key as LogLevel;
        return;
      case 'add-nodes':
        return this.addNodes(d);
      case 'campaign':
        this.nodes[this.nodeIdx(d)]!.rawNode.campaign();
        return;
      case 'propose':
        this.nodes[this.nodeIdx(d)]!.rawNode.propose(enc.encode(d.args[1]!.key));
        return;
      case 'propose-conf-change':
        for (const cc of parseConfChanges(d.input)) this.nodes[this.nodeIdx(d)]!.rawNode.proposeConfChange(cc);
        return;
      case 'process-ready':
        for (const idx of this.allNodeIdxs(d)) this.processReady(idx, this.allNodeIdxs(d).length > 1);
        return;
      case 'deliver-msgs':
        for (const idx of this.allNodeIdxs(d)) this.deliverMsgs(idx, hasArg(d, 'drop'));
        return;
      case 'stabilize':
        return this.stabilize(this.allNodeIdxs(d));
      case 'tick-heartbeat':
        return this.tick(this.nodeIdx(d), this.nodes[this.nodeIdx(d)]!.config.heartbeatTick);
      case 'tick-election':
        return this.tick(this.nodeIdx(d), this.nodes[this.nodeIdx(d)]!.config.electionTick);
      case 'tick':
        return this.tick(this.nodeIdx(d), Number(argValue(d, 'n') ?? '1'));
      case 'raft-state':
        return this.raftState();
      case 'raft-log':
        return this.raftLog(this.nodeIdx(d));
      case 'status':
        return this.status(this.nodeIdx(d));
      case 'compact':
        return this.compact(this.nodeIdx(d), Number(d.args[1]!.key));
      case 'read-index':
        this.nodes[this.nodeIdx(d)]!.rawNode.readIndex(enc.encode(d.args[1]!.key));
        return;
      case 'transfer-leadership': {
        const from = Number(argValue(d, 'from')) - 1;
        const to = BigInt(argValue(d, 'to')!);
        this.nodes[from]!.rawNode.transferLeader(to);
        return;
      }
      case 'report-unreachable':
        this.nodes[this.nodeIdx(d)]!.rawNode.reportUnreachable(BigInt(d.args[1]!.key));
        return;
      case 'report-snapshot':
        this.nodes[this.nodeIdx(d)]!.rawNode.reportSnapshot(BigInt(d.args[1]!.key), hasArg(d, 'failure') ? 'failure' : 'finish');
        return;
      case 'restart':
        return this.restart(this.nodeIdx(d));
      default:
        throw new Error(`unknown command ${d.cmd}`);
    }
  }

  private addNodes(d: TestData): void {
    const n = Number(d.args[0]!.key);
    const voters = (d.args.find((a) => a.key === 'voters')?.vals ?? []).map(BigInt);
    const learners = (d.args.find((a) => a.key === 'learners')?.vals ?? []).map(BigInt);
    const index = Number(argValue(d, 'index') ?? '0');
    const mutations = new Set((d.args.find((a) => a.key === 'mutations')?.vals ?? []) as RaftMutation[]);
    for (let i = 0; i < n; i++) {
      const id = BigInt(this.nodes.length + 1);
      const storage = new EnvStorage();
      const confState: ConfState = { voters, learners };
      if (index > 0) {
        storage.applySnapshot({ data: new Uint8Array(0), metadata: { index, term: 1, confState } });
      }
      const config: RaftConfig = {
        id,
        electionTick: 3,
        heartbeatTick: 1,
        storage,
        maxSizePerMsg: Number(argValue(d, 'max-size-per-msg') ?? Number.MAX_SAFE_INTEGER),
        maxCommittedSizePerReady: Number(argValue(d, 'max-committed-size-per-ready') ?? 0),
        maxUncommittedEntriesSize: Number(argValue(d, 'max-uncommitted-size') ?? 0),
        maxInflightMsgs: Number(argValue(d, 'max-inflight') ?? 256),
        maxInflightBytes: Number(argValue(d, 'max-inflight-bytes') ?? 0),
        checkQuorum: argValue(d, 'checkquorum') === 'true',
        preVote: argValue(d, 'prevote') === 'true',
        randomInt: () => 0,
        logger: this.logger,
        mutations,
        applied: index,
      };
      const rawNode = new RawNode(config);
      const node: EnvNode = { rawNode, storage, config, appliedData: new Uint8Array(0), confState };
      storage.snapshotOverride = () => {
        const applied = node.rawNode.raft.raftLog.applied;
        const base = MemoryStorage.prototype.snapshot.call(storage);
        if (applied <= base.metadata.index) return base;
        return { data: node.appliedData, metadata: { index: applied, term: storage.term(applied), confState: node.confState } };
      };
      this.nodes.push(node);
    }
  }

  /** Simulates a crash and restart: unpersisted state is lost, the node is rebuilt from its storage. */
  private restart(idx: number): void {
    const node = this.nodes[idx]!;
    const config: RaftConfig = { ...node.config, applied: node.rawNode.raft.raftLog.applied };
    node.rawNode = new RawNode(config);
    node.config = config;
  }

  private tick(idx: number, n: number): void {
    for (let i = 0; i < n; i++) this.nodes[idx]!.rawNode.tick();
  }

  processReady(idx: number, withHeader = false): void {
    const node = this.nodes[idx]!;
    const rn = node.rawNode;
    const rd = rn.ready();
    if (withHeader) this.write(`> ${idx + 1} handling Ready`);
    const body = this.capture(() => {
      this.write(describeReady(rd));
      if (rd.snapshot) {
        node.storage.applySnapshot(rd.snapshot);
        node.appliedData = rd.snapshot.data;
        node.confState = rd.snapshot.metadata.confState;
      }
      if (rd.hardState) node.storage.setHardState(rd.hardState);
      node.storage.append(rd.entries);
      for (const e of rd.committedEntries) {
        if (e.type === EntryType.ConfChange) {
          const cc = decodeConfChange(e.data);
          node.confState = rn.applyConfChange(cc);
        } else {
          node.appliedData = concat(node.appliedData, e.data);
        }
      }
      this.messages.push(...rd.messages);
      rn.advance(rd);
    });
    this.write(withHeader ? indent(body) : body);
  }

  deliverMsgs(idx: number, drop: boolean): number {
    const id = BigInt(idx + 1);
    const mine = this.messages.filter((m) => m.to === id);
    if (mine.length === 0) return 0;
    this.messages = this.messages.filter((m) => m.to !== id);
    for (const m of mine) {
      if (drop) {
        this.write(`dropped: ${describeMessage(m)}`);
        continue;
      }
      this.write(describeMessage(m));
      this.nodes[idx]!.rawNode.step(m);
    }
    return mine.length;
  }

  private stabilize(idxs: number[]): void {
    for (let round = 0; round < 1000; round++) {
      let done = true;
      for (const idx of idxs) {
        if (this.nodes[idx]!.rawNode.hasReady()) {
          done = false;
          this.processReady(idx, true);
        }
      }
      for (const idx of idxs) {
        const id = BigInt(idx + 1);
        if (!this.messages.some((m) => m.to === id)) continue;
        done = false;
        this.write(`> ${idx + 1} receiving messages`);
        this.write(indent(this.capture(() => this.deliverMsgs(idx, false))));
      }
      if (done) return;
    }
    throw new Error('stabilize did not converge in 1000 rounds');
  }

  private raftState(): void {
    for (const n of this.nodes) {
      const st = n.rawNode.status();
      const voter = n.rawNode.raft.prs.voters.has(st.id) ? '(Voter)' : n.rawNode.raft.prs.learners.has(st.id) ? '(Learner)' : '(Non-Voter)';
      this.write(`${hex(st.id)}: ${stateName(st.softState.raftState)} ${voter} Term:${st.hardState.term} Lead:${hex(st.softState.lead)}`);
    }
  }

  private raftLog(idx: number): void {
    const s = this.nodes[idx]!.storage;
    const fi = s.firstIndex();
    const li = s.lastIndex();
    if (li < fi) {
      this.write(`log is empty: first index=${fi}, last index=${li}`);
      return;
    }
    this.write(describeEntries(s.entries(fi, li + 1, Number.MAX_SAFE_INTEGER)));
  }

  private status(idx: number): void {
    const st = this.nodes[idx]!.rawNode.status();
    if (!st.progress) {
      this.write(`${hex(st.id)}: ${stateName(st.softState.raftState)} Term:${st.hardState.term} Lead:${hex(st.softState.lead)} Commit:${st.hardState.commit} Applied:${st.applied}`);
      return;
    }
    const prs = this.nodes[idx]!.rawNode.raft.prs;
    for (const id of sortIds(st.progress.keys())) this.write(`${hex(id)}: ${prs.progress.get(id)}`);
  }

  /** Snapshots the applied state at `index` and discards the log up to it (index must be applied). */
  private compact(idx: number, index: number): void {
    const node = this.nodes[idx]!;
    const applied = node.rawNode.raft.raftLog.applied;
    if (index > applied) throw new Error(`cannot compact to ${index}: applied is ${applied}`);
    node.storage.createSnapshot(index, node.confState, node.appliedData);
    node.storage.compact(index);
    this.raftLog(idx);
  }

  /** The applied state machine of a node, for assertions. */
  appliedText(idx: number): string {
    return dec.decode(this.nodes[idx]!.appliedData);
  }

  snapshotText(idx: number): string {
    return describeSnapshot(this.nodes[idx]!.storage.snapshot());
  }

  leaderIdx(): number {
    return this.nodes.findIndex((n) => n.rawNode.raft.state === StateType.Leader);
  }

  nodeIds(): NodeId[] {
    return this.nodes.map((n) => n.rawNode.raft.id);
  }
}
