// Runs many seeds and sums up what happened: the shared loop behind the jest suite and
// `npm run sim`.

import type { RaftMutation } from '../../packages/server/src/raft/types';
import type { MembershipChange } from './membership';
import { emptyFaultCounts, type FaultCounts } from './nemesis';
import { SimFailure, simulate, type SimReport } from './simulate';

export interface SeedRunOptions {
  readonly size: number;
  readonly firstSeed: number;
  readonly count: number;
  readonly chaosMs?: number;
  readonly mutations?: ReadonlySet<RaftMutation>;
  readonly protocolRules?: boolean;
  /** Stop at the first failure (mutation hunting) instead of collecting them all. */
  readonly stopAtFirstFailure?: boolean;
  readonly onReport?: (r: SimReport) => void;
}

export interface SeedRunSummary {
  readonly size: number;
  seeds: number;
  readonly failures: SimFailure[];
  readonly faults: FaultCounts;
  readonly membershipApplied: Record<MembershipChange, number>;
  ops: { ok: number; fail: number; info: number };
  committedEntries: number;
  leaderTerms: number;
  snapshotsTaken: number;
  snapshotsInstalled: number;
  strandedMembers: number;
  messagesSent: number;
  virtualMs: number;
  wallMs: number;
  checkerMs: number;
}

export function runSeeds(options: SeedRunOptions): SeedRunSummary {
  const summary: SeedRunSummary = {
    size: options.size,
    seeds: 0,
    failures: [],
    faults: emptyFaultCounts(),
    membershipApplied: { 'add-voter': 0, 'add-learner': 0, 'promote-learner': 0, 'remove-voter': 0 },
    ops: { ok: 0, fail: 0, info: 0 },
    committedEntries: 0,
    leaderTerms: 0,
    snapshotsTaken: 0,
    snapshotsInstalled: 0,
    strandedMembers: 0,
    messagesSent: 0,
    virtualMs: 0,
    wallMs: 0,
    checkerMs: 0,
  };
  const startMs = Date.now();
  for (let seed = options.firstSeed; seed < options.firstSeed + options.count; seed++) {
    summary.seeds++;
    try {
      const r = simulate({ seed, size: options.size, chaosMs: options.chaosMs, mutations: options.mutations, protocolRules: options.protocolRules });
      for (const k of Object.keys(r.faults) as (keyof FaultCounts)[]) summary.faults[k] += r.faults[k];
      for (const k of Object.keys(r.membershipApplied) as MembershipChange[]) summary.membershipApplied[k] += r.membershipApplied[k];
      summary.ops.ok += r.ops.ok;
      summary.ops.fail += r.ops.fail;
      summary.ops.info += r.ops.info;
      summary.committedEntries += r.committedEntries;
      summary.leaderTerms += r.leaderTerms;
      summary.snapshotsTaken += r.snapshotsTaken;
      summary.snapshotsInstalled += r.snapshotsInstalled;
      summary.strandedMembers += r.strandedMembers;
      summary.messagesSent += r.network.sent;
      summary.virtualMs += r.virtualMs;
      summary.checkerMs += r.checkerMs;
      options.onReport?.(r);
    } catch (err) {
      if (!(err instanceof SimFailure)) throw err;
      summary.failures.push(err);
      if (options.stopAtFirstFailure) break;
    }
  }
  summary.wallMs = Date.now() - startMs;
  return summary;
}

export function formatSummary(s: SeedRunSummary): string {
  const faults = Object.entries(s.faults)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k}=${n}`)
    .join(' ');
  return [
    `size ${s.size}: ${s.seeds} seeds in ${(s.wallMs / 1000).toFixed(1)} s (${(s.wallMs / Math.max(1, s.seeds)).toFixed(1)} ms/seed), ${s.failures.length} failures`,
    `  faults: ${faults}`,
    `  membership changes applied: ${Object.entries(s.membershipApplied).map(([k, n]) => `${k}=${n}`).join(' ')}`,
    `  client ops: ok=${s.ops.ok} fail=${s.ops.fail} info=${s.ops.info}; committed entries=${s.committedEntries}; leader terms=${s.leaderTerms}; messages=${s.messagesSent}`,
    `  snapshots: taken=${s.snapshotsTaken} installed from the leader=${s.snapshotsInstalled}; stranded members (no CheckQuorum/PreVote)=${s.strandedMembers}`,
    `  virtual time ${(s.virtualMs / 1000).toFixed(0)} s; checker ${s.checkerMs} ms`,
  ].join('\n');
}

/** Adds `part` into `total` (same size). */
export function mergeSummary(total: SeedRunSummary, part: SeedRunSummary): void {
  total.seeds += part.seeds;
  total.failures.push(...part.failures);
  for (const k of Object.keys(part.faults) as (keyof FaultCounts)[]) total.faults[k] += part.faults[k];
  for (const k of Object.keys(part.membershipApplied) as MembershipChange[]) total.membershipApplied[k] += part.membershipApplied[k];
  total.ops.ok += part.ops.ok;
  total.ops.fail += part.ops.fail;
  total.ops.info += part.ops.info;
  total.committedEntries += part.committedEntries;
  total.leaderTerms += part.leaderTerms;
  total.snapshotsTaken += part.snapshotsTaken;
  total.snapshotsInstalled += part.snapshotsInstalled;
  total.strandedMembers += part.strandedMembers;
  total.messagesSent += part.messagesSent;
  total.virtualMs += part.virtualMs;
  total.wallMs += part.wallMs;
  total.checkerMs += part.checkerMs;
}
