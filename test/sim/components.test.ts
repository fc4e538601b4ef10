// The simulation's own parts: PRNG, virtual clock, the crash-losing disk, the network.

import { EntryType, MessageType, type Entry, type Message } from '../../packages/server/src/raft/types';
import { EventQueue } from './event-queue';
import { Prng, TraceHash } from './prng';
import { SimDisk } from './sim-disk';
import { SimNetwork } from './sim-network';

const entry = (index: number, term: number): Entry => ({ index, term, type: EntryType.Normal, data: new Uint8Array([index]) });
const msg = (from: bigint, to: bigint, type = MessageType.MsgHeartbeat): Message => ({
  type, from, to, term: 1, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0, context: new Uint8Array(0),
});

describe('Prng', () => {
  it('replays a seed exactly and differs across seeds', () => {
    const draw = (seed: number) => { const p = new Prng(seed); return Array.from({ length: 50 }, () => p.next()); };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('stays inside its bounds and covers them', () => {
    const p = new Prng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = p.int(7);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(7);
      seen.add(v);
      const r = p.range(3, 5);
      expect(r >= 3 && r <= 5).toBe(true);
    }
    expect(seen.size).toBe(7);
    expect(() => p.int(0)).toThrow();
  });

  it('trace hashes depend on content and order', () => {
    const h = (vals: number[][]) => { const t = new TraceHash(); for (const v of vals) t.add(v[0]!, v[1], v[2]); return t.hex(); };
    expect(h([[1, 2], [3]])).toBe(h([[1, 2], [3]]));
    expect(h([[1, 2], [3]])).not.toBe(h([[3], [1, 2]]));
  });
});

describe('EventQueue', () => {
  it('runs actions in time order, ties in insertion order, and refuses the past', () => {
    const q = new EventQueue();
    const out: string[] = [];
    q.at(5, () => out.push('b'));
    q.at(1, () => out.push('a'));
    q.at(5, () => { out.push('c'); q.after(0, () => out.push('e')); });
    q.at(5, () => out.push('d'));
    q.at(9, () => out.push('late'));
    q.runUntil(6);
    expect(out).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(q.now).toBe(6);
    expect(() => q.at(2, () => {})).toThrow();
    q.runUntil(10);
    expect(out.at(-1)).toBe('late');
  });
});

describe('SimDisk', () => {
  it('loses a staged write and unsynced writes on crash, keeps fsynced ones', () => {
    const d = new SimDisk({ voters: [1n], learners: [] });
    d.stage({ hardState: { term: 1, vote: 1n, commit: 0 }, entries: [entry(1, 1), entry(2, 1)] });
    d.complete(true);
    d.stage({ hardState: { term: 1, vote: 1n, commit: 2 }, entries: [entry(3, 1)] });
    d.complete(false); // written, not fsynced
    expect(d.lastIndex()).toBe(3);
    expect(d.durableLastIndex()).toBe(2);
    d.stage({ entries: [entry(4, 1)] }); // in flight
    expect(d.crash()).toBe(true);
    expect(d.lastIndex()).toBe(2);
    expect(d.initialState().hardState).toEqual({ term: 1, vote: 1n, commit: 0 });
    expect(d.crash()).toBe(false);
  });

  it('truncates a conflicting suffix and serves raft Storage reads', () => {
    const d = new SimDisk({ voters: [1n], learners: [] });
    d.stage({ entries: [entry(1, 1), entry(2, 1), entry(3, 1)] });
    d.complete(true);
    d.stage({ entries: [entry(2, 2)] });
    d.complete(true);
    expect(d.lastIndex()).toBe(2);
    expect(d.term(2)).toBe(2);
    expect(d.term(0)).toBe(0);
    expect(d.entries(1, 3, 1_000).map((e) => e.term)).toEqual([1, 2]);
    expect(d.entries(1, 3, 0)).toHaveLength(1); // at least one entry
    expect(() => d.term(5)).toThrow(/unavailable/);
    expect(() => { d.stage({ entries: [entry(9, 2)] }); d.complete(true); }).toThrow(/outside/);
  });
});

describe('SimNetwork', () => {
  it('delivers after a delay, cuts directed links, drops and duplicates per profile', () => {
    const q = new EventQueue();
    const got: string[] = [];
    const net = new SimNetwork(q, new Prng(3), (m) => got.push(`${m.from}>${m.to}`));
    net.cut(1n, 2n);
    net.send(msg(1n, 2n));
    net.send(msg(2n, 1n));
    q.runUntil(100);
    expect(got).toEqual(['2>1']);
    net.healLinks();
    net.partition([1n], [2n, 3n]);
    net.send(msg(3n, 1n));
    net.send(msg(2n, 3n));
    q.runUntil(200);
    expect(got).toEqual(['2>1', '2>3']);
    net.healLinks();
    net.profile = { dropRate: 0, duplicateRate: 1, delayMinMs: 1, delayMaxMs: 1 };
    net.send(msg(1n, 2n));
    net.send(msg(1n, 2n, MessageType.MsgProp)); // proposals are never duplicated
    q.runUntil(300);
    expect(got.slice(2)).toEqual(['1>2', '1>2', '1>2']);
    net.profile = { dropRate: 1, duplicateRate: 0, delayMinMs: 1, delayMaxMs: 1 };
    net.send(msg(1n, 2n));
    q.runUntil(400);
    expect(got).toHaveLength(5);
    expect(net.stats.dropped).toBe(1);
  });

  it('loses a message in flight when its link is cut before delivery', () => {
    const q = new EventQueue();
    let delivered = 0;
    const net = new SimNetwork(q, new Prng(1), () => delivered++);
    net.profile = { dropRate: 0, duplicateRate: 0, delayMinMs: 10, delayMaxMs: 10 };
    net.send(msg(1n, 2n));
    q.runUntil(5);
    net.cut(1n, 2n);
    q.runUntil(20);
    expect(delivered).toBe(0);
  });
});
