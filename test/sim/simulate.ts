// One seeded run of a whole simulated cluster: chaos (clients + faults), heal, liveness, then the
// linearizability check of the client history. Any broken property throws a SimFailure that
// names the seed and how to replay it.

import { MessageType, type ConfState, type Message, type NodeId, type RaftMutation } from '../../packages/server/src/raft/types';
import { Membership, type MembershipChange } from './membership';
import { checkOperations } from './linearizability/checker';
import { kvModel } from './linearizability/models/kv';
import { SimClients, type ClientOptions } from './clients';
import { EventQueue } from './event-queue';
import { InvariantViolation, Invariants } from './invariants';
import { Nemesis, type FaultCounts, type NemesisOptions } from './nemesis';
import { Prng, TraceHash, type TraceFn } from './prng';
import { SimMember, type MemberOptions, type RawNodeFactory } from './sim-member';
import { SimNetwork, type NetworkStats } from './sim-network';
import { createRealRawNode } from './raft-adapter';

export const TICK_MS = 10;
export const ELECTION_TICK = 10;
export const HEARTBEAT_TICK = 1;
export const ELECTION_TIMEOUT_MS = ELECTION_TICK * TICK_MS;
/** Liveness: after the faults heal a leader must appear within this many election timeouts. */
export const LIVENESS_ELECTION_TIMEOUTS = 10;
/**
 * Without PreVote a member on a stale configuration (it has not applied a membership change yet)
 * can keep campaigning with ever higher terms and reset everyone's election timer: raft's
 * "disruptive server" (thesis §4.2.3). Elections still converge, but can take longer: seeds 631
 * and 1957 (3 members) needed more than 10 and fewer than 30 election timeouts.
 */
export const LIVENESS_ELECTION_TIMEOUTS_WITHOUT_PREVOTE = 30;
export const DEFAULT_CHAOS_MS = 1_500;
export const CHECKER_BUDGET_MS = 5_000;
const EMPTY_CONF_STATE: ConfState = { voters: [], learners: [] };

export interface SimOptions {
  readonly seed: number;
  readonly size: number;
  readonly chaosMs?: number;
  readonly mutations?: ReadonlySet<RaftMutation>;
  readonly createRawNode?: RawNodeFactory;
  /** Check the protocol rules besides the end-to-end properties (default on; see Invariants). */
  readonly protocolRules?: boolean;
  /** Log compaction and snapshot transfer (default on). */
  readonly snapshots?: boolean;
  /** Membership changes among the faults (default on). */
  readonly membershipChanges?: boolean;
}

export type FailureKind = 'invariant' | 'linearizability' | 'liveness' | 'checker-unknown' | 'exception';

export class SimFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly seed: number,
    readonly size: number,
    readonly detail: string,
    readonly traceHash: string,
    readonly property?: string,
    readonly mutation?: string,
  ) {
    const m = mutation ? ` --mutation ${mutation}` : '';
    super(
      `sim ${kind} failure, seed ${seed} size ${size}${mutation ? ` mutation ${mutation}` : ''}: ${detail}\n` +
        `  replay: npm run sim -- --seed ${seed} --size ${size}${m}  (or SEED=${seed} SIZE=${size} npm run sim${m ? ' --' + m : ''})  trace ${traceHash}`,
    );
  }
}

export interface SimReport {
  readonly seed: number;
  readonly size: number;
  readonly traceHash: string;
  readonly faults: FaultCounts;
  readonly membershipApplied: Record<MembershipChange, number>;
  readonly finalVoters: number;
  readonly finalLearners: number;
  readonly snapshotsTaken: number;
  readonly strandedMembers: number;
  readonly snapshotsInstalled: number;
  readonly network: NetworkStats;
  readonly ops: { ok: number; fail: number; info: number; open: number };
  readonly committedEntries: number;
  readonly leaderTerms: number;
  readonly virtualMs: number;
  readonly checkerMs: number;
  readonly checkQuorum: boolean;
  readonly preVote: boolean;
}

