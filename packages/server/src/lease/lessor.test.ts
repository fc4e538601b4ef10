import { ErrLeaseExist, ErrLeaseNotFound, ErrLeaseTTLTooLarge } from '@tsetcd/api';
import fc from 'fast-check';
import { openTestStore, type TestStore } from '../mvcc/test-store';
import { EventType, type Event } from '../mvcc/types';
import { decodeLeaseRecord, encodeLeaseRecord, leaseKey } from './lease-codec';
import { LeaseHeap } from './lease-heap';
import { ErrNotPrimary, EXPIRED_LEASE_RETRY_INTERVAL_MS, Lessor, MAX_LEASE_TTL_SECONDS } from './lessor';

const b = (s: string): Buffer => Buffer.from(s);

class FakeClock {
  nowMs = 1_000;
  readonly now = (): number => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

describe('LeaseHeap', () => {
  it('pops in expiry order for any push order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { maxLength: 200 }), (expiries) => {
        const h = new LeaseHeap();
        expiries.forEach((e, i) => h.push({ id: BigInt(i), expiryMs: e }));
        const out: number[] = [];
        for (let it = h.pop(); it !== undefined; it = h.pop()) out.push(it.expiryMs);
        expect(out).toEqual([...expiries].sort((x, y) => x - y));
      }),
    );
  });
});

describe('lease record codec', () => {
  it('round-trips and uses the 8-byte big-endian id key', () => {
    const r = { id: 0x694da1ffc9e07301n, ttlSeconds: 60n, remainingTtlSeconds: 17n };
    expect(decodeLeaseRecord(encodeLeaseRecord(r))).toEqual(r);
    expect(Buffer.from(leaseKey(0x0102n)).toString('hex')).toBe('0000000000000102');
    // leasepb.Lease{ID: 1, TTL: 5} as gogo/protobuf marshals it
    expect(Buffer.from(encodeLeaseRecord({ id: 1n, ttlSeconds: 5n, remainingTtlSeconds: 0n })).toString('hex')).toBe('08011005');
  });
});

