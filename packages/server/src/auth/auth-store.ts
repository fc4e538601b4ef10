// The auth store (etcd's auth/store.go): enabled flag, auth revision, users and roles, persisted
// in the backend's `auth`, `authUsers` and `authRoles` buckets with etcd's keys and authpb values.
// Mutations run inside the apply loop's write transaction; every change that can alter a
// permission answer bumps the auth revision (which also invalidates the per-user range cache).

import {
  ErrAuthFailed,
  ErrAuthNotEnabled,
  ErrAuthOldRevision,
  ErrAuthRawPermissionDenied,
  ErrAuthRawUserEmpty,
  ErrAuthRawUserNotFound,
  ErrInvalidAuthMgmt,
  ErrInvalidAuthToken,
  ErrPermissionDenied,
  ErrPermissionNotGranted,
  ErrRoleAlreadyExist,
  ErrRoleEmpty,
  ErrRoleNotFound,
  ErrRoleNotGranted,
  ErrRootRoleNotExist,
  ErrRootUserNotExist,
  ErrUserAlreadyExist,
  ErrUserEmpty,
  ErrUserNotFound,
  authpb,
  type AuthRoleGrantPermissionRequest,
  type AuthRoleRevokePermissionRequest,
  type AuthUserAddRequest,
} from '@tsetcd/api';
import { decodeUint64BE, encodeUint64BE, type BatchTx, type ReadTx } from '../backend/backend';
import { hashPassword, verifyPassword } from './password';
import { BCRYPT_DEFAULT_COST } from '../pkg/bcrypt';
import { buildUserPerms, isRangeOpPermitted, type UserPerms } from './range-perm';
import type { TokenProvider } from './simple-token';

export const ROOT_USER = 'root';
export const ROOT_ROLE = 'root';

const utf8 = new TextEncoder();
const ENABLE_FLAG_KEY = utf8.encode('authEnabled');
const REVISION_KEY = utf8.encode('authRevision');
const AUTH_ENABLED = new Uint8Array([1]);
const AUTH_DISABLED = new Uint8Array([0]);
const EMPTY = new Uint8Array(0);
const PermType = authpb.Permission_Type;

/** Who is asking, as carried in a request header: user name and the auth revision it was checked at. */
export interface AuthInfo {
  readonly username: string;
  readonly revision: bigint;
}

function str(b: Uint8Array): string {
  return Buffer.from(b).toString('utf8');
}

function hasRootRole(user: authpb.User): boolean {
  return user.roles.includes(ROOT_ROLE);
}

function insertSorted(list: string[], s: string): string[] {
  return [...list, s].sort();
}

export class AuthStore {
  private enabled: boolean;
  private rev: bigint;
  private readonly users = new Map<string, authpb.User>();
  private readonly roles = new Map<string, authpb.Role>();
  /** user name -> merged permissions, valid for `permCacheRev`. */
  private permCache = new Map<string, UserPerms>();
  private permCacheRev: bigint;

  constructor(
    tx: ReadTx,
    readonly tokens: TokenProvider,
    /** --bcrypt-cost for new password hashes (etcd's default 10). */
    private readonly bcryptCost = BCRYPT_DEFAULT_COST,
  ) {
    this.enabled = false;
    this.rev = 1n;
    this.permCacheRev = 0n;
    this.reload(tx);
  }

