// Who may do what once v2 auth is on: HTTP Basic credentials -> user (bcrypt check) -> roles ->
// permission for the key. No Authorization header = the guest role. Admin endpoints (/v2/auth,
// member writes) need a user holding the root role. Every check first reads /2/enabled, as
// etcd's does, so auth off costs one counted store get.

import { GUEST_ROLE_NAME, ROOT_ROLE_NAME, type V2User } from './v2-auth-types';
import { hasKeyAccess, hasRecursiveAccess } from './v2-permissions';
import type { V2SecurityStore } from './v2-security-store';

/** What a check needs from an HTTP request. */
export interface V2AccessRequest {
  readonly method: string;
  /** The Authorization header, if any. */
  readonly authorization?: string | undefined;
}

const BASIC_PREFIX = 'basic ';

/** Go's Request.BasicAuth: "Basic <base64(user:password)>", scheme case-insensitive. */
export function parseBasicAuth(header: string | undefined): { username: string; password: string } | undefined {
  if (header === undefined || header.length < BASIC_PREFIX.length) return undefined;
  if (header.slice(0, BASIC_PREFIX.length).toLowerCase() !== BASIC_PREFIX) return undefined;
  const encoded = header.slice(BASIC_PREFIX.length);
  // Go's StdEncoding is strict: padded, standard alphabet only.
  if (encoded.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

const isWrite = (method: string): boolean => method !== 'GET' && method !== 'HEAD';

async function userFromBasicAuth(sec: V2SecurityStore, header: string | undefined): Promise<V2User | undefined> {
  const creds = parseBasicAuth(header);
  if (creds === undefined) return undefined;
  let user: V2User;
  try {
    user = await sec.getUser(creds.username);
  } catch {
    return undefined;
  }
  return sec.checkPassword(user, creds.password) ? user : undefined;
}

/** A user with the root role, or auth off. */
export async function hasRootAccess(sec: V2SecurityStore | undefined, req: V2AccessRequest): Promise<boolean> {
  if (sec === undefined || !(await sec.authEnabled())) return true;
  const user = await userFromBasicAuth(sec, req.authorization);
  return user?.roles?.includes(ROOT_ROLE_NAME) === true;
}

/** Reads are open to everyone; other methods need root access. */
export async function hasWriteRootAccess(sec: V2SecurityStore | undefined, req: V2AccessRequest): Promise<boolean> {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  return hasRootAccess(sec, req);
}

async function hasGuestAccess(sec: V2SecurityStore, req: V2AccessRequest, key: string): Promise<boolean> {
  try {
    return hasKeyAccess(await sec.getRole(GUEST_ROLE_NAME), key, isWrite(req.method));
  } catch {
    return false;
  }
}

/**
 * The /v2/keys check: `key` is the request's path below /v2/keys as sent (decoded, not cleaned),
 * `recursive` the parsed request's flag.
 */
export async function hasKeyPrefixAccess(sec: V2SecurityStore | undefined, req: V2AccessRequest, key: string, recursive: boolean): Promise<boolean> {
  if (sec === undefined || !(await sec.authEnabled())) return true;
  if (req.authorization === undefined || req.authorization === '') return hasGuestAccess(sec, req, key);
  const user = await userFromBasicAuth(sec, req.authorization);
  if (user === undefined) return false;
  const write = isWrite(req.method);
  for (const roleName of user.roles ?? []) {
    let role;
    try {
      role = await sec.getRole(roleName);
    } catch {
      continue; // a granted role that no longer exists grants nothing
    }
    if (recursive ? hasRecursiveAccess(role, key, write) : hasKeyAccess(role, key, write)) return true;
  }
  return false;
}