describe('Lessor', () => {
  let t: TestStore;
  let clock: FakeClock;
  let events: Event[][];
  let lessor: Lessor;

  const open = (checkpointIntervalMs = 0): Lessor => new Lessor(t.backend, t.store, { minTtlSeconds: 2, clock: clock.now, checkpointIntervalMs });
  const grant = (id: bigint, ttl: bigint): bigint => t.backend.batchTx((tx) => lessor.grant(tx, id, ttl));
  const revoke = (id: bigint): void => t.backend.batchTx((tx) => lessor.revoke(tx, id));

  beforeEach(() => {
    events = [];
    t = openTestStore({ onEvents: (evs) => events.push(evs) });
    clock = new FakeClock();
    lessor = open();
  });
  afterEach(() => t.cleanup());

  it('raises a TTL below the minimum and rejects duplicates, the zero id and too large TTLs', () => {
    expect(grant(1n, 1n)).toBe(2n);
    expect(grant(2n, 30n)).toBe(30n);
    expect(() => grant(1n, 10n)).toThrow(ErrLeaseExist);
    expect(() => grant(0n, 10n)).toThrow(ErrLeaseNotFound);
    expect(() => grant(3n, MAX_LEASE_TTL_SECONDS + 1n)).toThrow(ErrLeaseTTLTooLarge);
    expect(lessor.ids()).toEqual([1n, 2n]);
  });

  it('expires only when primary, in deadline order, on the injected clock', () => {
    grant(1n, 10n);
    grant(2n, 5n);
    grant(3n, 7n);
    clock.advance(60_000);
    expect(lessor.expiredLeases(10)).toEqual([]); // not primary: leases live forever
    lessor.promote(1_000);
    clock.advance(5_999);
    expect(lessor.expiredLeases(10)).toEqual([]);
    clock.advance(1);
    expect(lessor.expiredLeases(10)).toEqual([2n]);
    clock.advance(5_000);
    // lease 2 is due again (not revoked within the retry interval): oldest due first, limit holds
    expect(lessor.expiredLeases(1)).toEqual([3n]);
    expect(lessor.expiredLeases(10)).toEqual([2n, 1n]);
    // reported again only after the retry interval when nobody revoked them
    expect(lessor.expiredLeases(10)).toEqual([]);
    clock.advance(EXPIRED_LEASE_RETRY_INTERVAL_MS);
    expect(lessor.expiredLeases(10).sort()).toEqual([1n, 2n, 3n]);
  });

  it('renew restarts the full TTL on the primary and refuses elsewhere', () => {
    grant(1n, 5n);
    expect(() => lessor.renew(1n)).toThrow(ErrNotPrimary);
    lessor.promote(0);
    clock.advance(4_000);
    expect(lessor.renew(1n).ttlSeconds).toBe(5n);
    clock.advance(4_000);
    expect(lessor.expiredLeases(10)).toEqual([]);
    expect(lessor.lookup(1n)?.remainingSeconds).toBe(1n);
    clock.advance(1_000);
    expect(lessor.expiredLeases(10)).toEqual([1n]);
    expect(() => lessor.renew(1n)).toThrow(ErrLeaseNotFound); // expired, revoke pending
    expect(() => lessor.renew(9n)).toThrow(ErrLeaseNotFound);
  });

  it('demote stops expiry; promote grants an extension on top of the TTL', () => {
    grant(1n, 5n);
    lessor.promote(0);
    clock.advance(4_000);
    lessor.demote();
    clock.advance(100_000);
    expect(lessor.expiredLeases(10)).toEqual([]);
    lessor.promote(2_000);
    clock.advance(6_999);
    expect(lessor.expiredLeases(10)).toEqual([]);
    clock.advance(1);
    expect(lessor.expiredLeases(10)).toEqual([1n]);
  });

  it('revoke deletes every attached key in ONE revision with DELETE events', () => {
    grant(1n, 60n);
    t.store.put(b('a'), b('1'), 1n);
    t.store.put(b('b'), b('2'), 1n);
    t.store.put(b('c'), b('3'), 1n);
    t.store.put(b('d'), b('4'));
    t.store.put(b('b'), b('5')); // b leaves the lease
    expect(lessor.lookup(1n)?.keys.map(String)).toEqual(['a', 'c']);
    const before = t.store.rev();
    events = [];
    revoke(1n);
    expect(t.store.rev()).toBe(before + 1n);
    expect(events).toHaveLength(1);
    expect(events[0]!.map((e) => [e.type, e.kv!.key.toString(), e.kv!.modRevision])).toEqual([
      [EventType.DELETE, 'a', before + 1n],
      [EventType.DELETE, 'c', before + 1n],
    ]);
    expect(lessor.has(1n)).toBe(false);
    expect(() => revoke(1n)).toThrow(ErrLeaseNotFound);
    expect(t.backend.get('lease', leaseKey(1n))).toBeUndefined();
  });

  it('a revoke of a lease without keys writes no revision', () => {
    grant(1n, 60n);
    const before = t.store.rev();
    revoke(1n);
    expect(t.store.rev()).toBe(before);
  });

  it('restores leases, checkpointed remainders and attached keys from the backend', async () => {
    grant(1n, 100n);
    grant(2n, 50n);
    t.store.put(b('x'), b('1'), 1n);
    t.backend.batchTx((tx) => lessor.checkpoint(tx, [{ id: 1n, remainingTtlSeconds: 30n }]));
    await t.reopen();
    lessor = open();
    expect(lessor.ids()).toEqual([1n, 2n]);
    expect(lessor.lookup(1n)?.keys.map(String)).toEqual(['x']);
    lessor.promote(0);
    expect(lessor.lookup(1n)?.remainingSeconds).toBe(30n);
    expect(lessor.lookup(2n)?.remainingSeconds).toBe(50n);
    clock.advance(30_000);
    expect(lessor.expiredLeases(10)).toEqual([1n]);
  });

  it('schedules checkpoints for leases that outlive the interval, and renew asks to clear them', () => {
    lessor = open(10_000);
    grant(1n, 60n);
    grant(2n, 5n); // shorter than the interval: never checkpointed
    lessor.promote(0);
    clock.advance(9_999);
    expect(lessor.dueCheckpoints(10)).toEqual([]);
    clock.advance(1);
    expect(lessor.dueCheckpoints(10)).toEqual([{ id: 1n, remainingTtlSeconds: 50n }]);
    t.backend.batchTx((tx) => lessor.checkpoint(tx, [{ id: 1n, remainingTtlSeconds: 50n }]));
    expect(decodeLeaseRecord(t.backend.get('lease', leaseKey(1n))!).remainingTtlSeconds).toBe(50n);
    clock.advance(10_000);
    expect(lessor.dueCheckpoints(10)).toEqual([{ id: 1n, remainingTtlSeconds: 40n }]);
    t.backend.batchTx((tx) => lessor.checkpoint(tx, [{ id: 1n, remainingTtlSeconds: 40n }]));
    expect(lessor.renew(1n)).toEqual({ ttlSeconds: 60n, clearRemaining: true });
    expect(lessor.renew(1n)).toEqual({ ttlSeconds: 60n, clearRemaining: false });
  });

  it('a checkpointed remainder survives a leader change (demote, then promote elsewhere)', () => {
    grant(1n, 100n);
    lessor.promote(0);
    clock.advance(70_000);
    t.backend.batchTx((tx) => lessor.checkpoint(tx, lessor.allCheckpoints()));
    lessor.demote();
    lessor.promote(1_000);
    expect(lessor.lookup(1n)?.remainingSeconds).toBe(31n);
  });
});