  /** (Re)loads everything from the buckets: start-up, and after a snapshot image was installed. */
  reload(tx: ReadTx): void {
    const flag = tx.get('auth', ENABLE_FLAG_KEY);
    const enabled = flag !== undefined && flag.length === 1 && flag[0] === 1;
    const revBytes = tx.get('auth', REVISION_KEY);
    // etcd writes revision 1 when it creates the store; a fresh backend reads as 1 here.
    const stored = revBytes !== undefined && revBytes.length === 8 ? decodeUint64BE(revBytes) : 0n;
    this.rev = stored > 0n ? stored : 1n;
    this.permCache = new Map();
    this.permCacheRev = this.rev;
    this.users.clear();
    this.roles.clear();
    for (const { value } of tx.range('authUsers', EMPTY)) {
      const u = authpb.User.decode(value);
      this.users.set(str(u.name), u);
    }
    for (const { value } of tx.range('authRoles', EMPTY)) {
      const r = authpb.Role.decode(value);
      this.roles.set(str(r.name), r);
    }
    if (enabled) this.tokens.enable();
    else if (this.enabled) this.tokens.disable();
    this.enabled = enabled;
  }

  isEnabled(): boolean {
    return this.enabled;
  }

  /** etcd's NewAuthStore: a backend without an auth revision gets revision 1 written. */
  persistInitialRevision(tx: BatchTx): void {
    if (tx.get('auth', REVISION_KEY) === undefined) tx.put('auth', REVISION_KEY, encodeUint64BE(this.rev));
  }

  revision(): bigint {
    return this.rev;
  }

  // ---- tokens and passwords (outside raft) ------------------------------------------------------

  /**
   * etcd's AuthInfoFromCtx: no token -> undefined (the request is anonymous); an unknown or
   * expired token -> "invalid auth token" (also while auth is disabled, like etcd).
   */
  authInfoFromToken(token: string | undefined): AuthInfo | undefined {
    if (token === undefined || token === '') return undefined;
    const info = this.tokens.info(token);
    if (info === undefined) throw new ErrInvalidAuthToken();
    return { username: info.username, revision: info.revision ?? this.rev };
  }

  /** etcd's CheckPassword (before Authenticate is proposed): returns the revision checked at. */
  async checkPassword(name: string, password: string): Promise<bigint> {
    if (!this.enabled) throw new ErrAuthNotEnabled();
    const user = this.users.get(name);
    if (user === undefined || user.options?.noPassword === true) throw new ErrAuthFailed();
    const checkedAt = this.rev;
    if (!verifyPassword(password, user.password)) throw new ErrAuthFailed();
    return checkedAt;
  }

  genTokenPrefix(): string {
    return this.tokens.genTokenPrefix();
  }

  // ---- permission checks -------------------------------------------------------------------------

  private isOpPermitted(info: AuthInfo | undefined, key: Uint8Array, rangeEnd: Uint8Array, type: authpb.Permission_Type): void {
    if (!this.enabled) return;
    if (info === undefined || info.revision === 0n) throw new ErrUserEmpty();
    if (info.revision < this.rev) throw new ErrAuthOldRevision();
    const user = this.users.get(info.username);
    if (user === undefined) throw new ErrPermissionDenied();
    if (hasRootRole(user)) return;
    if (!isRangeOpPermitted(this.userPerms(info.username, user), key, rangeEnd, type)) throw new ErrPermissionDenied();
  }

  isRangePermitted(info: AuthInfo | undefined, key: Uint8Array, rangeEnd: Uint8Array): void {
    this.isOpPermitted(info, key, rangeEnd, PermType.READ);
  }

  isPutPermitted(info: AuthInfo | undefined, key: Uint8Array): void {
    this.isOpPermitted(info, key, EMPTY, PermType.WRITE);
  }

  isDeleteRangePermitted(info: AuthInfo | undefined, key: Uint8Array, rangeEnd: Uint8Array): void {
    this.isOpPermitted(info, key, rangeEnd, PermType.WRITE);
  }

  /** etcd's IsAdminPermitted: its raw `auth:` errors (mapped by the caller where etcd maps them). */
  isAdminPermitted(info: AuthInfo | undefined): void {
    if (!this.enabled) return;
    if (info === undefined || info.username === '') throw new ErrAuthRawUserEmpty();
    const user = this.users.get(info.username);
    if (user === undefined) throw new ErrAuthRawUserNotFound();
    if (!hasRootRole(user)) throw new ErrAuthRawPermissionDenied();
  }

