import { authpb, type AuthUserAddRequest } from '@tsetcd/api';
import type { BatchTx, KeyValuePair, RangeOptions } from '../backend/backend';
import type { BucketName } from '../backend/buckets';
import { AuthStore, type AuthInfo } from './auth-store';
import { SimpleTokenProvider } from './simple-token';
import { BCRYPT_MIN_COST } from '../pkg/bcrypt';

/** An in-memory stand-in for the backend's buckets (only what the auth store uses). */
class MemTx implements BatchTx {
  readonly data = new Map<BucketName, Map<string, Uint8Array>>();
  private bucket(b: BucketName): Map<string, Uint8Array> {
    let m = this.data.get(b);
    if (m === undefined) this.data.set(b, (m = new Map()));
    return m;
  }
  get(b: BucketName, key: Uint8Array): Uint8Array | undefined {
    return this.bucket(b).get(Buffer.from(key).toString('latin1'));
  }
  *range(b: BucketName, _start: Uint8Array, _opts?: RangeOptions): Iterable<KeyValuePair> {
    const entries = [...this.bucket(b).entries()].sort(([x], [y]) => Buffer.compare(Buffer.from(x, 'latin1'), Buffer.from(y, 'latin1')));
    for (const [k, value] of entries) yield { key: Buffer.from(k, 'latin1'), value } as KeyValuePair;
  }
  put(b: BucketName, key: Uint8Array, value: Uint8Array): void {
    this.bucket(b).set(Buffer.from(key).toString('latin1'), value);
  }
  delete(b: BucketName, key: Uint8Array): void {
    this.bucket(b).delete(Buffer.from(key).toString('latin1'));
  }
  setConsistentIndex(): void {}
}

const b = (s: string): Buffer => Buffer.from(s);
const add = (name: string, password = 'pw'): AuthUserAddRequest => ({ name, password, options: undefined });
const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return 'ok';
};

function newStore(tx: MemTx): AuthStore {
  return new AuthStore(tx, new SimpleTokenProvider(300), BCRYPT_MIN_COST);
}

function seeded(): { tx: MemTx; s: AuthStore } {
  const tx = new MemTx();
  const s = newStore(tx);
  s.userAdd(tx, add('root', 'rootpw'));
  s.userGrantRole(tx, 'root', 'root');
  s.roleAdd(tx, 'reader');
  s.roleGrantPermission(tx, { name: 'reader', perm: { permType: authpb.Permission_Type.READ, key: b('pub/'), rangeEnd: b('pub0') } });
  s.userAdd(tx, add('alice', 'apw'));
  s.userGrantRole(tx, 'alice', 'reader');
  return { tx, s };
}

