import { Request } from '@tsetcd/api';
import { V2Error } from '../v2store';
import { V2Server, type V2ApplyResult } from './v2-server';

// Two "members" sharing one log: propose appends, then every member applies in order.
function cluster(nowMs: () => number) {
  const log: Request[] = [];
  const members: V2Server[] = [];
  const propose = (r: Request): Promise<V2ApplyResult> => {
    log.push(r);
    let mine: V2ApplyResult | undefined;
    for (const m of members) {
      const res = m.apply(r);
      if (m === members[0]) mine = res;
    }
    return Promise.resolve(mine as V2ApplyResult);
  };
  const deps = { propose, clusterIdHex: () => 'abc', raftIndex: () => log.length, raftTerm: () => 1, now: nowMs };
  members.push(new V2Server(deps), new V2Server(deps));
  return { log, members: members as [V2Server, V2Server] };
}

describe('V2Server', () => {
  it('writes go through the log and reach every member; plain GET reads locally', async () => {
    const { log, members } = cluster(() => Date.UTC(2026, 0, 1));
    const e = await members[0].doV2(Request.fromPartial({ Method: 'PUT', Path: '/1/k', Val: 'v' }));
    expect(e.node).toMatchObject({ key: '/1/k', value: 'v', modifiedIndex: 1 });
    expect(log).toHaveLength(1);
    expect(members[1].store.get('/1/k', false, false).node.value).toBe('v');
    await members[1].doV2(Request.fromPartial({ Method: 'GET', Path: '/1/k' }));
    expect(log).toHaveLength(1);
    await expect(members[0].doV2(Request.fromPartial({ Method: 'PUT', Path: '/1/k', Val: 'x', PrevExist: false }))).rejects.toBeInstanceOf(V2Error);
    expect(members[1].store.currentIndex).toBe(1);
  });

  it('only the leader proposes SYNC, only with TTL keys, and expiry happens once on every member', async () => {
    let now = Date.UTC(2026, 0, 1);
    const { log, members } = cluster(() => now);
    expect(await members[0].syncOnce(true)).toBe(false);
    await members[0].doV2(Request.fromPartial({ Method: 'PUT', Path: '/1/t', Val: 'v', Expiration: BigInt(now + 1000) * 1_000_000n }));
    expect(await members[1].syncOnce(false)).toBe(false);
    now += 1000;
    expect(await members[0].syncOnce(true)).toBe(true);
    expect(log.map((r) => r.Method)).toEqual(['PUT', 'SYNC']);
    for (const m of members) {
      expect(m.store.currentIndex).toBe(2);
      expect(m.store.hasTtlKeys()).toBe(false);
    }
  });
});
