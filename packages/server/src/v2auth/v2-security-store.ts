// etcd 3.4's v2 security store: users, roles and the on/off switch kept as JSON values in the v2
// store under /2 (`/2/users/<name>`, `/2/roles/<name>`, `/2/enabled`), read and written through
// the member's v2 request path, so they replicate through raft and live in snapshots like any v2
// key. Reads are local GETs (counted in /v2/stats/store as etcd's are), existence checks before a
// write are quorum GETs, writes are PUT/DELETE proposals with prevExist.

import { Request } from '@tsetcd/api';
import { V2Error, V2_ERROR_CODES, type V2Event } from '../v2store';
import { bcryptHash, BCRYPT_DEFAULT_COST } from '../pkg/bcrypt';
import { VerifiedPasswords } from '../pkg/verified-passwords';
import { V2AuthError } from './v2-auth-error';
import {
  DEFAULT_GUEST_ROLE,
  GUEST_ROLE_NAME,
  ROOT_ROLE,
  ROOT_ROLE_NAME,
  ROOT_USER_NAME,
  decodeRole,
  decodeUser,
  roleJson,
  userJson,
  type V2Role,
  type V2User,
} from './v2-auth-types';
import { mergeRole, mergeUser, withRootRole } from './v2-permissions';

/** etcd's StorePermsPrefix. */
export const STORE_PERMS_PREFIX = '/2';

/** The member's v2 request path (V2Server.doV2: GET local, everything else through raft). */
export interface V2Doer {
  doV2(request: Request): Promise<V2Event>;
}

export interface V2SecurityStoreOptions {
  /** bcrypt cost for new password hashes (etcd: bcrypt.DefaultCost = 10). */
  readonly bcryptCost?: number;
}

function isV2Code(err: unknown, code: number): boolean {
  return err instanceof V2Error && err.errorCode === code;
}

function nodeValue(ev: V2Event): string {
  return ev.node.value ?? '';
}