describe('auth store', () => {
  test('every management change bumps the revision; reads and no-ops do not', () => {
    const tx = new MemTx();
    const s = newStore(tx);
    expect(s.revision()).toBe(1n);
    s.userAdd(tx, add('root'));
    expect(s.revision()).toBe(2n);
    s.userGrantRole(tx, 'root', 'root');
    s.userGrantRole(tx, 'root', 'root'); // duplicate grant: ignored like etcd
    expect(s.revision()).toBe(3n);
    s.userGet('root');
    s.userList();
    expect(s.revision()).toBe(3n);
    s.authEnable(tx);
    expect(s.revision()).toBe(3n);
    s.authDisable(tx);
    expect(s.revision()).toBe(4n);
  });

  test('users, roles, permissions and the enabled flag survive a reload from the buckets', () => {
    const { tx, s } = seeded();
    s.authEnable(tx);
    const again = newStore(tx);
    expect(again.isEnabled()).toBe(true);
    expect(again.revision()).toBe(s.revision());
    expect(again.userList()).toEqual(['alice', 'root']);
    expect(again.userGet('alice')).toEqual(['reader']);
    expect(again.roleGet('reader').map((p) => p.key.toString())).toEqual(['pub/']);
    expect(again.roleList()).toEqual(['reader']);
  });

  test('reload() replaces the in-memory state with another image of the buckets (snapshot install)', () => {
    const { tx: leaderTx, s: leader } = seeded();
    leader.authEnable(leaderTx);
    const followerTx = new MemTx();
    const follower = newStore(followerTx);
    follower.userAdd(followerTx, add('stale'));
    follower.reload(leaderTx);
    expect(follower.userList()).toEqual(['alice', 'root']);
    expect(follower.isEnabled()).toBe(true);
    expect(follower.revision()).toBe(leader.revision());
    follower.reload(new MemTx());
    expect(follower.userList()).toEqual([]);
    expect(follower.isEnabled()).toBe(false);
    expect(follower.revision()).toBe(1n);
  });

  test('permission checks: anonymous, stale revision, unknown user, root, ranges', () => {
    const { tx, s } = seeded();
    s.authEnable(tx);
    const alice: AuthInfo = { username: 'alice', revision: s.revision() };
    const root: AuthInfo = { username: 'root', revision: s.revision() };
    expect(errorOf(() => s.isRangePermitted(undefined, b('pub/a'), b('')))).toBe('etcdserver: user name is empty');
    expect(errorOf(() => s.isRangePermitted(alice, b('pub/a'), b('')))).toBe('ok');
    expect(errorOf(() => s.isPutPermitted(alice, b('pub/a')))).toBe('etcdserver: permission denied');
    expect(errorOf(() => s.isDeleteRangePermitted(root, b(''), b('\0')))).toBe('ok');
    expect(errorOf(() => s.isRangePermitted({ username: 'ghost', revision: s.revision() }, b('x'), b('')))).toBe('etcdserver: permission denied');
    s.roleAdd(tx, 'other'); // revision moves on: alice's info is now stale
    expect(errorOf(() => s.isRangePermitted(alice, b('pub/a'), b('')))).toBe('etcdserver: revision of auth store is old');
    expect(errorOf(() => s.isAdminPermitted({ username: 'alice', revision: s.revision() }))).toBe('auth: permission denied');
    expect(errorOf(() => s.isAdminPermitted(undefined))).toBe('auth: user name is empty');
    s.authDisable(tx);
    expect(errorOf(() => s.isPutPermitted(undefined, b('anything')))).toBe('ok');
  });

  test('role deletion removes the role from its users and their permissions', () => {
    const { tx, s } = seeded();
    s.authEnable(tx);
    s.roleDelete(tx, 'reader');
    expect(s.userGet('alice')).toEqual([]);
    expect(errorOf(() => s.isRangePermitted({ username: 'alice', revision: s.revision() }, b('pub/a'), b('')))).toBe('etcdserver: permission denied');
    expect(errorOf(() => s.roleDelete(tx, 'root'))).toBe('etcdserver: invalid auth management');
  });

  test('a granted permission on the same key and range end replaces the type; revoke needs an exact match', () => {
    const { tx, s } = seeded();
    s.roleGrantPermission(tx, { name: 'reader', perm: { permType: authpb.Permission_Type.READWRITE, key: b('pub/'), rangeEnd: b('pub0') } });
    s.roleGrantPermission(tx, { name: 'reader', perm: { permType: authpb.Permission_Type.WRITE, key: b('a'), rangeEnd: b('') } });
    expect(s.roleGet('reader').map((p) => [p.permType, p.key.toString()])).toEqual([
      [authpb.Permission_Type.WRITE, 'a'],
      [authpb.Permission_Type.READWRITE, 'pub/'],
    ]);
    expect(errorOf(() => s.roleRevokePermission(tx, { role: 'reader', key: b('pub/'), rangeEnd: b('') }))).toBe(
      'etcdserver: permission is not granted to the role',
    );
    s.roleRevokePermission(tx, { role: 'reader', key: b('pub/'), rangeEnd: b('pub0') });
    expect(s.roleGet('reader').length).toBe(1);
  });

  test('tokens: only with auth enabled; deleting a user invalidates its tokens', async () => {
    const { tx, s } = seeded();
    await expect(s.checkPassword('root', 'rootpw')).rejects.toThrow('etcdserver: authentication is not enabled');
    s.authEnable(tx);
    await expect(s.checkPassword('alice', 'bad')).rejects.toThrow('etcdserver: authentication failed, invalid user ID or password');
    expect(await s.checkPassword('alice', 'apw')).toBe(s.revision());
    const token = s.authenticate('alice', s.genTokenPrefix(), 7);
    expect(s.authInfoFromToken(token)).toEqual({ username: 'alice', revision: s.revision() });
    expect(s.authInfoFromToken(undefined)).toBeUndefined();
    expect(errorOf(() => s.authInfoFromToken('bogus.1'))).toBe('etcdserver: invalid auth token');
    s.userDelete(tx, 'alice');
    expect(errorOf(() => s.authInfoFromToken(token))).toBe('etcdserver: invalid auth token');
  });
});
