import { Request } from '@tsetcd/api';
import { V2Store, type V2Event } from '../v2store';
import { applyV2Request } from '../etcdserver/v2-apply';
import { hasKeyPrefixAccess, hasRootAccess, hasWriteRootAccess, parseBasicAuth } from './v2-access';
import { V2AuthError } from './v2-auth-error';
import { decodeRole, decodeUser, roleJson, userJson } from './v2-auth-types';
import { hasKeyAccess, hasRecursiveAccess, prefixMatch, simpleMatch } from './v2-permissions';
import { V2SecurityStore } from './v2-security-store';

/** The member's v2 path without raft: GET reads the store, everything else applies at once. */
function memberStore(): { store: V2Store; sec: V2SecurityStore; requests: Request[] } {
  const store = new V2Store({ namespaces: ['/0', '/1'] });
  const requests: Request[] = [];
  const doer = {
    doV2: async (r: Request): Promise<V2Event> => {
      requests.push(r);
      if (r.Method === 'GET') return store.get(r.Path, r.Recursive, r.Sorted);
      const ev = applyV2Request(store, r);
      if (Array.isArray(ev)) throw new Error('unexpected');
      return ev;
    },
  };
  return { store, sec: new V2SecurityStore(doer, { bcryptCost: 4 }), requests };
}

const basic = (user: string, pw: string): string => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

async function authError(p: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof V2AuthError) return { status: err.httpStatus, message: err.message };
    throw err;
  }
  throw new Error('expected a V2AuthError');
}

describe('permission patterns', () => {
  it('a trailing * is a prefix, anything else an exact key', () => {
    expect(simpleMatch('/foo/*', '/foo/bar')).toBe(true);
    expect(simpleMatch('/foo/*', '/foo/')).toBe(true);
    expect(simpleMatch('/foo/*', '/foo')).toBe(false);
    expect(simpleMatch('/foo*', '/foobar/x')).toBe(true);
    expect(simpleMatch('/foo/bar', '/foo/bar')).toBe(true);
    expect(simpleMatch('/foo/bar', '/foo/bar/x')).toBe(false);
    expect(prefixMatch('/foo/bar', '/foo/bar')).toBe(false);
    expect(prefixMatch('/foo/*', '/foo/')).toBe(true);
  });

  it('roles: root has everything; read and write lists are separate; recursive needs a * pattern', () => {
    const r = decodeRole('{"role":"r","permissions":{"kv":{"read":["/foo/*","/one"],"write":["/foo/bar"]}}}');
    expect(hasKeyAccess(r, '/foo/x', false)).toBe(true);
    expect(hasKeyAccess(r, '/foo/x', true)).toBe(false);
    expect(hasKeyAccess(r, '/foo/bar', true)).toBe(true);
    expect(hasRecursiveAccess(r, '/foo/', false)).toBe(true);
    expect(hasRecursiveAccess(r, '/foo', false)).toBe(false);
    expect(hasRecursiveAccess(r, '/one', false)).toBe(false);
    expect(hasKeyAccess({ role: 'root', permissions: { kv: { read: null, write: null } } }, '/any', true)).toBe(true);
  });
});

describe('JSON like Go', () => {
  it('nil lists are null, empty ones [], password/grant/revoke omitted when empty; names match case-insensitively', () => {
    expect(userJson(decodeUser('{"User":"bob","PASSWORD":"x","extra":1}'))).toBe('{"user":"bob","password":"x","roles":null}');
    expect(userJson({ user: 'a<b', password: '', roles: [], grant: [], revoke: null })).toBe('{"user":"a\\u003cb","roles":[]}');
    expect(roleJson(decodeRole('{"role":"r"}'))).toBe('{"role":"r","permissions":{"kv":{"read":null,"write":null}}}');
    expect(roleJson(decodeRole('{"role":"r","grant":{}}'))).toBe('{"role":"r","permissions":{"kv":{"read":null,"write":null}},"grant":{"kv":{"read":null,"write":null}}}');
    expect(() => decodeUser('{"user":1}')).toThrow();
    expect(() => decodeUser('xx')).toThrow();
  });

  it('parses Basic credentials like Go (scheme case-insensitive, strict base64, first colon splits)', () => {
    expect(parseBasicAuth(basic('u', 'p:q'))).toEqual({ username: 'u', password: 'p:q' });
    expect(parseBasicAuth(`basic ${Buffer.from('u:p').toString('base64')}`)).toEqual({ username: 'u', password: 'p' });
    expect(parseBasicAuth('Bearer xx')).toBeUndefined();
    expect(parseBasicAuth('Basic !!!!')).toBeUndefined();
    expect(parseBasicAuth(`Basic ${Buffer.from('nocolon').toString('base64')}`)).toBeUndefined();
  });
});

