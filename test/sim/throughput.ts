// Throughput of the simulated cluster itself: a healthy cluster (no faults, reliable network),
// proposals kept `inflight` deep at the leader until `proposals` are applied on every member.
// Everything runs through the same members, disk, network and invariant checks as the sim.

import type { NodeId } from '../../packages/server/src/raft/types';
import { EventQueue } from './event-queue';
import { Invariants } from './invariants';
import { encodeCommand } from './kv-state-machine';
import { Prng } from './prng';
import { createRealRawNode } from './raft-adapter';
import { SimMember, type MemberOptions } from './sim-member';
import { SimNetwork } from './sim-network';
import { ELECTION_TICK, HEARTBEAT_TICK, TICK_MS } from './simulate';

export interface ThroughputResult {
  readonly proposals: number;
  readonly wallMs: number;
  readonly virtualMs: number;
  readonly proposalsPerWallSecond: number;
}

const RUN_LIMIT_VIRTUAL_MS = 600_000;

export function measureThroughput(size: number, proposals: number, inflight: number): ThroughputResult {
  const prng = new Prng(1);
  const queue = new EventQueue();
  const members = new Map<NodeId, SimMember>();
  const network = new SimNetwork(queue, prng.fork(), (m) => members.get(m.to)?.deliver(m));
  const options: MemberOptions = {
    electionTick: ELECTION_TICK,
    heartbeatTick: HEARTBEAT_TICK,
    checkQuorum: true,
    preVote: true,
    fsyncMinMs: 1,
    fsyncMaxMs: 2,
    maxSizePerMsg: 1024 * 1024,
    maxInflightMsgs: 256,
    snapshotEveryEntries: 1000,
    catchUpEntries: 100,
  };
  const env = {
    queue,
    prng: prng.fork(),
    invariants: new Invariants(),
    createRawNode: createRealRawNode,
    send: (m: Parameters<SimNetwork['send']>[0]) => network.send(m),
    onConfChange: () => {},
    trace: () => {},
  };
  const ids = Array.from({ length: size }, (_, i) => BigInt(i + 1));
  for (const id of ids) members.set(id, new SimMember(id, { voters: [], learners: [] }, ids, options, env));
  for (const m of members.values()) {
    m.start();
    const tick = () => {
      m.tick();
      queue.after(TICK_MS, tick);
    };
    queue.after(1 + prng.int(TICK_MS), tick);
  }
  while (![...members.values()].some((m) => m.isLeader())) queue.runUntil(queue.now + TICK_MS);
  const leader = [...members.values()].find((m) => m.isLeader())!;

  const startMs = Date.now();
  const startVirtualMs = queue.now;
  let issued = 0;
  let done = 0;
  const issue = () => {
    const id = ++issued;
    leader.propose(id, encodeCommand({ id, kind: 'put', key: `k${id % 16}`, value: String(id) }), (r) => {
      if (r === undefined) throw new Error('throughput: proposal dropped on a healthy cluster');
      done++;
      if (issued < proposals) issue();
    });
  };
  for (let i = 0; i < Math.min(inflight, proposals); i++) issue();
  const allApplied = () => done === proposals && [...members.values()].every((m) => m.applied === leader.applied);
  while (!allApplied()) {
    if (queue.now - startVirtualMs > RUN_LIMIT_VIRTUAL_MS) throw new Error(`throughput: only ${done}/${proposals} applied`);
    queue.runUntil(queue.now + 1);
  }
  const wallMs = Math.max(1, Date.now() - startMs);
  return { proposals, wallMs, virtualMs: queue.now - startVirtualMs, proposalsPerWallSecond: Math.round((proposals * 1000) / wallMs) };
}
