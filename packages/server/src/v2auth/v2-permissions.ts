// v2 auth permission rules: a pattern is an exact key, or a prefix when it ends in `*`
// ("/foo/*" grants "/foo/" and everything below). A recursive request needs a `*` pattern covering
// the requested path. Grants and revokes merge like etcd's (sorted sets; duplicates are conflicts).

import { V2AuthError } from './v2-auth-error';
import { ROOT_ROLE_NAME, type GoStrings, type V2Permissions, type V2Role, type V2RwPermission, type V2User } from './v2-auth-types';

/** A key matches an exact pattern, or any key starting with a `*` pattern's prefix. */
export function simpleMatch(pattern: string, key: string): boolean {
  if (pattern === '') return false;
  return pattern.endsWith('*') ? key.startsWith(pattern.slice(0, -1)) : key === pattern;
}

/** Only `*` patterns cover a whole subtree. */
export function prefixMatch(pattern: string, key: string): boolean {
  return pattern.endsWith('*') && key.startsWith(pattern.slice(0, -1));
}

export function hasKeyAccess(role: V2Role, key: string, write: boolean): boolean {
  if (role.role === ROOT_ROLE_NAME) return true;
  return (write ? role.permissions.kv.write : role.permissions.kv.read)?.some((p) => simpleMatch(p, key)) ?? false;
}

export function hasRecursiveAccess(role: V2Role, key: string, write: boolean): boolean {
  if (role.role === ROOT_ROLE_NAME) return true;
  return (write ? role.permissions.kv.write : role.permissions.kv.read)?.some((p) => prefixMatch(p, key)) ?? false;
}

const sorted = (set: Set<string>): string[] => [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

function grantRw(rw: V2RwPermission, add: V2RwPermission): V2RwPermission {
  const read = new Set(rw.read ?? []);
  for (const r of add.read ?? []) {
    if (read.has(r)) throw new V2AuthError(409, `Granting duplicate read permission ${r}`);
    read.add(r);
  }
  const write = new Set(rw.write ?? []);
  for (const w of add.write ?? []) {
    if (write.has(w)) throw new V2AuthError(409, `Granting duplicate write permission ${w}`);
    write.add(w);
  }
  return { read: sorted(read), write: sorted(write) };
}

/** Revoking what was never granted is ignored (etcd only logs it). */
function revokeRw(rw: V2RwPermission, remove: V2RwPermission): V2RwPermission {
  const read = new Set(rw.read ?? []);
  for (const r of remove.read ?? []) read.delete(r);
  const write = new Set(rw.write ?? []);
  for (const w of remove.write ?? []) write.delete(w);
  return { read: sorted(read), write: sorted(write) };
}

/** The stored role after a `{"grant":..., "revoke":...}` update. */
export function mergeRole(old: V2Role, update: V2Role): V2Role {
  if (old.role !== update.role) throw new V2AuthError(409, `Merging role with conflicting names: ${old.role} ${update.role}`);
  let permissions: V2Permissions = old.permissions;
  if (update.grant != null) permissions = { kv: grantRw(permissions.kv, update.grant.kv) };
  if (update.revoke != null) permissions = { kv: revokeRw(permissions.kv, update.revoke.kv) };
  return { role: old.role, permissions };
}

/** The stored user after an update; `hash` turns a new clear password into its stored form. */
export function mergeUser(old: V2User, update: V2User, hash: (password: string) => string): V2User {
  if (old.user !== update.user) throw new V2AuthError(409, `Merging user data with conflicting usernames: ${old.user} ${update.user}`);
  const password = update.password !== '' ? hash(update.password) : old.password;
  const roles = new Set(old.roles ?? []);
  for (const g of update.grant ?? []) {
    if (roles.has(g)) throw new V2AuthError(409, `Granting duplicate role ${g} for user ${update.user}`);
    roles.add(g);
  }
  for (const r of update.revoke ?? []) {
    if (!roles.has(r)) throw new V2AuthError(409, `Revoking ungranted role ${r} for user ${update.user}`);
    roles.delete(r);
  }
  return { user: old.user, password, roles: sorted(roles), grant: null, revoke: null };
}

/** The root user always carries the root role. */
export function withRootRole(u: V2User): V2User {
  if (u.roles?.includes(ROOT_ROLE_NAME) === true) return u;
  return { ...u, roles: [...(u.roles ?? []), ROOT_ROLE_NAME] };
}

export type { GoStrings };
