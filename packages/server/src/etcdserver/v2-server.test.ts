import { Request } from '@tsetcd/api';
import { ConfChangeType } from '../raft/types';
import { encodeMemberJson } from './membership';
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
  const deps = {
    propose,
    clusterIdHex: () => 'abc',
    raftIndex: () => log.length,
    raftTerm: () => 1,
    selfStatsJson: () => '{}',
    leaderStatsJson: () => undefined,
    leaderId: () => 0n,
    isMemberRemoved: () => false,
    now: nowMs,
  };
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

  it('mirrors conf changes into /0/members like etcd 3.4, one index each, decided by the store alone', () => {
    const { members } = cluster(() => 0);
    const v2 = members[0];
    const ctx = (id: bigint, urls: string[], learner = false): Uint8Array =>
      encodeMemberJson({ id, name: '', peerUrls: urls, clientUrls: [], isLearner: learner });
    v2.applyConfChange({ id: 0n, type: ConfChangeType.AddNode, nodeId: 0x10n, context: ctx(0x10n, ['http://a']) });
    v2.applyConfChange({ id: 0n, type: ConfChangeType.AddLearnerNode, nodeId: 0x11n, context: ctx(0x11n, ['http://b'], true) });
    expect(v2.store.get('/0/members/10/raftAttributes', false, false).node.value).toBe('{"peerURLs":["http://a"]}');
    expect(v2.store.get('/0/members/11/raftAttributes', false, false).node.value).toBe('{"peerURLs":["http://b"],"isLearner":true}');
    // Promotion (AddNode for a present learner) and update rewrite the attributes.
    v2.applyConfChange({ id: 0n, type: ConfChangeType.AddNode, nodeId: 0x11n, context: ctx(0x11n, ['http://b']) });
    v2.applyConfChange({ id: 0n, type: ConfChangeType.UpdateNode, nodeId: 0x10n, context: ctx(0x10n, ['http://c']) });
    expect(v2.store.get('/0/members/11/raftAttributes', false, false).node.value).toBe('{"peerURLs":["http://b"]}');
    expect(v2.store.get('/0/members/10/raftAttributes', false, false).node.value).toBe('{"peerURLs":["http://c"]}');
    // Removal deletes the member and records it; re-adding a removed id writes nothing.
    v2.applyConfChange({ id: 0n, type: ConfChangeType.RemoveNode, nodeId: 0x11n, context: new Uint8Array() });
    expect(v2.store.exists('/0/members/11')).toBe(false);
    expect(v2.store.exists('/0/removed_members/11')).toBe(true);
    const before = v2.store.get('/0', false, false).etcdIndex;
    v2.applyConfChange({ id: 0n, type: ConfChangeType.AddNode, nodeId: 0x11n, context: ctx(0x11n, ['http://d']) });
    v2.applyConfChange({ id: 0n, type: ConfChangeType.RemoveNode, nodeId: 0x99n, context: new Uint8Array() });
    expect(v2.store.get('/0', false, false).etcdIndex).toBe(before);
    // add, add, promote, update, remove (delete + removed_members): six indexes.
    expect(before).toBe(6);
  });

  it('the first ready leader proposes /0/version once', async () => {
    const { log, members } = cluster(() => 0);
    members[0].maybeSetClusterVersion(false, () => undefined);
    expect(log).toHaveLength(0);
    members[0].maybeSetClusterVersion(true, () => undefined);
    members[0].maybeSetClusterVersion(true, () => undefined);
    await Promise.resolve();
    expect(log.map((r) => [r.Method, r.Path, r.Val])).toEqual([['PUT', '/0/version', '3.4.0']]);
    members[1].maybeSetClusterVersion(true, () => undefined);
    expect(log).toHaveLength(1); // the store already has it
  });
});
