// Simulated clients: each runs one operation at a time (get / put / cas on a few keys) against a
// member of its choosing, with network delay both ways and a timeout, and records the history.
// Outcomes: a reply -> ok; a dropped proposal -> fail (certainly not applied); a timed-out write
// -> info (may or may not have taken effect); a timed-out read -> fail (a read has no effect).

import { HistoryRecorder } from './linearizability/history';
import type { KvInput, KvOutput } from './linearizability/models/kv';
import { encodeCommand, type KvCommand, type KvResult } from './kv-state-machine';
import type { EventQueue } from './event-queue';
import type { Prng, TraceFn } from './prng';
import type { SimMember } from './sim-member';

export interface ClientOptions {
  readonly count: number;
  readonly keys: readonly string[];
  readonly opTimeoutMs: number;
  readonly delayMinMs: number;
  readonly delayMaxMs: number;
  readonly thinkMaxMs: number;
  /** Reads go through the log as commands instead of ReadIndex. */
  readonly readsThroughLog: boolean;
  /** The first this many clients talk to one member only (an etcd client given a single endpoint). */
  readonly pinnedClients: number;
}

export interface ClientPort {
  readonly queue: EventQueue;
  members(): readonly SimMember[];
  nextCommandId(): number;
  readonly trace: TraceFn;
}

interface ClientState {
  readonly id: number;
  /** Index into the members list at start, for a pinned client. */
  readonly pinnedTo: number | undefined;
  preferred: SimMember | undefined;
  lastSeen: Map<string, string | null>;
  attempt: number;
  seq: number;
}

export class SimClients {
  readonly history = new HistoryRecorder<KvInput, KvOutput>({ kind: 'unknown' });
  private stopAtMs = 0;
  private readonly clients: ClientState[] = [];

  constructor(
    private readonly port: ClientPort,
    private readonly prng: Prng,
    private readonly options: ClientOptions,
  ) {
    for (let i = 0; i < options.count; i++) {
      const pinnedTo = i < options.pinnedClients ? prng.int(port.members().length) : undefined;
      this.clients.push({ id: i, pinnedTo, preferred: undefined, lastSeen: new Map(), attempt: 0, seq: 0 });
    }
  }

  /** Clients issue operations until `stopAtMs`; operations already running still finish. */
  run(stopAtMs: number): void {
    this.stopAtMs = stopAtMs;
    for (const c of this.clients) this.port.queue.after(this.prng.range(0, this.options.thinkMaxMs), () => this.next(c));
  }

  /**
   * Liveness round: every client puts one value, retrying (after a pause) whatever fails or times
   * out. Returns a function telling how many clients have not succeeded yet.
   */
  putUntilOk(retryPauseMs: number): () => number {
    let remaining = this.clients.length;
    for (const c of this.clients) {
      const attempt = () => {
        const input: KvInput = { kind: 'put', key: this.prng.pick(this.options.keys), value: `c${c.id}-${c.seq++}` };
        // The liveness round is about the cluster, not about a pinned member that may have left it.
        this.issue(c, this.pickMember(c, false), input, (ok) => {
          if (ok) remaining--;
          else this.port.queue.after(retryPauseMs, attempt);
        });
      };
      attempt();
    }
    return () => remaining;
  }

  /** No operation is running. */
  idle(): boolean {
    return this.clients.every((c) => !this.history.isOpen(c.id));
  }

  private next(c: ClientState): void {
    if (this.port.queue.now >= this.stopAtMs) return;
    const key = this.prng.pick(this.options.keys);
    const roll = this.prng.int(10);
    let input: KvInput;
    if (roll < 4) input = { kind: 'get', key };
    else if (roll < 8) input = { kind: 'put', key, value: `c${c.id}-${c.seq++}` };
    else input = { kind: 'cas', key, from: c.lastSeen.get(key) ?? null, to: `c${c.id}-${c.seq++}` };
    // Reads may go to any member (etcd clients balance them); writes stick to the last member that worked.
    const member = c.pinnedTo === undefined && input.kind === 'get' ? this.prng.pick(this.port.members()) : this.pickMember(c);
    this.issue(c, member, input, (ok) => {
      // Back off after a failure (no leader yet, most likely) instead of hammering the cluster.
      const pauseMs = ok ? this.prng.range(0, this.options.thinkMaxMs) : this.prng.range(10, 10 + 2 * this.options.thinkMaxMs);
      this.port.queue.after(pauseMs, () => this.next(c));
    });
  }

  private pickMember(c: ClientState, honourPin = true): SimMember {
    const members = this.port.members();
    if (honourPin && c.pinnedTo !== undefined) {
      const pinned = members[c.pinnedTo];
      if (pinned) return pinned;
    }
    if (c.preferred && members.includes(c.preferred) && this.prng.chance(0.7)) return c.preferred;
    return this.prng.pick(members);
  }

  private issue(c: ClientState, member: SimMember, input: KvInput, after: (ok: boolean) => void): void {
    const q = this.port.queue;
    const attempt = ++c.attempt;
    const open = () => c.attempt === attempt && this.history.isOpen(c.id);
    this.history.invoke(c.id, input, q.now);
    this.port.trace(10, c.id, Number(member.id), input.kind.length);
    const finish = (output: KvOutput | undefined) => {
      if (!open()) return;
      if (output === undefined) this.history.fail(c.id, q.now);
      else {
        this.history.ok(c.id, output, q.now);
        c.preferred = member;
        if (output.kind === 'get') c.lastSeen.set(input.key, output.value);
        if (input.kind === 'put') c.lastSeen.set(input.key, input.value);
        if (input.kind === 'cas' && output.kind === 'cas' && output.succeeded) c.lastSeen.set(input.key, input.to);
      }
      this.port.trace(11, c.id, output === undefined ? 0 : 1);
      after(output !== undefined);
    };
    const reply = (output: KvOutput | undefined) => q.after(this.delay(), () => finish(output));
    q.after(this.options.opTimeoutMs, () => {
      if (!open()) return;
      if (input.kind === 'get') this.history.fail(c.id, q.now);
      else this.history.info(c.id, q.now);
      this.port.trace(12, c.id);
      c.preferred = undefined;
      after(false);
    });
    q.after(this.delay(), () => this.send(member, input, reply));
  }

  private send(member: SimMember, input: KvInput, reply: (o: KvOutput | undefined) => void): void {
    if (input.kind === 'get' && !this.options.readsThroughLog) {
      const ctx = `r${this.port.nextCommandId()}`;
      member.read(ctx, input.key, (value) => reply({ kind: 'get', value }));
      return;
    }
    const id = this.port.nextCommandId();
    const cmd: KvCommand =
      input.kind === 'get'
        ? { id, kind: 'get', key: input.key }
        : input.kind === 'put'
          ? { id, kind: 'put', key: input.key, value: input.value }
          : { id, kind: 'cas', key: input.key, from: input.from, to: input.to };
    member.propose(id, encodeCommand(cmd), (r: KvResult | undefined) => reply(r));
  }

  private delay(): number {
    return this.prng.range(this.options.delayMinMs, this.options.delayMaxMs);
  }
}