  hasRole(username: string, role: string): boolean {
    return this.users.get(username)?.roles.includes(role) ?? false;
  }

  private userPerms(name: string, user: authpb.User): UserPerms {
    if (this.permCacheRev !== this.rev) {
      this.permCache = new Map();
      this.permCacheRev = this.rev;
    }
    let perms = this.permCache.get(name);
    if (perms === undefined) {
      const roles = user.roles.map((r) => this.roles.get(r)).filter((r): r is authpb.Role => r !== undefined);
      perms = buildUserPerms(roles);
      this.permCache.set(name, perms);
    }
    return perms;
  }

  // ---- apply-side mutations ------------------------------------------------------------------------

  private commitRevision(tx: BatchTx): void {
    this.rev += 1n;
    tx.put('auth', REVISION_KEY, encodeUint64BE(this.rev));
  }

  private putUser(tx: BatchTx, user: authpb.User): void {
    const name = str(user.name);
    tx.put('authUsers', utf8.encode(name), authpb.User.encode(user).finish());
    this.users.set(name, user);
  }

  private putRole(tx: BatchTx, role: authpb.Role): void {
    const name = str(role.name);
    tx.put('authRoles', utf8.encode(name), authpb.Role.encode(role).finish());
    this.roles.set(name, role);
  }

  authEnable(tx: BatchTx): void {
    if (this.enabled) return;
    const root = this.users.get(ROOT_USER);
    if (root === undefined) throw new ErrRootUserNotExist();
    if (!hasRootRole(root)) throw new ErrRootRoleNotExist();
    tx.put('auth', ENABLE_FLAG_KEY, AUTH_ENABLED);
    tx.put('auth', REVISION_KEY, encodeUint64BE(this.rev));
    this.enabled = true;
    this.tokens.enable();
  }

  authDisable(tx: BatchTx): void {
    if (!this.enabled) return;
    tx.put('auth', ENABLE_FLAG_KEY, AUTH_DISABLED);
    this.commitRevision(tx);
    this.enabled = false;
    this.tokens.disable();
  }

  /** The token assignment of an applied Authenticate (the password was checked before proposing). */
  authenticate(name: string, simpleToken: string, index: number): string {
    if (!this.enabled) throw new ErrAuthNotEnabled();
    const user = this.users.get(name);
    if (user === undefined || user.options?.noPassword === true) throw new ErrAuthFailed();
    return this.tokens.assign(simpleToken, index, name, this.rev);
  }

  userAdd(tx: BatchTx, req: AuthUserAddRequest): void {
    if (req.name === '') throw new ErrUserEmpty();
    if (this.users.has(req.name)) throw new ErrUserAlreadyExist();
    const noPassword = req.options?.noPassword === true;
    this.putUser(tx, {
      name: Buffer.from(req.name),
      password: Buffer.from(noPassword ? EMPTY : hashPassword(req.password, this.bcryptCost)),
      roles: [],
      options: { noPassword },
    });
    this.commitRevision(tx);
  }

  userDelete(tx: BatchTx, name: string): void {
    if (this.enabled && name === ROOT_USER) throw new ErrInvalidAuthMgmt();
    if (!this.users.has(name)) throw new ErrUserNotFound();
    tx.delete('authUsers', utf8.encode(name));
    this.users.delete(name);
    this.commitRevision(tx);
    this.tokens.invalidateUser(name);
  }

  userChangePassword(tx: BatchTx, name: string, password: string): void {
    const user = this.users.get(name);
    if (user === undefined) throw new ErrUserNotFound();
    this.putUser(tx, { ...user, password: Buffer.from(hashPassword(password, this.bcryptCost)) });
    this.commitRevision(tx);
    this.tokens.invalidateUser(name);
  }

