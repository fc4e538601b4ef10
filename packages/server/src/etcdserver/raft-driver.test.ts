import { decodeConfChange } from '../raft/confchange-codec';
import { MemoryStorage } from '../raft/memory-storage';
import { RawNode } from '../raft/raw-node';
import { EntryType, MessageType, StateType, type Entry, type HardState, type RawNodeApi, type Ready, type Snapshot } from '../raft/types';
import { RaftDriver, type RaftDriverHooks } from './raft-driver';

interface Harness {
  driver: RaftDriver;
  node: RawNode;
  applied: Entry[];
  durableIndex: () => number;
  violations: string[];
  saves: number;
  fatal: unknown[];
  leader: () => boolean;
  failApplyAt?: number;
}

const started: RaftDriver[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((d) => d.stop()));
});

function harness(saveDelayMs: number): Harness {
  const storage = new MemoryStorage();
  const node = RawNode.bootstrap(
    { id: 1n, electionTick: 10, heartbeatTick: 1, storage, maxSizePerMsg: 1 << 20, maxInflightMsgs: 256, randomInt: (n) => Math.floor(n / 2) },
    [{ id: 1n }],
  );
  let durable = 0;
  let lead = 0n;
  const h: Harness = {
    driver: undefined as unknown as RaftDriver,
    node,
    applied: [],
    durableIndex: () => durable,
    violations: [],
    saves: 0,
    fatal: [],
    leader: () => lead === 1n,
  };
  const hooks: RaftDriverHooks = {
    onSoftState: (ss) => {
      lead = ss.raftState === StateType.Leader ? ss.lead : 0n;
    },
    onHardState: () => undefined,
    onReadStates: () => undefined,
    apply: async (_snap: Snapshot | undefined, entries: readonly Entry[]) => {
      for (const e of entries) {
        if (e.index > durable) h.violations.push(`applied ${e.index} before it was durable (durable ${durable})`);
        if (h.failApplyAt !== undefined && e.index >= h.failApplyAt) throw new Error('apply exploded');
        if (e.type === EntryType.ConfChange) node.applyConfChange(decodeConfChange(e.data));
        h.applied.push(e);
      }
    },
    send: () => undefined,
    onFatal: (err) => h.fatal.push(err),
  };
  h.driver = new RaftDriver(
    {
      node,
      storage,
      hooks,
      tickIntervalMs: 5,
      persister: {
        saveSnapshot: async () => undefined,
        save: async (_hs: HardState | undefined, entries: readonly Entry[]) => {
          h.saves++;
          await new Promise((r) => setTimeout(r, saveDelayMs));
          const last = entries[entries.length - 1];
          if (last !== undefined) durable = last.index;
        },
      },
    },
    { applied: 0, committed: 0, persisted: 0 },
  );
  started.push(h.driver);
  return h;
}

const isProposal = (e: Entry): boolean => e.type === EntryType.Normal && e.data.length > 0;

