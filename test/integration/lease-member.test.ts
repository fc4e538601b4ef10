// Leases, elections and locks on an in-process member: the full proposal/apply path, expiry by
// the leader's lease loop, restart recovery, and the v3election / v3lock handlers.

import * as fs from 'node:fs';
import { ErrLeaseNotFound, RangeRequest } from '@tsetcd/api';
import { campaign, leader, resign } from '../../packages/server/src/api/grpc/election';
import { lock, unlock } from '../../packages/server/src/api/grpc/lock';
import type { EtcdServer } from '../../packages/server/src/etcdserver/etcd-server';
import { b, ctx, prefixEnd, putReq, rangeReq, startMember, tempDir } from './member-helpers';

jest.setTimeout(60_000);

const keysUnder = async (s: EtcdServer, prefix: string): Promise<number> =>
  (await s.range(RangeRequest.fromPartial({ key: b(prefix), rangeEnd: prefixEnd(prefix), countOnly: true }), ctx())).count === 0n ? 0 : 1;

describe('member: leases', () => {
  const dirs: string[] = [];
  let s: EtcdServer;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('lease');
    dirs.push(dir);
    s = await startMember(dir);
  });
  afterAll(async () => {
    await s.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('grants (server id positive, minimum TTL), attaches keys and revokes them in one revision', async () => {
    const g = await s.leaseGrant({ ID: 0n, TTL: 1n }, ctx());
    expect(g.ID > 0n).toBe(true);
    expect(g.TTL).toBe(2n); // ceil(1.5 x 1 s election timeout)
    const lease = (await s.leaseGrant({ ID: 77n, TTL: 60n }, ctx())).ID;
    await s.put(putReq('l/a', '1', { lease }), ctx());
    await s.put(putReq('l/b', '2', { lease }), ctx());
    await s.put(putReq('l/c', '3'), ctx());
    const ttl = await s.leaseTimeToLive({ ID: lease, keys: true }, ctx());
    expect(ttl.grantedTTL).toBe(60n);
    expect(ttl.keys.map(String)).toEqual(['l/a', 'l/b']);
    const before = (await s.range(rangeReq('l/c'), ctx())).header!.revision;
    const rv = await s.leaseRevoke({ ID: lease }, ctx());
    expect(rv.header!.revision).toBe(before + 1n); // both keys deleted in ONE revision
    const left = await s.range(RangeRequest.fromPartial({ key: b('l/'), rangeEnd: prefixEnd('l/') }), ctx());
    expect(left.kvs.map((kv) => kv.key.toString())).toEqual(['l/c']);
    await expect(s.leaseRevoke({ ID: lease }, ctx())).rejects.toThrow('etcdserver: requested lease not found');
    await expect(s.put(putReq('l/d', '4', { lease }), ctx())).rejects.toBeInstanceOf(ErrLeaseNotFound);
    expect((await s.leaseTimeToLive({ ID: lease, keys: false }, ctx())).TTL).toBe(-1n);
    expect((await s.leaseKeepAlive(lease, ctx())).TTL).toBe(0n);
    await expect(s.leaseGrant({ ID: g.ID, TTL: 5n }, ctx())).rejects.toThrow('etcdserver: lease already exists');
    expect((await s.leaseLeases(ctx())).leases.map((l) => l.ID)).toEqual([g.ID]);
  });

  it('a 5 s lease whose keep-alives stop takes its key no sooner than 5 s and no later than 5 s + 2 election timeouts', async () => {
    const lease = (await s.leaseGrant({ ID: 0n, TTL: 5n }, ctx())).ID;
    await s.put(putReq('exp/k', 'v', { lease }), ctx());
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await s.leaseKeepAlive(lease, ctx())).TTL).toBe(5n);
    const lastKeepAlive = performance.now();
    let goneAt = 0;
    while (goneAt === 0) {
      await new Promise((r) => setTimeout(r, 50));
      if ((await keysUnder(s, 'exp/')) === 0) goneAt = performance.now();
    }
    const elapsed = goneAt - lastKeepAlive;
    expect(elapsed).toBeGreaterThanOrEqual(5_000);
    expect(elapsed).toBeLessThanOrEqual(5_000 + 2 * 1_000);
    expect((await s.leaseTimeToLive({ ID: lease, keys: false }, ctx())).TTL).toBe(-1n);
  });

  it('leases and their keys survive a restart; a revoke after it still deletes the keys', async () => {
    const lease = (await s.leaseGrant({ ID: 0n, TTL: 120n }, ctx())).ID;
    await s.put(putReq('rs/a', '1', { lease }), ctx());
    await s.close();
    s = await startMember(dir);
    const ttl = await s.leaseTimeToLive({ ID: lease, keys: true }, ctx());
    expect(ttl.grantedTTL).toBe(120n);
    expect(ttl.TTL > 100n && ttl.TTL <= 121n).toBe(true); // full TTL plus the promote extension
    expect(ttl.keys.map(String)).toEqual(['rs/a']);
    await s.leaseRevoke({ ID: lease }, ctx());
    expect((await s.range(rangeReq('rs/a'), ctx())).kvs).toHaveLength(0);
  });
});

describe('member: election and lock handlers', () => {
  let s: EtcdServer;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('elect');
    s = await startMember(dir);
  });
  afterAll(async () => {
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('of 3 campaigners exactly one leads; the next leads after it resigns; a cancelled campaign withdraws', async () => {
    const leases = await Promise.all([1, 2, 3].map(() => s.leaseGrant({ ID: 0n, TTL: 60n }, ctx())));
    const won: number[] = [];
    const aborts = leases.map(() => new AbortController());
    const campaigns = leases.map((l, i) =>
      campaign(s, { name: b('e1'), lease: l.ID, value: b(`v${i}`) }, ctx(aborts[i]!.signal)).then((r) => {
        won.push(i);
        return r;
      }),
    );
    const first = await campaigns[0]!;
    await new Promise((r) => setTimeout(r, 300));
    expect(won).toEqual([0]);
    expect((await leader(s, { name: b('e1') }, ctx())).kv!.value.toString()).toBe('v0');
    aborts[2]!.abort();
    await expect(campaigns[2]).rejects.toThrow();
    await resign(s, { leader: first.leader }, ctx());
    const second = await campaigns[1]!;
    expect(second.leader!.key.toString()).toBe(`e1/${leases[1]!.ID.toString(16)}`);
    expect((await leader(s, { name: b('e1') }, ctx())).kv!.value.toString()).toBe('v1');
    // the cancelled candidate's key is gone: only the leader remains
    const keys = await s.range(RangeRequest.fromPartial({ key: b('e1/'), rangeEnd: prefixEnd('e1/') }), ctx());
    expect(keys.kvs).toHaveLength(1);
  });

  it('N lockers incrementing a counter lose no update', async () => {
    const N = 5;
    const ROUNDS = 3;
    await s.put(putReq('counter', '0'), ctx());
    await Promise.all(
      Array.from({ length: N }, async () => {
        const lease = (await s.leaseGrant({ ID: 0n, TTL: 60n }, ctx())).ID;
        for (let r = 0; r < ROUNDS; r++) {
          const { key } = await lock(s, { name: b('mtx'), lease }, ctx());
          const v = Number((await s.range(rangeReq('counter'), ctx())).kvs[0]!.value.toString());
          await new Promise((res) => setTimeout(res, 5));
          await s.put(putReq('counter', String(v + 1)), ctx());
          await unlock(s, { key }, ctx());
        }
      }),
    );
    expect((await s.range(rangeReq('counter'), ctx())).kvs[0]!.value.toString()).toBe(String(N * ROUNDS));
  });
});