const lastSegment = (key: string | undefined): string => (key ?? '').slice((key ?? '').lastIndexOf('/') + 1);

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export class V2SecurityStore {
  private ensuredOnce = false;
  private readonly verified = new VerifiedPasswords();
  private readonly cost: number;

  constructor(
    private readonly server: V2Doer,
    opts: V2SecurityStoreOptions = {},
  ) {
    this.cost = opts.bcryptCost ?? BCRYPT_DEFAULT_COST;
  }

  // ---- passwords ---------------------------------------------------------------------------------------

  hashPassword(password: string): string {
    return bcryptHash(password, this.cost);
  }

  /** etcd checks the password on every request: verified pairs are remembered (pkg/verified-passwords). */
  checkPassword(user: V2User, password: string): boolean {
    return this.verified.check(user.password, password);
  }

  // ---- users -------------------------------------------------------------------------------------------

  async allUsers(): Promise<string[]> {
    let ev: V2Event;
    try {
      ev = await this.requestResource('/users/', false);
    } catch (err) {
      if (isV2Code(err, V2_ERROR_CODES.KeyNotFound)) return [];
      throw err;
    }
    return (ev.node.nodes ?? []).map((n) => lastSegment(n.key)).sort(byteOrder);
  }

  getUser(name: string): Promise<V2User> {
    return this.readUser(name, false);
  }

  /** PUT of a user with neither roles nor grant/revoke: update when it exists, else create. */
  async createOrUpdateUser(user: V2User): Promise<{ user: V2User; created: boolean }> {
    try {
      await this.readUser(user.user, true);
    } catch {
      return { user: await this.createUser(user), created: true };
    }
    return { user: await this.updateUser(user), created: false };
  }

  async createUser(input: V2User): Promise<V2User> {
    const user = input.user === ROOT_USER_NAME ? withRootRole(input) : input;
    if (user.password === '') throw new V2AuthError(400, `Cannot create user ${user.user} with an empty password`);
    const stored: V2User = { ...user, password: this.hashPassword(user.password) };
    try {
      await this.createResource(`/users/${stored.user}`, userJson(stored));
    } catch (err) {
      if (isV2Code(err, V2_ERROR_CODES.NodeExist)) throw new V2AuthError(409, `User ${stored.user} already exists.`);
      throw err;
    }
    return stored;
  }

  async deleteUser(name: string): Promise<void> {
    if (name === ROOT_USER_NAME && (await this.authEnabled())) {
      throw new V2AuthError(403, 'Cannot delete root user while auth is enabled.');
    }
    try {
      await this.deleteResource(`/users/${name}`);
    } catch (err) {
      if (isV2Code(err, V2_ERROR_CODES.KeyNotFound)) throw new V2AuthError(404, `User ${name} does not exist`);
      throw err;
    }
  }

  async updateUser(update: V2User): Promise<V2User> {
    // A missing user answers readUser's "does not exist." (etcd's own "doesn't exist." branch is
    // unreachable: it tests for a store error that getUser has already turned into an auth error).
    const old = await this.readUser(update.user, true);
    const next = mergeUser(old, update, (pw) => this.hashPassword(pw));
    if (userJson(old) === userJson(next)) {
      throw new V2AuthError(400, 'User not updated. Use grant/revoke/password to update the user.');
    }
    await this.updateResource(`/users/${update.user}`, userJson(next));
    return next;
  }

  // ---- roles -------------------------------------------------------------------------------------------

  /** Every role name, root included, sorted. */
  async allRoles(): Promise<string[]> {
    let ev: V2Event;
    try {
      ev = await this.requestResource('/roles/', false);
    } catch (err) {
      if (isV2Code(err, V2_ERROR_CODES.KeyNotFound)) return [ROOT_ROLE_NAME];
      throw err;
    }
    return [ROOT_ROLE_NAME, ...(ev.node.nodes ?? []).map((n) => lastSegment(n.key))].sort(byteOrder);
  }

  getRole(name: string): Promise<V2Role> {
    return this.readRole(name, false);
  }

  async createRole(role: V2Role): Promise<void> {
    if (role.role === ROOT_ROLE_NAME) throw new V2AuthError(403, `Cannot modify role ${role.role}: is root role.`);
    try {
      await this.createResource(`/roles/${role.role}`, roleJson(role));
    } catch (err) {
      if (isV2Code(err, V2_ERROR_CODES.NodeExist)) throw new V2AuthError(409, `Role ${role.role} already exists.`);
      throw err;
    }
  }

  async deleteRole(name: string): Promise<void> {
    if (name === ROOT_ROLE_NAME) throw new V2AuthError(403, `Cannot modify role ${name}: is root role.`);
    try {
      await this.deleteResource(`/roles/${name}`);
    } catch (err) {
      if (isV2Code(err, V2_ERROR_CODES.KeyNotFound)) throw new V2AuthError(404, `Role ${name} doesn't exist.`);
      throw err;
    }
  }

  async updateRole(update: V2Role): Promise<V2Role> {
    if (update.role === ROOT_ROLE_NAME) throw new V2AuthError(403, `Cannot modify role ${update.role}: is root role.`);
    const old = await this.readRole(update.role, true);
    const next = mergeRole(old, update);
    if (roleJson(old) === roleJson(next)) throw new V2AuthError(400, 'Role not updated. Use grant/revoke to update the role.');
    await this.updateResource(`/roles/${update.role}`, roleJson(next));
    return next;
  }

  // ---- the switch --------------------------------------------------------------------------------------

  /** A counted local GET of /2/enabled, like etcd's detectAuth (errors read as "off"). */
  async authEnabled(): Promise<boolean> {
    let ev: V2Event;
    try {
      ev = await this.requestResource('/enabled', false);
    } catch {
      return false;
    }
    try {
      return JSON.parse(nodeValue(ev)) === true;
    } catch {
      return false;
    }
  }

  async enableAuth(): Promise<void> {
    if (await this.authEnabled()) throw new V2AuthError(409, 'already enabled');
    try {
      await this.readUser(ROOT_USER_NAME, true);
    } catch {
      throw new V2AuthError(409, 'No root user available, please create one');
    }
    try {
      await this.readRole(GUEST_ROLE_NAME, true);
    } catch {
      await this.createRole(DEFAULT_GUEST_ROLE);
    }
    await this.updateResource('/enabled', 'true');
  }

  async disableAuth(): Promise<void> {
    if (!(await this.authEnabled())) throw new V2AuthError(409, 'already disabled');
    await this.updateResource('/enabled', 'false');
  }

  // ---- the store underneath ----------------------------------------------------------------------------

  private async readUser(name: string, quorum: boolean): Promise<V2User> {
    let ev: V2Event;
    try {
      ev = await this.requestResource(`/users/${name}`, quorum);
    } catch (err) {
      if (isV2Code(err, V2_ERROR_CODES.KeyNotFound)) throw new V2AuthError(404, `User ${name} does not exist.`);
      throw err;
    }
    const u = decodeUser(nodeValue(ev));
    return u.user === ROOT_USER_NAME ? withRootRole(u) : u;
  }

  private async readRole(name: string, quorum: boolean): Promise<V2Role> {
    if (name === ROOT_ROLE_NAME) return ROOT_ROLE;
    let ev: V2Event;
    try {
      ev = await this.requestResource(`/roles/${name}`, quorum);
    } catch (err) {
      if (isV2Code(err, V2_ERROR_CODES.KeyNotFound)) throw new V2AuthError(404, `Role ${name} does not exist.`);
      throw err;
    }
    return decodeRole(nodeValue(ev));
  }

  private requestResource(res: string, quorum: boolean): Promise<V2Event> {
    return this.server.doV2(Request.fromPartial({ Method: quorum ? 'QGET' : 'GET', Path: joinPerms(res) }));
  }

  /** Creates /2, /2/users, /2/roles and /2/enabled=false once per member (existing ones are fine). */
  private async ensureAuthDirectories(): Promise<void> {
    if (this.ensuredOnce) return;
    for (const res of [STORE_PERMS_PREFIX, `${STORE_PERMS_PREFIX}/users/`, `${STORE_PERMS_PREFIX}/roles/`]) {
      try {
        await this.server.doV2(Request.fromPartial({ Method: 'PUT', Path: res, Dir: true, PrevExist: false }));
      } catch (err) {
        if (!isV2Code(err, V2_ERROR_CODES.NodeExist)) throw err;
      }
    }
    try {
      await this.server.doV2(Request.fromPartial({ Method: 'PUT', Path: `${STORE_PERMS_PREFIX}/enabled`, Val: 'false', PrevExist: false }));
    } catch (err) {
      if (!isV2Code(err, V2_ERROR_CODES.NodeExist)) throw err;
    }
    this.ensuredOnce = true;
  }

  private async setResource(res: string, json: string, prevExist: boolean): Promise<V2Event> {
    await this.ensureAuthDirectories();
    return this.server.doV2(Request.fromPartial({ Method: 'PUT', Path: joinPerms(res), Val: json, PrevExist: prevExist }));
  }

  private updateResource(res: string, json: string): Promise<V2Event> {
    return this.setResource(res, json, true);
  }

  private createResource(res: string, json: string): Promise<V2Event> {
    return this.setResource(res, json, false);
  }

  private async deleteResource(res: string): Promise<void> {
    await this.ensureAuthDirectories();
    await this.server.doV2(Request.fromPartial({ Method: 'DELETE', Path: joinPerms(res), PrevExist: true }));
  }
}

/** Go's path.Join(StorePermsPrefix, res): cleaned, no trailing slash. */
function joinPerms(res: string): string {
  const parts: string[] = [];
  for (const seg of `${STORE_PERMS_PREFIX}/${res}`.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}
