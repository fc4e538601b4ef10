// Fault injection during the chaos phase: crashes with restarts, pauses, symmetric and
// asymmetric partitions, an isolated leader, lossy (drop + duplicate) and slow (reordering)
// network periods. Every fault heals itself after a while, and `healAll` ends them all.

import { MessageType, type Message } from '../../packages/server/src/raft/types';
import type { EventQueue } from './event-queue';
import type { Prng, TraceFn } from './prng';
import { RELIABLE_PROFILE, type SimNetwork } from './sim-network';
import type { SimMember } from './sim-member';

export type FaultKind =
  | 'crash'
  | 'crash-leader'
  | 'quick-restart'
  | 'failpoint-crash'
  | 'lost-unsynced-write'
  | 'pause'
  | 'partition-symmetric'
  | 'partition-asymmetric'
  | 'isolate-leader'
  | 'deaf-leader'
  | 'lossy-network'
  | 'slow-network'
  | 'membership-change';

export type FaultCounts = Record<FaultKind, number>;

export function emptyFaultCounts(): FaultCounts {
  return {
    crash: 0,
    'crash-leader': 0,
    'quick-restart': 0,
    'failpoint-crash': 0,
    'lost-unsynced-write': 0,
    pause: 0,
    'partition-symmetric': 0,
    'partition-asymmetric': 0,
    'isolate-leader': 0,
    'deaf-leader': 0,
    'lossy-network': 0,
    'slow-network': 0,
    'membership-change': 0,
  };
}

export interface NemesisOptions {
  readonly gapMinMs: number;
  readonly gapMaxMs: number;
  readonly durationMinMs: number;
  readonly durationMaxMs: number;
  /** Chance that a member crashes right after sending a vote, a vote grant, an append or an ack (etcd's gofail points). */
  readonly failpointRate: number;
}

const FAILPOINT_TYPES: ReadonlySet<MessageType> = new Set([
  MessageType.MsgVote,
  MessageType.MsgVoteResp,
  MessageType.MsgApp,
  MessageType.MsgAppResp,
]);

export interface NemesisPort {
  readonly queue: EventQueue;
  readonly network: SimNetwork;
  members(): readonly SimMember[];
  restart(m: SimMember): void;
  /** Propose one membership change at the leader; false if none could be proposed. */
  changeMembership(): boolean;
  readonly trace: TraceFn;
}

/** Process restarts: down for a few milliseconds only (a vote or ack may straddle the restart). */
const QUICK_RESTART_MAX_MS = 8;

const KINDS: readonly FaultKind[] = [
  'crash',
  'crash-leader',
  'quick-restart',
  'pause',
  'partition-symmetric',
  'partition-asymmetric',
  'isolate-leader',
  'deaf-leader',
  'lossy-network',
  'slow-network',
  'membership-change',
];

export class Nemesis {
  readonly counts = emptyFaultCounts();
  private linkFaultActive = false;
  private profileFaultActive = false;
  private stopped = false;
  /** Swarm testing: each run draws its own subset of fault kinds, so some runs hammer on one. */
  readonly enabled: readonly FaultKind[];

  constructor(
    private readonly port: NemesisPort,
    private readonly prng: Prng,
    private readonly options: NemesisOptions,
  ) {
    const subset = KINDS.filter(() => prng.chance(0.5));
    this.enabled = subset.length > 0 ? subset : [prng.pick(KINDS)];
  }

  run(untilMs: number): void {
    const q = this.port.queue;
    const step = () => {
      if (this.stopped || q.now >= untilMs) return;
      this.inject(this.prng.pick(this.enabled));
      q.after(this.prng.range(this.options.gapMinMs, this.options.gapMaxMs), step);
    };
    q.after(this.prng.range(this.options.gapMinMs, this.options.gapMaxMs), step);
  }

  private duration(): number {
    return this.prng.range(this.options.durationMinMs, this.options.durationMaxMs);
  }

  private later(work: () => void): void {
    this.port.queue.after(this.duration(), () => {
      if (!this.stopped) work();
    });
  }