export function simulate(options: SimOptions): SimReport {
  const trace = new TraceHash();
  const mutation = options.mutations && options.mutations.size > 0 ? [...options.mutations].join(',') : undefined;
  try {
    return run(options, trace);
  } catch (err) {
    if (err instanceof SimFailure) throw err;
    if (err instanceof InvariantViolation) {
      throw new SimFailure('invariant', options.seed, options.size, err.message, trace.hex(), err.property, mutation);
    }
    const detail = err instanceof Error ? `${err.constructor.name}: ${err.message}\n${err.stack ?? ''}` : String(err);
    throw new SimFailure('exception', options.seed, options.size, detail, trace.hex(), undefined, mutation);
  }
}

function run(options: SimOptions, trace: TraceHash): SimReport {
  const { seed, size } = options;
  const chaosMs = options.chaosMs ?? DEFAULT_CHAOS_MS;
  const prng = new Prng(seed * 7919 + size);
  const traceFn: TraceFn = (a, b, c, d, e, f) => trace.add(a, b, c, d, e, f);
  const queue = new EventQueue();
  const invariants = new Invariants(options.protocolRules ?? true);
  const members = new Map<NodeId, SimMember>();
  const mutation = options.mutations && options.mutations.size > 0 ? [...options.mutations].join(',') : undefined;
  const fail = (kind: FailureKind, detail: string): never => {
    throw new SimFailure(kind, seed, size, detail, trace.hex(), undefined, mutation);
  };
  const network = new SimNetwork(
    queue,
    prng.fork(),
    (m) => {
      trace.add(3, m.type, Number(m.from), Number(m.to), m.term, m.index);
      const to = members.get(m.to);
      // The snapshot sender learns whether the transfer went through (etcd's ReportSnapshot).
      if (m.type === MessageType.MsgSnap) members.get(m.from)?.reportSnapshot(m.to, to?.alive ? 'finish' : 'failure');
      to?.deliver(m);
    },
    (m) => {
      if (m.type === MessageType.MsgSnap) members.get(m.from)?.reportSnapshot(m.to, 'failure');
    },
  );
  const memberOptions: MemberOptions = {
    electionTick: ELECTION_TICK,
    heartbeatTick: HEARTBEAT_TICK,
    checkQuorum: prng.chance(0.5),
    preVote: prng.chance(0.5),
    fsyncMinMs: 1,
    fsyncMaxMs: 4,
    // One entry per MsgApp in some runs: followers then ack entry by entry (Figure 8 territory).
    maxSizePerMsg: prng.chance(0.5) ? 1 : 64 * 1024,
    maxInflightMsgs: prng.chance(0.5) ? 4 : 256,
    // Log compaction in most runs, often aggressive enough that lagging members need MsgSnap.
    snapshotEveryEntries: options.snapshots === false ? 0 : prng.pick([0, 5, 10, 20]),
    catchUpEntries: prng.pick([0, 1, 3]),
    mutations: options.mutations,
  };
  let nemesis: Nemesis | undefined;
  const env = {
    queue,
    prng: prng.fork(),
    invariants,
    createRawNode: options.createRawNode ?? createRealRawNode,
    send: (m: Message) => {
      network.send(m);
      nemesis?.afterSend(members.get(m.from)!, m);
    },
    onConfChange: (_m: SimMember, cs: ConfState, index: number) => membership.onApplied(index, cs),
    trace: traceFn,
  };
  const ids: NodeId[] = [];
  for (let i = 1; i <= size; i++) ids.push(BigInt(i));
  const memberList = () => [...members.values()];
  /** Every member ever created, decommissioned ones too (for the report). */
  const allMembers: SimMember[] = [];
  const restart = (m: SimMember) => {
    if (m.alive || members.get(m.id) !== m) return;
    m.start();
    m.drive();
  };
  // Each member ticks on its own clock phase, until it is decommissioned.
  const startTicking = (m: SimMember) => {
    const tick = () => {
      if (members.get(m.id) !== m) return;
      m.tick();
      queue.after(TICK_MS, tick);
    };
    queue.after(1 + prng.int(TICK_MS), tick);
  };
  const membership = new Membership(
    {
      leader: () => memberList().find((m) => m.isLeader()),
      spawn: (id) => {
        const m = new SimMember(id, EMPTY_CONF_STATE, [], memberOptions, env);
        members.set(id, m);
        allMembers.push(m);
        restart(m);
        startTicking(m);
        return m;
      },
      decommission: (id) => {
        members.get(id)?.crash();
        members.delete(id);
      },
      after: (delayMs, work) => queue.after(delayMs, work),
    },
    prng.fork(),
    size + 1,
  );
  for (const id of ids) {
    const m = new SimMember(id, EMPTY_CONF_STATE, ids, memberOptions, env);
    members.set(id, m);
    allMembers.push(m);
  }
  for (const m of memberList()) restart(m);
  for (const m of memberList()) startTicking(m);

  let commandId = 0;
  const clientOptions: ClientOptions = {
    count: 3 + prng.int(3),
    keys: ['a', 'b', 'c'].slice(0, 1 + prng.int(3)),
    opTimeoutMs: prng.pick([2, 3]) * ELECTION_TIMEOUT_MS,
    delayMinMs: 1,
    delayMaxMs: 4,
    thinkMaxMs: 30,
    readsThroughLog: prng.chance(0.25),
    pinnedClients: prng.int(3),
  };
  const clientPort = {
    queue,
    members: memberList,
    nextCommandId: () => ++commandId,
    trace: traceFn,
  };
  const clients = new SimClients(clientPort, prng.fork(), clientOptions);
  const nemesisOptions: NemesisOptions = {
    gapMinMs: 30,
    gapMaxMs: 200,
    durationMinMs: 20,
    durationMaxMs: 400,
    failpointRate: prng.pick([0, 0.002, 0.01, 0.03]),
  };
  const changeMembership = () => options.membershipChanges !== false && membership.proposeRandomChange() !== undefined;
  nemesis = new Nemesis({ queue, network, members: memberList, restart, changeMembership, trace: traceFn }, prng.fork(), nemesisOptions);

  // 1. Chaos.
  clients.run(chaosMs);
  nemesis.run(chaosMs);
  queue.runUntil(chaosMs);

  // 2. Heal everything; a leader must emerge within LIVENESS_ELECTION_TIMEOUTS election timeouts.
  nemesis.healAll();
  const healedAt = queue.now;
  const electionBound = memberOptions.preVote ? LIVENESS_ELECTION_TIMEOUTS : LIVENESS_ELECTION_TIMEOUTS_WITHOUT_PREVOTE;
  const leaderDeadline = healedAt + electionBound * ELECTION_TIMEOUT_MS;
  const configMembers = () => memberList().filter((m) => membership.isMember(m.id));
  while (!configMembers().some((m) => m.isLeader())) {
    if (queue.now >= leaderDeadline) fail('liveness', `no leader ${electionBound} election timeouts after the faults healed (preVote ${memberOptions.preVote})`);
    queue.runUntil(queue.now + TICK_MS);
  }

  // 3. Every client operation still running ends (reply or timeout), then every client gets a
  //    put through within the same bound, retrying dropped proposals.
  queue.runUntil(queue.now + clientOptions.opTimeoutMs + 2 * clientOptions.delayMaxMs);
  const roundDeadline = queue.now + electionBound * ELECTION_TIMEOUT_MS;
  const notYet = clients.putUntilOk(TICK_MS);
  while (notYet() > 0) {
    if (queue.now >= roundDeadline) fail('liveness', `${notYet()} client puts not applied ${electionBound} election timeouts after the faults healed`);
    queue.runUntil(queue.now + TICK_MS);
  }

  // 4. Converge: every member applies the same log to the same state.
  const convergeDeadline = queue.now + electionBound * ELECTION_TIMEOUT_MS;
  let stranded: SimMember[] = [];
  const convergingMembers = () => {
    stranded = memberOptions.checkQuorum || memberOptions.preVote ? [] : strandedMembers(configMembers());
    return configMembers().filter((m) => !stranded.includes(m));
  };
  let why = converged(convergingMembers());
  while (why !== undefined) {
    if (queue.now >= convergeDeadline) fail('liveness', `members did not converge: ${why}`);
    queue.runUntil(queue.now + TICK_MS);
    why = converged(convergingMembers());
  }
  if (stranded.length * 2 >= configMembers().length) fail('liveness', `a majority of members is stranded: ${stranded.map((m) => m.id).join(',')}`);

  // 5. The client history must be linearizable.
  const ops = clients.history.operations();
  const report = checkOperations(kvModel, ops, { budgetMs: CHECKER_BUDGET_MS });
  if (report.result === 'illegal') {
    const MAX_SHOWN = 40;
    const shown = (report.failingPartition ?? []).slice(0, MAX_SHOWN).map((o) => `  c${o.clientId} [${o.callTime}, ${o.returnTime}] ${kvModel.describeOperation!(o.input, o.output)}`);
    fail('linearizability', `client history is not linearizable; failing key's operations:\n${shown.join('\n')}`);
  }
  if (report.result === 'unknown') fail('checker-unknown', `checker budget ${CHECKER_BUDGET_MS} ms exhausted on ${ops.length} operations`);

  return {
    seed,
    size,
    traceHash: trace.hex(),
    faults: nemesis.counts,
    membershipApplied: membership.applied,
    finalVoters: membership.voters.size,
    finalLearners: membership.learners.size,
    strandedMembers: stranded.length,
    snapshotsTaken: allMembers.reduce((n, m) => n + m.snapshotsTaken, 0),
    snapshotsInstalled: allMembers.reduce((n, m) => n + m.snapshotsInstalled, 0),
    network: network.stats,
    ops: clients.history.counts(),
    committedEntries: invariants.committedCount(),
    leaderTerms: invariants.leaderCount(),
    virtualMs: queue.now,
    checkerMs: report.elapsedMs,
    checkQuorum: memberOptions.checkQuorum,
    preVote: memberOptions.preVote,
  };
}

