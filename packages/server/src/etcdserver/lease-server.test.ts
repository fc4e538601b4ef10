import type { InternalRaftRequest } from '@tsetcd/api';
import pino from 'pino';
import { Lessor } from '../lease/lessor';
import { openTestStore, type TestStore } from '../mvcc/test-store';
import { LeaseFrontend, type LeaseMemberHooks } from './lease-server';
import type { RequestContext } from './server-api';

describe('LeaseFrontend', () => {
  let t: TestStore;
  let nowMs: number;
  let proposals: Partial<InternalRaftRequest>[];
  let lessor: Lessor;
  let frontend: LeaseFrontend;
  let leader: boolean;
  const stop = new AbortController();
  const ctx: RequestContext = { signal: new AbortController().signal };

  beforeEach(() => {
    t = openTestStore();
    nowMs = 0;
    proposals = [];
    leader = true;
    lessor = new Lessor(t.backend, t.store, { minTtlSeconds: 2, clock: () => nowMs, checkpointIntervalMs: 60_000 });
    const hooks: LeaseMemberHooks = {
      propose: (p) => {
        proposals.push(p);
        return Promise.resolve({ header: undefined });
      },
      header: (revision) => ({ clusterId: 1n, memberId: 2n, revision: revision ?? t.store.rev(), raftTerm: 3n }),
      isReadyLeader: () => leader,
      waitReady: () => Promise.resolve(),
      waitApplied: () => Promise.resolve(),
      nextId: () => 0x8000_0000_0000_0123n,
      stopSignal: stop.signal,
      peerUrls: () => undefined,
      peerFetch: () => Promise.reject(new Error('no peers in this test')),
    };
    frontend = new LeaseFrontend(lessor, hooks, pino({ level: 'silent' }));
  });
  afterEach(() => t.cleanup());

  const grantMany = (n: number, ttl: bigint): void =>
    t.backend.batchTx((tx) => {
      for (let i = 1; i <= n; i++) lessor.grant(tx, BigInt(i), ttl);
    });

  it('proposes revokes of expired leases, at most 1000/s (500 per 500 ms round)', () => {
    grantMany(600, 10n);
    lessor.promote(0);
    frontend.tick();
    expect(proposals).toHaveLength(0);
    nowMs = 10_000;
    frontend.tick();
    expect(proposals).toHaveLength(500);
    expect(proposals.every((p) => p.leaseRevoke !== undefined)).toBe(true);
    frontend.tick();
    expect(proposals).toHaveLength(600);
    expect(new Set(proposals.map((p) => p.leaseRevoke!.ID)).size).toBe(600);
  });

  it('does nothing when not primary', () => {
    grantMany(3, 10n);
    nowMs = 100_000;
    frontend.tick();
    expect(proposals).toHaveLength(0);
  });

  it('proposes batched checkpoints of leases that outlive the interval', () => {
    grantMany(3, 300n);
    lessor.promote(0);
    nowMs = 60_000;
    frontend.tick();
    expect(proposals).toHaveLength(1);
    const cps = [...proposals[0]!.leaseCheckpoint!.checkpoints].sort((a, b) => Number(a.ID - b.ID));
    expect(cps).toEqual([1n, 2n, 3n].map((ID) => ({ ID, remainingTTL: 240n })));
  });

  it('server-chosen grant ids are positive; keep-alive answers TTL 0 for unknown leases; time-to-live -1', async () => {
    await frontend.leaseGrant({ ID: 0n, TTL: 5n }, ctx);
    expect(proposals[0]!.leaseGrant!.ID).toBe(0x123n);
    grantMany(1, 30n);
    lessor.promote(0);
    expect((await frontend.leaseKeepAlive(1n, ctx)).TTL).toBe(30n);
    expect((await frontend.leaseKeepAlive(7n, ctx)).TTL).toBe(0n);
    expect((await frontend.leaseTimeToLive({ ID: 7n, keys: true }, ctx)).TTL).toBe(-1n);
    leader = false;
    await expect(frontend.leaseKeepAlive(1n, ctx)).rejects.toThrow('etcdserver: not leader');
  });
});
