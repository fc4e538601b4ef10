// Measures proposals/second through a 3-member in-memory cluster (no disk, no network): the cost
// of the core itself. Test/bench code only.
import { MemoryStorage } from '../memory-storage';
import { RawNode } from '../raw-node';
import { StateType, type Message, type RaftConfig } from '../types';

export interface ThroughputResult {
  readonly proposals: number;
  readonly elapsedMs: number;
  readonly proposalsPerSecond: number;
  readonly readies: number;
  /** Proposals per second of this process's CPU time (less sensitive to a busy machine). */
  readonly proposalsPerCpuSecond: number;
}

export function measureThroughput(opts: { proposals: number; batch: number; payloadBytes: number; members?: number }): ThroughputResult {
  const members = opts.members ?? 3;
  const ids = Array.from({ length: members }, (_, i) => BigInt(i + 1));
  const nodes = ids.map((id) => {
    const storage = new MemoryStorage();
    const config: RaftConfig = {
      id,
      electionTick: 10,
      heartbeatTick: 1,
      storage,
      maxSizePerMsg: 1024 * 1024,
      maxInflightMsgs: 256,
      randomInt: () => 0,
    };
    return { id, storage, rn: new RawNode(config, ids), applied: 0 };
  });
  let inflight: Message[] = [];
  let readies = 0;
  const pump = (): void => {
    for (let guard = 0; guard < 100000; guard++) {
      let busy = false;
      for (const n of nodes) {
        if (!n.rn.hasReady()) continue;
        busy = true;
        readies++;
        const rd = n.rn.ready();
        if (rd.snapshot) n.storage.applySnapshot(rd.snapshot);
        if (rd.hardState) n.storage.setHardState(rd.hardState);
        n.storage.append(rd.entries);
        n.applied += rd.committedEntries.length;
        inflight.push(...rd.messages);
        n.rn.advance(rd);
      }
      if (inflight.length > 0) {
        busy = true;
        const msgs = inflight;
        inflight = [];
        for (const m of msgs) nodes[Number(m.to) - 1]!.rn.step(m);
      }
      if (!busy) return;
    }
    throw new Error('cluster did not quiesce');
  };
  pump();
  nodes[0]!.rn.campaign();
  pump();
  const leader = nodes[0]!;
  if (leader.rn.status().softState.raftState !== StateType.Leader) throw new Error('no leader');
  const payload = new Uint8Array(opts.payloadBytes).fill(7);
  const before = leader.applied;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let sent = 0; sent < opts.proposals; ) {
    for (let i = 0; i < opts.batch && sent < opts.proposals; i++, sent++) leader.rn.propose(payload);
    pump();
  }
  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const committed = leader.applied - before;
  if (committed !== opts.proposals) throw new Error(`only ${committed} of ${opts.proposals} proposals were applied`);
  return {
    proposals: committed,
    elapsedMs,
    proposalsPerSecond: Math.round((committed / elapsedMs) * 1000),
    readies,
    proposalsPerCpuSecond: Math.round((committed / cpuMs) * 1000),
  };
}