describe('V2SecurityStore', () => {
  it('keeps users and roles as JSON under /2 with bcrypt hashes, and creates /2 once', async () => {
    const { store, sec } = memberStore();
    expect(await sec.allUsers()).toEqual([]);
    expect(await sec.allRoles()).toEqual(['root']);
    const root = await sec.createUser({ user: 'root', password: 'pw', roles: null, grant: null, revoke: null });
    expect(root.roles).toEqual(['root']);
    const stored = JSON.parse(store.get('/2/users/root', false, false).node.value ?? '');
    expect(stored.user).toBe('root');
    expect(stored.password).toMatch(/^\$2a\$04\$/);
    expect(stored.roles).toEqual(['root']);
    expect(store.get('/2/enabled', false, false).node.value).toBe('false');
    expect(store.get('/2/roles', false, false).node.dir).toBe(true);
    expect(sec.checkPassword(await sec.getUser('root'), 'pw')).toBe(true);
    expect(sec.checkPassword(await sec.getUser('root'), 'px')).toBe(false);
  });

  it('answers etcd errors for users', async () => {
    const { sec } = memberStore();
    const u = (user: string, password = '', extra: object = {}) => ({ user, password, roles: null, grant: null, revoke: null, ...extra });
    expect(await authError(sec.createUser(u('bob')))).toEqual({ status: 400, message: 'auth: Cannot create user bob with an empty password' });
    await sec.createUser(u('bob', 'b'));
    expect(await authError(sec.createUser(u('bob', 'b')))).toEqual({ status: 409, message: 'auth: User bob already exists.' });
    expect(await authError(sec.getUser('nobody'))).toEqual({ status: 404, message: 'auth: User nobody does not exist.' });
    expect(await authError(sec.updateUser(u('nobody', '', { grant: ['x'] })))).toEqual({ status: 404, message: 'auth: User nobody does not exist.' });
    expect((await sec.updateUser(u('bob', '', { grant: ['r2', 'r1'] }))).roles).toEqual(['r1', 'r2']);
    expect(await authError(sec.updateUser(u('bob', '', { grant: ['r1'] })))).toEqual({ status: 409, message: 'auth: Granting duplicate role r1 for user bob' });
    expect(await authError(sec.updateUser(u('bob', '', { revoke: ['zz'] })))).toEqual({ status: 409, message: 'auth: Revoking ungranted role zz for user bob' });
    expect((await sec.updateUser(u('bob', '', { revoke: ['r1'] }))).roles).toEqual(['r2']);
    // an update that changes nothing (same roles, no password)
    expect(await authError(sec.updateUser(u('bob')))).toEqual({ status: 400, message: 'auth: User not updated. Use grant/revoke/password to update the user.' });
    const created = await sec.createOrUpdateUser(u('carl', 'c'));
    expect(created.created).toBe(true);
    expect((await sec.createOrUpdateUser(u('carl', 'c2'))).created).toBe(false);
    expect(sec.checkPassword(await sec.getUser('carl'), 'c2')).toBe(true);
    expect(await sec.allUsers()).toEqual(['bob', 'carl']);
    await sec.deleteUser('carl');
    expect(await authError(sec.deleteUser('carl'))).toEqual({ status: 404, message: 'auth: User carl does not exist' });
  });

  it('answers etcd errors for roles; root is built in and read-only', async () => {
    const { sec } = memberStore();
    expect(await authError(sec.createRole(decodeRole('{"role":"root"}')))).toEqual({ status: 403, message: 'auth: Cannot modify role root: is root role.' });
    expect(await authError(sec.deleteRole('root'))).toEqual({ status: 403, message: 'auth: Cannot modify role root: is root role.' });
    expect(roleJson(await sec.getRole('root'))).toBe('{"role":"root","permissions":{"kv":{"read":["/*"],"write":["/*"]}}}');
    await sec.createRole(decodeRole('{"role":"r1"}'));
    expect(await authError(sec.createRole(decodeRole('{"role":"r1"}')))).toEqual({ status: 409, message: 'auth: Role r1 already exists.' });
    const granted = await sec.updateRole(decodeRole('{"role":"r1","grant":{"kv":{"read":["/b","/a/*"],"write":["/a/*"]}}}'));
    expect(roleJson(granted)).toBe('{"role":"r1","permissions":{"kv":{"read":["/a/*","/b"],"write":["/a/*"]}}}');
    expect(await authError(sec.updateRole(decodeRole('{"role":"r1","grant":{"kv":{"read":["/a/*"]}}}')))).toEqual({ status: 409, message: 'auth: Granting duplicate read permission /a/*' });
    expect(await authError(sec.updateRole(decodeRole('{"role":"r1","revoke":{"kv":{"read":["/zz"]}}}')))).toEqual({ status: 400, message: 'auth: Role not updated. Use grant/revoke to update the role.' });
    expect(await authError(sec.updateRole(decodeRole('{"role":"nope","grant":{"kv":{"read":["/c"]}}}')))).toEqual({ status: 404, message: 'auth: Role nope does not exist.' });
    expect(await authError(sec.deleteRole('nope'))).toEqual({ status: 404, message: "auth: Role nope doesn't exist." });
    expect(await sec.allRoles()).toEqual(['r1', 'root']);
  });

  it('enable needs a root user, creates the guest role, refuses twice; disable likewise', async () => {
    const { sec, store } = memberStore();
    expect(await authError(sec.enableAuth())).toEqual({ status: 409, message: 'auth: No root user available, please create one' });
    await sec.createUser({ user: 'root', password: 'pw', roles: null, grant: null, revoke: null });
    await sec.enableAuth();
    expect(await sec.authEnabled()).toBe(true);
    expect(store.v2AuthEnabled()).toBe(true);
    expect(roleJson(await sec.getRole('guest'))).toBe('{"role":"guest","permissions":{"kv":{"read":["/*"],"write":["/*"]}}}');
    expect(await authError(sec.enableAuth())).toEqual({ status: 409, message: 'auth: already enabled' });
    expect(await authError(sec.deleteUser('root'))).toEqual({ status: 403, message: 'auth: Cannot delete root user while auth is enabled.' });
    await sec.disableAuth();
    expect(await authError(sec.disableAuth())).toEqual({ status: 409, message: 'auth: already disabled' });
  });

  it('checks access: off = open; guest without credentials; user roles with bcrypt passwords; root for admin', async () => {
    const { sec } = memberStore();
    const get = { method: 'GET', authorization: undefined };
    expect(await hasKeyPrefixAccess(sec, { method: 'PUT' }, '/x', false)).toBe(true);
    expect(await hasRootAccess(sec, { method: 'PUT' })).toBe(true);
    await sec.createUser({ user: 'root', password: 'pw', roles: null, grant: null, revoke: null });
    await sec.createUser({ user: 'bob', password: 'b', roles: null, grant: null, revoke: null });
    await sec.createRole(decodeRole('{"role":"foo","permissions":{"kv":{"read":["/foo/*"],"write":["/foo/bar"]}}}'));
    await sec.createRole(decodeRole('{"role":"guest","permissions":{"kv":{"read":["/pub/*"],"write":[]}}}'));
    await sec.updateUser({ user: 'bob', password: '', roles: null, grant: ['foo', 'gone'], revoke: null });
    await sec.enableAuth();
    // guest
    expect(await hasKeyPrefixAccess(sec, get, '/pub/a', false)).toBe(true);
    expect(await hasKeyPrefixAccess(sec, { method: 'PUT' }, '/pub/a', false)).toBe(false);
    expect(await hasKeyPrefixAccess(sec, get, '/foo/a', false)).toBe(false);
    // bob
    const bob = { method: 'GET', authorization: basic('bob', 'b') };
    expect(await hasKeyPrefixAccess(sec, bob, '/foo/a', false)).toBe(true);
    expect(await hasKeyPrefixAccess(sec, bob, '/foo', true)).toBe(false);
    expect(await hasKeyPrefixAccess(sec, bob, '/foo/', true)).toBe(true);
    expect(await hasKeyPrefixAccess(sec, { ...bob, method: 'PUT' }, '/foo/bar', false)).toBe(true);
    expect(await hasKeyPrefixAccess(sec, { ...bob, method: 'DELETE' }, '/foo/baz', false)).toBe(false);
    expect(await hasKeyPrefixAccess(sec, { method: 'GET', authorization: basic('bob', 'x') }, '/foo/a', false)).toBe(false);
    expect(await hasKeyPrefixAccess(sec, { method: 'GET', authorization: basic('ghost', 'x') }, '/pub/a', false)).toBe(false);
    expect(await hasKeyPrefixAccess(sec, { method: 'GET', authorization: 'Bearer x' }, '/pub/a', false)).toBe(false);
    // root
    expect(await hasRootAccess(sec, bob)).toBe(false);
    expect(await hasRootAccess(sec, { method: 'GET', authorization: basic('root', 'pw') })).toBe(true);
    expect(await hasKeyPrefixAccess(sec, { method: 'PUT', authorization: basic('root', 'pw') }, '/anything', true)).toBe(true);
    expect(await hasWriteRootAccess(sec, { method: 'GET' })).toBe(true);
    expect(await hasWriteRootAccess(sec, { method: 'POST' })).toBe(false);
  });

  it('counts store gets like etcd: an access check while auth is off is one failed get of /2/enabled', async () => {
    const { store, sec } = memberStore();
    const before = { ...store.statsJson() };
    await hasKeyPrefixAccess(sec, { method: 'GET' }, '/x', false);
    const after = store.statsJson();
    expect(after.getsFail - before.getsFail).toBe(1);
    expect(after.getsSuccess - before.getsSuccess).toBe(0);
  });
});

describe('password checks', () => {
  it('a remembered verification does not outlive a password change, and wrong passwords are never remembered', async () => {
    const { sec } = memberStore();
    await sec.createUser({ user: 'u', password: 'one', roles: null, grant: null, revoke: null });
    const before = await sec.getUser('u');
    expect(sec.checkPassword(before, 'one')).toBe(true);
    expect(sec.checkPassword(before, 'one')).toBe(true);
    expect(sec.checkPassword(before, 'two')).toBe(false);
    await sec.updateUser({ user: 'u', password: 'two', roles: null, grant: null, revoke: null });
    const after = await sec.getUser('u');
    expect(sec.checkPassword(after, 'one')).toBe(false);
    expect(sec.checkPassword(after, 'two')).toBe(true);
  });
});