/**
 * With neither CheckQuorum nor PreVote, raft (like etcd's) silently ignores appends and heartbeats
 * of a lower term. A member that fell behind several membership changes and campaigned its term
 * up on its stale configuration (whose voters are gone) never talks to the current leader and
 * ignores it: it is stranded until an operator steps in. etcd's server always runs with
 * CheckQuorum, so this is a property of the raft library's configuration space, not a bug; the
 * simulation reports such members instead of requiring them to converge.
 */
function strandedMembers(members: readonly SimMember[]): SimMember[] {
  const leader = members.find((m) => m.isLeader());
  if (!leader) return [];
  const leaderTerm = leader.raw!.status().hardState.term;
  return members.filter((m) => {
    if (m === leader || !m.alive) return false;
    const cs = m.confState;
    const knowsLeader = cs.voters.includes(leader.id) || cs.learners.includes(leader.id);
    return m.raw!.status().hardState.term > leaderTerm && !knowsLeader;
  });
}

/** Undefined when all members hold the same log, commit and applied index and state; else why not. */
function converged(members: readonly SimMember[]): string | undefined {
  const first = members[0]!;
  if (!first.alive) return `member ${first.id} is down`;
  const commit = first.raw!.status().hardState.commit;
  for (const m of members) {
    if (!m.alive || m.paused) return `member ${m.id} is not running`;
    const st = m.raw!.status();
    if (st.hardState.commit !== commit) return `commit ${st.hardState.commit} on ${m.id} vs ${commit} on ${first.id}`;
    if (m.applied !== commit) return `member ${m.id} applied ${m.applied} of ${commit}`;
    if (m.disk.lastIndex() !== first.disk.lastIndex()) return `member ${m.id} has ${m.disk.lastIndex()} entries on disk vs ${first.disk.lastIndex()}`;
    for (let i = Math.max(m.disk.firstIndex(), first.disk.firstIndex()); i <= m.disk.lastIndex(); i++) {
      if (m.disk.entryAt(i)!.term !== first.disk.entryAt(i)!.term) return `member ${m.id} entry ${i} term differs`;
    }
    if (m.sm.image() !== first.sm.image()) return `member ${m.id} state differs from member ${first.id}`;
  }
  return undefined;
}
