// The simulated network between members: every message gets a random delay (so messages
// reorder), and may be dropped or duplicated per the current profile; directed links can be cut
// (a symmetric partition cuts both directions, an asymmetric one only one).

import type { EventQueue } from './event-queue';
import type { Prng } from './prng';
import { MessageType, type Message, type NodeId } from '../../packages/server/src/raft/types';

export interface NetworkProfile {
  readonly dropRate: number;
  readonly duplicateRate: number;
  readonly delayMinMs: number;
  readonly delayMaxMs: number;
}

export const RELIABLE_PROFILE: NetworkProfile = { dropRate: 0, duplicateRate: 0, delayMinMs: 1, delayMaxMs: 5 };

export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  cut: number;
}

export class SimNetwork {
  profile: NetworkProfile = RELIABLE_PROFILE;
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, cut: 0 };
  private readonly cutLinks = new Set<string>();

  constructor(
    private readonly queue: EventQueue,
    private readonly prng: Prng,
    private readonly deliver: (m: Message) => void,
    /** Told about every message lost (dropped or cut), e.g. to report a failed snapshot. */
    private readonly onLost: (m: Message) => void = () => {},
  ) {}

  send(m: Message): void {
    this.stats.sent++;
    if (this.isCut(m.from, m.to)) {
      this.stats.cut++;
      this.onLost(m);
      return;
    }
    if (this.prng.chance(this.profile.dropRate)) {
      this.stats.dropped++;
      this.onLost(m);
      return;
    }
    this.schedule(m);
    // Proposals are never duplicated: etcd's peer streams are TCP, and a duplicated MsgProp
    // would be a second proposal rather than a network fault raft must tolerate.
    if (m.type !== MessageType.MsgProp && this.prng.chance(this.profile.duplicateRate)) {
      this.stats.duplicated++;
      this.schedule(m);
    }
  }

  private schedule(m: Message): void {
    const delay = this.prng.range(this.profile.delayMinMs, this.profile.delayMaxMs);
    this.queue.after(delay, () => {
      // A link cut while the message was in flight loses it too.
      if (this.isCut(m.from, m.to)) {
        this.stats.cut++;
        this.onLost(m);
        return;
      }
      this.stats.delivered++;
      this.deliver(m);
    });
  }

  isCut(from: NodeId, to: NodeId): boolean {
    return this.cutLinks.size > 0 && this.cutLinks.has(`${from}>${to}`);
  }

  cut(from: NodeId, to: NodeId): void {
    this.cutLinks.add(`${from}>${to}`);
  }

  /** Symmetric partition: no traffic between the groups, both ways. */
  partition(a: readonly NodeId[], b: readonly NodeId[]): void {
    for (const x of a) {
      for (const y of b) {
        this.cut(x, y);
        this.cut(y, x);
      }
    }
  }

  healLinks(): void {
    this.cutLinks.clear();
  }

  cutCount(): number {
    return this.cutLinks.size;
  }
}
