// Auth on an in-process member: management through raft, enable, authenticate, token use,
// permission denied for each op kind, admin-only maintenance, disable, restart keeps users/roles.

import * as fs from 'node:fs';
import { authpb, LeaseGrantRequest, TxnRequest, RequestOp, Compare, Compare_CompareTarget, Compare_CompareResult } from '@tsetcd/api';
import type { EtcdServer } from '../../packages/server/src/etcdserver/etcd-server';
import type { RequestContext } from '../../packages/server/src/etcdserver/server-api';
import { b, ctx, deleteReq, opPut, opRange, prefixEnd, putReq, rangeReq, startMember, tempDir, txnReq } from './member-helpers';

jest.setTimeout(60_000);

const READ = authpb.Permission_Type.READ;
const WRITE = authpb.Permission_Type.WRITE;

function withToken(token: string): RequestContext {
  return { signal: new AbortController().signal, authToken: token };
}

async function message(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as Error).message;
  }
  return 'resolved';
}

describe('auth on one member', () => {
  let dir: string;
  let m: EtcdServer;

  beforeAll(async () => {
    dir = tempDir('auth');
    m = await startMember(dir, { authTokenTtlSeconds: 300 });
  });

  afterAll(async () => {
    await m?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('enabling needs root with the root role; management errors are etcd\'s', async () => {
    const a = m.auth;
    expect(await message(a.authEnable(ctx()))).toBe('etcdserver: root user does not exist');
    await a.userAdd({ name: 'root', password: 'rootpw', options: undefined }, ctx());
    expect(await message(a.userAdd({ name: 'root', password: 'x', options: undefined }, ctx()))).toBe('etcdserver: user name already exists');
    expect(await message(a.authEnable(ctx()))).toBe('etcdserver: root user does not have root role');
    await a.userGrantRole({ user: 'root', role: 'root' }, ctx());
    await a.roleAdd({ name: 'reader' }, ctx());
    await a.roleGrantPermission({ name: 'reader', perm: { permType: READ, key: b('pub/'), rangeEnd: prefixEnd('pub/') } }, ctx());
    await a.roleGrantPermission({ name: 'reader', perm: { permType: WRITE, key: b('pub/w'), rangeEnd: b('') } }, ctx());
    await a.userAdd({ name: 'alice', password: 'apw', options: undefined }, ctx());
    await a.userGrantRole({ user: 'alice', role: 'reader' }, ctx());
    expect(await message(a.userGrantRole({ user: 'alice', role: 'nope' }, ctx()))).toBe('etcdserver: role name not found');
    expect((await a.userGet({ name: 'alice' }, ctx())).roles).toEqual(['reader']);
    expect((await a.userList(ctx())).users).toEqual(['alice', 'root']);
    expect((await a.roleGet({ role: 'reader' }, ctx())).perm.map((p) => [p.permType, p.key.toString(), p.rangeEnd.toString()])).toEqual([
      [READ, 'pub/', 'pub0'],
      [WRITE, 'pub/w', ''],
    ]);
    expect(await message(a.authenticate({ name: 'root', password: 'rootpw' }, ctx()))).toBe('etcdserver: authentication is not enabled');
    await m.put(putReq('pub/a', '1'), ctx());
    await a.authEnable(ctx());
  });

  test('tokens: wrong password refused, anonymous refused, root allowed everywhere', async () => {
    const a = m.auth;
    expect(await message(a.authenticate({ name: 'root', password: 'bad' }, ctx()))).toBe(
      'etcdserver: authentication failed, invalid user ID or password',
    );
    expect(await message(a.authenticate({ name: 'bob', password: 'x' }, ctx()))).toBe('etcdserver: authentication failed, invalid user ID or password');
    expect(await message(m.put(putReq('k', 'v'), ctx()))).toBe('etcdserver: user name is empty');
    expect(await message(m.range(rangeReq('pub/a'), ctx()))).toBe('etcdserver: user name is empty');
    expect(await message(m.put(putReq('k', 'v'), withToken('junk.1')))).toBe('etcdserver: invalid auth token');
    const { token } = await a.authenticate({ name: 'root', password: 'rootpw' }, ctx());
    expect(token).toMatch(/^[a-zA-Z]{16}\.[0-9]+$/);
    await m.put(putReq('secret', 's'), withToken(token));
    expect((await m.range(rangeReq('secret'), withToken(token))).kvs[0]?.value.toString()).toBe('s');
    await m.hash(withToken(token));
  });

  test('a non-root user gets permission denied on every op kind outside its permissions', async () => {
    const a = m.auth;
    const { token } = await a.authenticate({ name: 'alice', password: 'apw' }, ctx());
    const alice = withToken(token);
    const denied = 'etcdserver: permission denied';
    // allowed
    expect((await m.range(rangeReq('pub/', { rangeEnd: prefixEnd('pub/') }), alice)).kvs.length).toBeGreaterThan(0);
    await m.put(putReq('pub/w', 'w'), alice);
    // range
    expect(await message(m.range(rangeReq('secret'), alice))).toBe(denied);
    expect(await message(m.range(rangeReq('pub/', { rangeEnd: b('pub1') }), alice))).toBe(denied);
    // put / put with prev_kv (needs read too: alice can read pub/ but write only pub/w)
    expect(await message(m.put(putReq('pub/a', '2'), alice))).toBe(denied);
    // delete
    expect(await message(m.deleteRange(deleteReq('pub/w'), alice))).toBe('resolved');
    expect(await message(m.deleteRange(deleteReq('pub/a'), alice))).toBe(denied);
    // txn: a compare key outside, a put outside, a nested range outside
    const cmp = Compare.fromPartial({ key: b('secret'), target: Compare_CompareTarget.VERSION, result: Compare_CompareResult.GREATER, version: 0n });
    expect(await message(m.txn(TxnRequest.fromPartial({ compare: [cmp], success: [] }), alice))).toBe(denied);
    expect(await message(m.txn(txnReq([], [opPut('secret', 'x')]), alice))).toBe(denied);
    expect(await message(m.txn(txnReq([], [opRange('pub/a')], [opRange('secret')]), alice))).toBe(denied);
    expect(await message(m.txn(txnReq([], [opPut('pub/w', 'ok')]), alice))).toBe('resolved');
    expect(await message(m.txn(TxnRequest.fromPartial({ success: [RequestOp.fromPartial({ requestRange: rangeReq('pub/a') })] }), alice))).toBe('resolved');
    // management and admin-only maintenance
    expect(await message(a.userAdd({ name: 'carol', password: 'c', options: undefined }, alice))).toBe(denied);
    expect(await message(a.userList(alice))).toBe(denied);
    expect((await a.userGet({ name: 'alice' }, alice)).roles).toEqual(['reader']);
    expect(await message(a.userGet({ name: 'root' }, alice))).toBe(denied);
    expect((await a.roleGet({ role: 'reader' }, alice)).perm.length).toBe(2);
    expect(a.isWatchPermitted(b('pub/a'), b(''), alice)).toBe(true);
    expect(a.isWatchPermitted(b('pub/'), b('\0'), alice)).toBe(false);
    expect(a.isWatchPermitted(b('pub/a'), b(''), ctx())).toBe(false);
    expect(a.isWatchPermitted(b('pub/a'), b(''), withToken('bogus.1'))).toBe(false);
    expect(await message(m.hash(alice))).toBe('auth: permission denied');
    expect(await message(m.defragment(alice))).toBe('auth: permission denied');
  });

  test('a permission change bumps the auth revision: the range cache follows it', async () => {
    const a = m.auth;
    const root = withToken((await a.authenticate({ name: 'root', password: 'rootpw' }, ctx())).token);
    const alice = withToken((await a.authenticate({ name: 'alice', password: 'apw' }, ctx())).token);
    expect(await message(m.put(putReq('pub/z', '1'), alice))).toBe('etcdserver: permission denied');
    const before = m.authStore.revision();
    await a.roleGrantPermission({ name: 'reader', perm: { permType: authpb.Permission_Type.READWRITE, key: b('pub/'), rangeEnd: prefixEnd('pub/') } }, root);
    expect(m.authStore.revision()).toBe(before + 1n);
    await m.put(putReq('pub/z', '1'), alice);
    await a.roleRevokePermission({ role: 'reader', key: b('pub/'), rangeEnd: prefixEnd('pub/') }, root);
    expect(await message(m.range(rangeReq('pub/z'), alice))).toBe('etcdserver: permission denied');
    await a.roleGrantPermission({ name: 'reader', perm: { permType: READ, key: b('pub/'), rangeEnd: prefixEnd('pub/') } }, root);
    // root cannot remove itself while auth is on
    expect(await message(a.userDelete({ name: 'root' }, root))).toBe('etcdserver: invalid auth management');
    expect(await message(a.userRevokeRole({ name: 'root', role: 'root' }, root))).toBe('etcdserver: invalid auth management');
    // changing a password invalidates the user's tokens
    await a.userChangePassword({ name: 'alice', password: 'apw2' }, root);
    expect(await message(m.range(rangeReq('pub/a'), alice))).toBe('etcdserver: invalid auth token');
    expect(await message(a.authenticate({ name: 'alice', password: 'apw' }, ctx()))).toBe('etcdserver: authentication failed, invalid user ID or password');
    await a.authenticate({ name: 'alice', password: 'apw2' }, ctx());
  });

  test('leases: revoking, or attaching to, a lease whose keys the user cannot write is denied', async () => {
    const a = m.auth;
    const root = withToken((await a.authenticate({ name: 'root', password: 'rootpw' }, ctx())).token);
    const alice = withToken((await a.authenticate({ name: 'alice', password: 'apw2' }, ctx())).token);
    const { ID } = await m.leaseGrant(LeaseGrantRequest.fromPartial({ TTL: 60n }), root);
    await m.put(putReq('secret/leased', 'x', { lease: ID }), root);
    expect(await message(m.leaseRevoke({ ID }, alice))).toBe('etcdserver: permission denied');
    expect(await message(m.put(putReq('pub/w', 'y', { lease: ID }), alice))).toBe('etcdserver: permission denied');
    const own = await m.leaseGrant(LeaseGrantRequest.fromPartial({ TTL: 60n }), alice);
    await m.put(putReq('pub/w', 'y', { lease: own.ID }), alice);
    await m.leaseRevoke({ ID: own.ID }, alice);
    await m.leaseRevoke({ ID }, root);
  });

  test('restart keeps users, roles and the enabled flag; disable opens the store again', async () => {
    await m.close();
    m = await startMember(dir, { authTokenTtlSeconds: 300 });
    expect(m.authStore.isEnabled()).toBe(true);
    expect(await message(m.put(putReq('k', 'v'), ctx()))).toBe('etcdserver: user name is empty');
    const root = withToken((await m.auth.authenticate({ name: 'root', password: 'rootpw' }, ctx())).token);
    expect((await m.auth.userList(root)).users).toEqual(['alice', 'root']);
    const alice = withToken((await m.auth.authenticate({ name: 'alice', password: 'apw2' }, ctx())).token);
    expect((await m.range(rangeReq('pub/a'), alice)).kvs.length).toBe(1);
    await m.auth.authDisable(root);
    await m.put(putReq('k', 'v'), ctx());
    expect(await message(m.auth.authenticate({ name: 'root', password: 'rootpw' }, ctx()))).toBe('etcdserver: authentication is not enabled');
    // tokens were dropped with auth disabled
    expect(await message(m.put(putReq('k', 'v'), root))).toBe('etcdserver: invalid auth token');
  });

  test('--auth-token jwt: signed tokens carry user and auth revision; a later auth change makes them stale', async () => {
    const d = tempDir('auth-jwt');
    const secret = `${d}/jwt.secret`;
    fs.writeFileSync(secret, 'integration secret');
    const j = await startMember(d, { authToken: `jwt,sign-method=HS256,priv-key=${secret},ttl=1m` });
    try {
      await j.auth.userAdd({ name: 'root', password: 'pw', options: undefined }, ctx());
      await j.auth.userGrantRole({ user: 'root', role: 'root' }, ctx());
      await j.auth.authEnable(ctx());
      const { token } = await j.auth.authenticate({ name: 'root', password: 'pw' }, ctx());
      expect(token.split('.')).toHaveLength(3);
      await j.put(putReq('k', 'v'), withToken(token));
      await j.auth.roleAdd({ name: 'another' }, withToken(token));
      expect(await message(j.put(putReq('k', 'v'), withToken(token)))).toBe('etcdserver: revision of auth store is old');
      expect(await message(j.put(putReq('k', 'v'), withToken(token.slice(0, -2))))).toBe('etcdserver: invalid auth token');
      const fresh = (await j.auth.authenticate({ name: 'root', password: 'pw' }, ctx())).token;
      await j.put(putReq('k', 'v2'), withToken(fresh));
    } finally {
      await j.close();
      fs.rmSync(d, { recursive: true, force: true });
    }
  });

  test('--auth-token with an unknown type or broken jwt options fails start-up', async () => {
    const d = tempDir('auth-bad');
    try {
      await expect(startMember(d, { authToken: 'opaque' })).rejects.toThrow(/unknown token type/);
      await expect(startMember(d, { authToken: 'jwt,sign-method=RS256' })).rejects.toThrow(/neither pub-key nor priv-key/);
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });
});