  private inject(kind: FaultKind): void {
    const members = this.port.members();
    const net = this.port.network;
    this.port.trace(20, KINDS.indexOf(kind));
    switch (kind) {
      case 'crash':
      case 'crash-leader':
      case 'quick-restart': {
        const candidates = members.filter((m) => (kind === 'crash-leader' ? m.isLeader() : m.alive));
        if (candidates.length === 0) return;
        const victim = this.prng.pick(candidates);
        if (victim.crash().lostWrite) this.counts['lost-unsynced-write']++;
        this.counts[kind]++;
        const restart = () => !this.stopped && this.port.restart(victim);
        if (kind === 'quick-restart') this.port.queue.after(this.prng.range(1, QUICK_RESTART_MAX_MS), restart);
        else this.later(restart);
        return;
      }
      case 'pause': {
        const running = members.filter((m) => m.alive && !m.paused);
        if (running.length === 0) return;
        const victim = this.prng.pick(running);
        victim.pause();
        this.counts.pause++;
        this.later(() => victim.alive && victim.paused && victim.resume());
        return;
      }
      case 'partition-symmetric':
      case 'partition-asymmetric':
      case 'isolate-leader':
      case 'deaf-leader': {
        if (this.linkFaultActive) return;
        const ids = members.map((m) => m.id);
        if (kind === 'deaf-leader') {
          // One-way: the leader still sends (appends, heartbeats) but hears nothing back.
          const leader = members.find((m) => m.isLeader());
          if (!leader) return;
          for (const id of ids) if (id !== leader.id) net.cut(id, leader.id);
        } else if (kind === 'isolate-leader') {
          const leader = members.find((m) => m.isLeader());
          if (!leader) return;
          net.partition([leader.id], ids.filter((id) => id !== leader.id));
        } else if (kind === 'partition-symmetric') {
          const shuffled = ids.map((id) => ({ id, r: this.prng.next() })).sort((a, b) => a.r - b.r).map((x) => x.id);
          const cutAt = this.prng.range(1, ids.length - 1);
          net.partition(shuffled.slice(0, cutAt), shuffled.slice(cutAt));
        } else {
          const links = this.prng.range(1, ids.length);
          for (let i = 0; i < links; i++) {
            const from = this.prng.pick(ids);
            const to = this.prng.pick(ids.filter((id) => id !== from));
            net.cut(from, to);
          }
        }
        this.counts[kind]++;
        this.linkFaultActive = true;
        // Partitions last long enough, now and then, for the majority side to elect and commit.
        const longer = this.prng.chance(0.5) ? 2 : 1;
        this.port.queue.after(longer * this.duration(), () => {
          if (this.stopped) return;
          net.healLinks();
          this.linkFaultActive = false;
        });
        return;
      }
      case 'lossy-network':
      case 'slow-network': {
        if (this.profileFaultActive) return;
        net.profile =
          kind === 'lossy-network'
            ? { dropRate: this.prng.range(5, 30) / 100, duplicateRate: this.prng.range(5, 20) / 100, delayMinMs: 1, delayMaxMs: 8 }
            : { dropRate: 0, duplicateRate: 0.02, delayMinMs: 1, delayMaxMs: this.prng.range(20, 80) };
        this.counts[kind]++;
        this.profileFaultActive = true;
        this.later(() => {
          net.profile = RELIABLE_PROFILE;
          this.profileFaultActive = false;
        });
        return;
      }
      case 'membership-change':
        if (this.port.changeMembership()) this.counts[kind]++;
        return;
      case 'lost-unsynced-write':
      case 'failpoint-crash':
        return;
    }
  }

  /** Called for every message a member sends: maybe crash it right there (before its write completes). */
  afterSend(member: SimMember, m: Message): void {
    if (this.stopped || m.reject || !FAILPOINT_TYPES.has(m.type) || !this.prng.chance(this.options.failpointRate)) return;
    this.port.queue.after(0, () => {
      if (this.stopped || !member.alive) return;
      if (member.crash().lostWrite) this.counts['lost-unsynced-write']++;
      this.counts['failpoint-crash']++;
      const quick = this.prng.chance(0.5);
      this.port.queue.after(quick ? this.prng.range(1, QUICK_RESTART_MAX_MS) : this.duration(), () => !this.stopped && this.port.restart(member));
    });
  }

  /** End every fault now: reconnect, restore the network, restart and resume every member. */
  healAll(): void {
    this.stopped = true;
    this.port.network.healLinks();
    this.port.network.profile = RELIABLE_PROFILE;
    for (const m of this.port.members()) {
      if (!m.alive) this.port.restart(m);
      else if (m.paused) m.resume();
    }
  }
}
