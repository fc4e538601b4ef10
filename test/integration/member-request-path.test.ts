// One in-process member in a temp dir: the request path (propose -> WAL -> apply -> respond),
// headers, linearizable and serializable reads, validation errors, maintenance, members.

import * as fs from 'node:fs';
import {
  AlarmRequest_AlarmAction,
  AlarmType,
  Compare_CompareResult,
  Compare_CompareTarget,
  ErrCompacted,
  ErrDuplicateKey,
  ErrEmptyKey,
  ErrFutureRev,
  ErrNoSpace,
  ErrRequestTooLarge,
  ErrStopped,
  ErrTooManyOps,
  type Compare,
} from '@tsetcd/api';
import { computeClusterId, computeMemberId } from '../../packages/server/src/etcdserver';
import type { EtcdServer } from '../../packages/server/src/etcdserver/etcd-server';
import {
  b,
  compactReq,
  ctx,
  deleteReq,
  opPut,
  opRange,
  prefixEnd,
  putReq,
  rangeReq,
  startMember,
  tempDir,
  txnReq,
} from './member-helpers';

jest.setTimeout(30_000);

describe('member: request path', () => {
  let dir: string;
  let server: EtcdServer;

  beforeAll(async () => {
    dir = tempDir('request-path');
    server = await startMember(dir);
    // The start-up proposals (publish, cluster version) land first: entry counts below are exact.
    const attributes = `/0/members/${server.identity.memberId.toString(16)}/attributes`;
    while (!server.v2.store.exists('/0/version') || !server.v2.store.exists(attributes)) await new Promise((r) => setTimeout(r, 10));
  });

  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('bootstraps with etcd ids for the default --initial-cluster', () => {
    const memberId = computeMemberId(['http://localhost:2380'], 'etcd-cluster');
    expect(server.identity.memberId).toBe(memberId);
    expect(server.identity.clusterId).toBe(computeClusterId([memberId]));
    expect(server.identity.memberId).toBe(10276657743932975437n);
  });

  it('puts and reads back with full headers; first write is revision 2', async () => {
    const before = await server.range(rangeReq('a'), ctx());
    expect(before.header!.revision).toBe(1n);
    expect(before.kvs).toHaveLength(0);
    const put = await server.put(putReq('a', '1'), ctx());
    expect(put.header).toEqual({
      clusterId: server.identity.clusterId,
      memberId: server.identity.memberId,
      revision: 2n,
      raftTerm: 2n,
    });
    const got = await server.range(rangeReq('a'), ctx());
    expect(got.kvs[0]!.value.toString()).toBe('1');
    expect(got.kvs[0]!.modRevision).toBe(2n);
    expect(got.header!.revision).toBe(2n);
    const ser = await server.range(rangeReq('a', { serializable: true }), ctx());
    expect(ser.kvs[0]!.value.toString()).toBe('1');
  });

  it('prev_kv, delete and historical reads report the current revision in the header', async () => {
    const p = await server.put(putReq('h', 'x', { prevKv: true }), ctx());
    expect(p.prevKv).toBeUndefined();
    const p2 = await server.put(putReq('h', 'y', { prevKv: true }), ctx());
    expect(p2.prevKv!.value.toString()).toBe('x');
    const old = await server.range(rangeReq('h', { revision: p.header!.revision }), ctx());
    expect(old.kvs[0]!.value.toString()).toBe('x');
    expect(old.header!.revision).toBe(p2.header!.revision);
    const del = await server.deleteRange(deleteReq('h'), ctx());
    expect(del.deleted).toBe(1n);
    expect(del.header!.revision).toBe(p2.header!.revision + 1n);
    const noop = await server.deleteRange(deleteReq('h'), ctx());
    expect(noop.deleted).toBe(0n);
    expect(noop.header!.revision).toBe(del.header!.revision);
  });

  it('many concurrent puts each get their own revision and are all applied', async () => {
    const start = (await server.range(rangeReq('x'), ctx())).header!.revision;
    const statsBefore = server.stats();
    const puts = await Promise.all(Array.from({ length: 200 }, (_, i) => server.put(putReq(`c/${i}`, `v${i}`), ctx())));
    const revs = puts.map((p) => p.header!.revision).sort((x, y) => (x < y ? -1 : 1));
    expect(revs[0]).toBe(start + 1n);
    expect(revs[revs.length - 1]).toBe(start + 200n);
    expect(new Set(revs).size).toBe(200);
    const all = await server.range(rangeReq('c/', { rangeEnd: prefixEnd('c/') }), ctx());
    expect(all.count).toBe(200n);
    // Group commit: 200 proposals needed far fewer WAL writes (Readies) than entries.
    const statsAfter = server.stats();
    const readies = statsAfter.readyCount - statsBefore.readyCount;
    const entries = statsAfter.entriesPersisted - statsBefore.entriesPersisted;
    expect(entries).toBe(200);
    expect(readies).toBeLessThan(200);
    expect(statsAfter.appliedIndex).toBeLessThanOrEqual(statsAfter.committedIndex);
  });

  it('txn: write branch through raft, read-only txn served locally, nested headers carry only the revision', async () => {
    const cmp: Compare = {
      result: Compare_CompareResult.EQUAL,
      target: Compare_CompareTarget.VERSION,
      key: b('t'),
      version: 0n,
      rangeEnd: Buffer.alloc(0),
    };
    const w = await server.txn(txnReq([cmp], [opPut('t', '1'), opRange('t')]), ctx());
    expect(w.succeeded).toBe(true);
    expect(w.header!.memberId).toBe(server.identity.memberId);
    const nested = w.responses[1]!.responseRange!;
    expect(nested.kvs[0]!.value.toString()).toBe('1');
    expect(nested.header).toEqual({ clusterId: 0n, memberId: 0n, revision: w.header!.revision, raftTerm: 0n });
    const r = await server.txn(txnReq([cmp], [], [opRange('t')]), ctx());
    expect(r.succeeded).toBe(false);
    expect(r.header!.revision).toBe(w.header!.revision);
    expect(r.responses[0]!.responseRange!.kvs[0]!.value.toString()).toBe('1');
  });

  it('refuses bad requests before raft with etcd errors', async () => {
    await expect(server.put(putReq('', 'v'), ctx())).rejects.toBeInstanceOf(ErrEmptyKey);
    await expect(server.range(rangeReq(''), ctx())).rejects.toBeInstanceOf(ErrEmptyKey);
    await expect(server.txn(txnReq([], [opPut('d', '1'), opPut('d', '2')]), ctx())).rejects.toBeInstanceOf(ErrDuplicateKey);
    const ops = Array.from({ length: 129 }, (_, i) => opPut(`m${i}`, 'v'));
    await expect(server.txn(txnReq([], ops), ctx())).rejects.toBeInstanceOf(ErrTooManyOps);
    const big = 'x'.repeat(1_572_864);
    await expect(server.put(putReq('big', big), ctx())).rejects.toBeInstanceOf(ErrRequestTooLarge);
    await expect(server.put(putReq('big', big), ctx())).rejects.toThrow('etcdserver: request is too large');
    const cur = (await server.range(rangeReq('a'), ctx())).header!.revision;
    await expect(server.range(rangeReq('a', { revision: cur + 10n }), ctx())).rejects.toBeInstanceOf(ErrFutureRev);
  });

  it('compacts through raft; reads below the compaction fail', async () => {
    const p1 = await server.put(putReq('k', '1'), ctx());
    await server.put(putReq('k', '2'), ctx());
    const resp = await server.compact(compactReq(p1.header!.revision + 1n, true), ctx());
    expect(resp.header!.revision).toBe(p1.header!.revision + 1n);
    await expect(server.range(rangeReq('k', { revision: p1.header!.revision }), ctx())).rejects.toBeInstanceOf(ErrCompacted);
    await expect(server.compact(compactReq(p1.header!.revision), ctx())).rejects.toBeInstanceOf(ErrCompacted);
    const hkv = await server.hashKV({ revision: 0n }, ctx());
    expect(hkv.compactRevision).toBe(p1.header!.revision + 1n);
  });

  it('status, hash, member list', async () => {
    const st = await server.status(ctx());
    expect(st.version).toBe('3.4.23');
    expect(st.leader).toBe(server.identity.memberId);
    expect(st.raftTerm).toBe(2n);
    expect(st.raftAppliedIndex).toBeLessThanOrEqual(st.raftIndex);
    expect(st.raftAppliedIndex).toBeGreaterThan(200n);
    expect(st.dbSize).toBeGreaterThan(0n);
    expect(st.dbSizeInUse).toBeGreaterThan(0n);
    expect(st.dbSizeInUse).toBeLessThanOrEqual(st.dbSize);
    expect(st.errors).toEqual([]);
    const h1 = await server.hash(ctx());
    const h2 = await server.hash(ctx());
    expect(h1.hash).toBe(h2.hash);
    await server.put(putReq('hash-change', 'v'), ctx());
    expect((await server.hash(ctx())).hash).not.toBe(h1.hash);
    const ml = await server.memberList(ctx());
    expect(ml.header!.revision).toBe(0n);
    expect(ml.header!.clusterId).toBe(server.identity.clusterId);
    expect(ml.members).toEqual([
      { ID: server.identity.memberId, name: 'default', peerURLs: ['http://localhost:2380'], clientURLs: ['http://localhost:2379'], isLearner: false },
    ]);
  });

  it('NOSPACE alarm: armed writes fail, reads and deletes work, disarm restores writes', async () => {
    const act = await server.alarm({ action: AlarmRequest_AlarmAction.ACTIVATE, memberID: server.identity.memberId, alarm: AlarmType.NOSPACE }, ctx());
    expect(act.header).toBeUndefined();
    expect(act.alarms).toEqual([{ memberID: server.identity.memberId, alarm: AlarmType.NOSPACE }]);
    await expect(server.put(putReq('q', 'v'), ctx())).rejects.toBeInstanceOf(ErrNoSpace);
    await expect(server.put(putReq('q', 'v'), ctx())).rejects.toThrow('etcdserver: mvcc: database space exceeded');
    await expect(server.txn(txnReq([], [opPut('q', 'v')]), ctx())).rejects.toBeInstanceOf(ErrNoSpace);
    await server.range(rangeReq('a'), ctx());
    await server.deleteRange(deleteReq('a'), ctx());
    const st = await server.status(ctx());
    expect(st.errors).toEqual([`memberID:${server.identity.memberId} alarm:NOSPACE `]);
    const list = await server.alarm({ action: AlarmRequest_AlarmAction.GET, memberID: 0n, alarm: AlarmType.NONE }, ctx());
    expect(list.alarms).toHaveLength(1);
    await server.alarm({ action: AlarmRequest_AlarmAction.DEACTIVATE, memberID: server.identity.memberId, alarm: AlarmType.NOSPACE }, ctx());
    await server.put(putReq('q', 'v'), ctx());
    expect((await server.alarm({ action: AlarmRequest_AlarmAction.GET, memberID: 0n, alarm: AlarmType.NONE }, ctx())).alarms).toEqual([]);
  });

  it('snapshot streams the backend image with a trailing SHA-256', async () => {
    const { createHash } = await import('node:crypto');
    const msgs = [];
    for await (const m of server.snapshot(ctx())) msgs.push(m);
    expect(msgs.length).toBeGreaterThanOrEqual(2);
    const last = msgs[msgs.length - 1]!;
    const body = Buffer.concat(msgs.slice(0, -1).map((m) => m.blob));
    expect(last.blob).toEqual(createHash('sha256').update(body).digest());
    expect(last.remainingBytes).toBe(0n);
    expect(msgs[0]!.remainingBytes).toBe(BigInt(body.length - msgs[0]!.blob.length));
    expect((body.length + 32) % 512).toBe(32);
    for (const m of msgs) expect(m.header).toBeUndefined();
  });

  it('defragment keeps the data', async () => {
    const before = await server.range(rangeReq('c/', { rangeEnd: prefixEnd('c/') }), ctx());
    const resp = await server.defragment(ctx());
    expect(resp.header).toBeUndefined();
    const after = await server.range(rangeReq('c/', { rangeEnd: prefixEnd('c/') }), ctx());
    expect(after.count).toBe(before.count);
    await server.put(putReq('after-defrag', 'v'), ctx());
  });

  it('a closed member answers "server stopped"', async () => {
    const d = tempDir('closed');
    const s = await startMember(d);
    await s.close();
    await expect(s.put(putReq('a', 'b'), ctx())).rejects.toBeInstanceOf(ErrStopped);
    await expect(s.range(rangeReq('a'), ctx())).rejects.toThrow('etcdserver: server stopped');
    fs.rmSync(d, { recursive: true, force: true });
  });
});