async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('RaftDriver', () => {
  it('never applies an entry before it is durable, applies in order, and batches proposals per fsync', async () => {
    const h = harness(8);
    h.driver.start();
    await until(() => h.applied.length >= 1); // the bootstrap conf change
    h.node.campaign();
    h.driver.notify();
    await until(h.leader);
    await until(() => h.applied.some((e) => e.type === EntryType.Normal && e.data.length === 0)); // leader no-op
    const savesBefore = h.saves;
    const proposals = 300;
    for (let wave = 0; wave < 3; wave++) {
      for (let i = 0; i < proposals / 3; i++) h.node.propose(new TextEncoder().encode(`p${wave}-${i}`));
      h.driver.notify();
      await new Promise((r) => setTimeout(r, 3)); // next wave arrives while an fsync is in flight
    }
    await until(() => h.applied.filter(isProposal).length === proposals);
    await h.driver.stop();
    expect(h.violations).toEqual([]);
    expect(h.fatal).toEqual([]);
    const indexes = h.applied.map((e) => e.index);
    expect(indexes).toEqual(indexes.map((_, i) => i + 1));
    const payloads = h.applied.filter(isProposal).map((e) => new TextDecoder().decode(e.data));
    expect(payloads.slice(0, 3)).toEqual(['p0-0', 'p0-1', 'p0-2']);
    expect(h.saves - savesBefore).toBeLessThan(20);
    expect(h.driver.applied).toBe(h.applied.length);
    expect(h.driver.applied).toBeLessThanOrEqual(h.driver.committed);
  });

  it('a follower starts applying durable committed entries at once when the Ready has nothing to sync', async () => {
    const storage = new MemoryStorage();
    const node = RawNode.bootstrap(
      { id: 1n, electionTick: 10, heartbeatTick: 1, storage, maxSizePerMsg: 1 << 20, maxInflightMsgs: 256, randomInt: (n) => Math.floor(n / 2) },
      [{ id: 1n }, { id: 2n }, { id: 3n }],
    );
    const applied: number[] = [];
    let durable = 0;
    /** At each save with neither entries nor a sync: [last applied index, durable index]. */
    const commitOnly: [number, number][] = [];
    const driver = new RaftDriver(
      {
        node,
        storage,
        tickIntervalMs: 60_000, // no election: the test plays the leader
        hooks: {
          onSoftState: () => undefined,
          onHardState: () => undefined,
          onReadStates: () => undefined,
          apply: async (_snap, entries) => {
            for (const e of entries) {
              if (e.type === EntryType.ConfChange) node.applyConfChange(decodeConfChange(e.data));
              applied.push(e.index);
            }
          },
          send: () => undefined,
          onFatal: () => undefined,
        },
        persister: {
          saveSnapshot: async () => undefined,
          save: async (_hs, entries, mustSync) => {
            if (entries.length === 0 && !mustSync) commitOnly.push([applied[applied.length - 1] ?? 0, durable]);
            await new Promise((r) => setTimeout(r, 1));
            const last = entries[entries.length - 1];
            if (last !== undefined) durable = last.index;
          },
        },
      },
      { applied: 0, committed: 0, persisted: 0 },
    );
    started.push(driver);
    driver.start();
    await until(() => applied.length === 3); // the bootstrap conf changes
    const base = { to: 1n, from: 2n, term: 2, reject: false, rejectHint: 0, context: new Uint8Array(0) };
    for (let index = 4; index <= 8; index++) {
      const prevTerm = index === 4 ? 1 : 2;
      node.step({ ...base, type: MessageType.MsgApp, logTerm: prevTerm, index: index - 1, commit: index - 1, entries: [{ term: 2, index, type: EntryType.Normal, data: new Uint8Array([index]) }] });
      driver.notify();
      await until(() => durable === index);
      node.step({ ...base, type: MessageType.MsgApp, logTerm: 2, index, commit: index, entries: [] });
      driver.notify();
      await until(() => applied[applied.length - 1] === index);
    }
    // Each commit came in a Ready with only the commit to write: the apply of the entries it
    // commits (already durable) was running when that save began, not one event-loop turn later.
    expect(commitOnly.length).toBeGreaterThanOrEqual(5);
    for (const [lastApplied, lastDurable] of commitOnly) expect(lastApplied).toBe(lastDurable);
  });

  it('stops and reports fatal when apply throws', async () => {
    const h = harness(1);
    h.failApplyAt = 2;
    h.driver.start();
    h.node.campaign();
    h.driver.notify();
    await until(() => h.fatal.length > 0);
    expect(String(h.fatal[0])).toContain('apply exploded');
    await h.driver.stop();
    expect(h.applied.every((e) => e.index < 2)).toBe(true);
  });
});

describe('RaftDriver with a core that commits entries in the Ready that carries them', () => {
  it('applies such entries only after the WAL save of that Ready', async () => {
    const entry = (index: number): Entry => ({ term: 1, index, type: EntryType.Normal, data: new Uint8Array([index]) });
    const readies: Ready[] = [
      { hardState: { term: 1, vote: 1n, commit: 2 }, readStates: [], entries: [entry(1), entry(2)], committedEntries: [entry(1), entry(2)], messages: [], mustSync: true },
      { hardState: { term: 1, vote: 1n, commit: 3 }, readStates: [], entries: [entry(3)], committedEntries: [entry(3)], messages: [], mustSync: true },
    ];
    const advanced: number[] = [];
    const node = {
      hasReady: () => readies.length > 0,
      ready: () => readies.shift()!,
      advance: (rd: Ready) => advanced.push(rd.entries.length),
      tick: () => undefined,
    } as unknown as RawNodeApi;
    let durable = 0;
    const violations: string[] = [];
    const applied: number[] = [];
    const storage = new MemoryStorage();
    const driver = new RaftDriver(
      {
        node,
        storage,
        tickIntervalMs: 1000,
        hooks: {
          onSoftState: () => undefined,
          onHardState: () => undefined,
          onReadStates: () => undefined,
          apply: async (_s, entries) => {
            for (const e of entries) {
              if (e.index > durable) violations.push(`applied ${e.index} with durable ${durable}`);
              applied.push(e.index);
            }
          },
          send: () => undefined,
          onFatal: (err) => violations.push(String(err)),
        },
        persister: {
          saveSnapshot: async () => undefined,
          save: async (_hs, entries) => {
            await new Promise((r) => setTimeout(r, 5));
            durable = entries[entries.length - 1]?.index ?? durable;
          },
        },
      },
      { applied: 0, committed: 0, persisted: 0 },
    );
    started.push(driver);
    driver.start();
    await until(() => applied.length === 3);
    expect(violations).toEqual([]);
    expect(applied).toEqual([1, 2, 3]);
    expect(advanced).toEqual([2, 1]);
    expect(storage.lastIndex()).toBe(3);
  });
});