  userGrantRole(tx: BatchTx, name: string, role: string): void {
    const user = this.users.get(name);
    if (user === undefined) throw new ErrUserNotFound();
    if (role !== ROOT_ROLE && !this.roles.has(role)) throw new ErrRoleNotFound();
    if (user.roles.includes(role)) return; // etcd ignores a duplicate grant
    this.putUser(tx, { ...user, roles: insertSorted(user.roles, role) });
    this.commitRevision(tx);
  }

  userRevokeRole(tx: BatchTx, name: string, role: string): void {
    if (this.enabled && name === ROOT_USER && role === ROOT_ROLE) throw new ErrInvalidAuthMgmt();
    const user = this.users.get(name);
    if (user === undefined) throw new ErrUserNotFound();
    const roles = user.roles.filter((r) => r !== role);
    if (roles.length === user.roles.length) throw new ErrRoleNotGranted();
    this.putUser(tx, { ...user, roles });
    this.commitRevision(tx);
  }

  userGet(name: string): string[] {
    const user = this.users.get(name);
    if (user === undefined) throw new ErrUserNotFound();
    return [...user.roles];
  }

  /** Names in key order (the bucket's byte order), like etcd. */
  userList(): string[] {
    return sortByBytes([...this.users.keys()]);
  }

  roleAdd(tx: BatchTx, name: string): void {
    if (name === '') throw new ErrRoleEmpty();
    if (this.roles.has(name)) throw new ErrRoleAlreadyExist();
    this.putRole(tx, { name: Buffer.from(name), keyPermission: [] });
    this.commitRevision(tx);
  }

  roleGet(name: string): authpb.Permission[] {
    const role = this.roles.get(name);
    if (role === undefined) throw new ErrRoleNotFound();
    return role.keyPermission.map((p) => ({ ...p }));
  }

  roleList(): string[] {
    return sortByBytes([...this.roles.keys()]);
  }

  roleDelete(tx: BatchTx, name: string): void {
    if (this.enabled && name === ROOT_ROLE) throw new ErrInvalidAuthMgmt();
    if (!this.roles.has(name)) throw new ErrRoleNotFound();
    tx.delete('authRoles', utf8.encode(name));
    this.roles.delete(name);
    for (const user of [...this.users.values()]) {
      if (user.roles.includes(name)) this.putUser(tx, { ...user, roles: user.roles.filter((r) => r !== name) });
    }
    this.commitRevision(tx);
  }

  roleGrantPermission(tx: BatchTx, req: AuthRoleGrantPermissionRequest): void {
    const role = this.roles.get(req.name);
    if (role === undefined) throw new ErrRoleNotFound();
    const perm: authpb.Permission = {
      permType: req.perm?.permType ?? PermType.READ,
      key: Buffer.from(req.perm?.key ?? EMPTY),
      rangeEnd: Buffer.from(req.perm?.rangeEnd ?? EMPTY),
    };
    const perms = role.keyPermission.map((p) => ({ ...p }));
    const same = perms.find((p) => Buffer.compare(p.key, perm.key) === 0 && Buffer.compare(p.rangeEnd, perm.rangeEnd) === 0);
    if (same !== undefined) same.permType = perm.permType;
    else perms.push(perm);
    perms.sort((a, b) => Buffer.compare(a.key, b.key));
    this.putRole(tx, { ...role, keyPermission: perms });
    this.commitRevision(tx);
  }

  roleRevokePermission(tx: BatchTx, req: AuthRoleRevokePermissionRequest): void {
    const role = this.roles.get(req.role);
    if (role === undefined) throw new ErrRoleNotFound();
    const kept = role.keyPermission.filter((p) => Buffer.compare(p.key, req.key) !== 0 || Buffer.compare(p.rangeEnd, req.rangeEnd) !== 0);
    if (kept.length === role.keyPermission.length) throw new ErrPermissionNotGranted();
    this.putRole(tx, { ...role, keyPermission: kept });
    this.commitRevision(tx);
  }
}

function sortByBytes(names: string[]): string[] {
  return names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
