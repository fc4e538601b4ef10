// etcd 3.4's v2 auth records (users and roles under /2 in the v2 store) and their JSON, with Go's
// encoding/json rules kept where they show: a nil slice is `null`, an empty one `[]`; decoding
// matches field names case-insensitively and ignores unknown fields.

/** A string as Go's encoding/json writes it (<, >, &, U+2028/9 escaped; \b and \f as \u00XX). */
export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/\\.|[<>&\u2028\u2029]/g, (c) => {
    if (c === '\\b') return '\\u0008';
    if (c === '\\f') return '\\u000c';
    if (c.length === 2) return c;
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** A list Go can hold as nil (`null` in JSON) or as an empty or filled slice. */
export type GoStrings = readonly string[] | null;

export interface V2RwPermission {
  readonly read: GoStrings;
  readonly write: GoStrings;
}

export interface V2Permissions {
  readonly kv: V2RwPermission;
}

export interface V2User {
  readonly user: string;
  /** bcrypt hash in the store; the clear password in a request; '' = none (omitted in JSON). */
  readonly password: string;
  readonly roles: GoStrings;
  readonly grant: GoStrings;
  readonly revoke: GoStrings;
}

export interface V2Role {
  readonly role: string;
  readonly permissions: V2Permissions;
  readonly grant?: V2Permissions | null;
  readonly revoke?: V2Permissions | null;
}

export const ROOT_ROLE_NAME = 'root';
export const GUEST_ROLE_NAME = 'guest';
export const ROOT_USER_NAME = 'root';

const ALL_KEYS: V2Permissions = { kv: { read: ['/*'], write: ['/*'] } };
/** The built-in root role (never stored). */
export const ROOT_ROLE: V2Role = { role: ROOT_ROLE_NAME, permissions: ALL_KEYS };
/** The guest role `PUT /v2/auth/enable` creates when none exists. */
export const DEFAULT_GUEST_ROLE: V2Role = { role: GUEST_ROLE_NAME, permissions: ALL_KEYS };

export function emptyUser(name: string): V2User {
  return { user: name, password: '', roles: null, grant: null, revoke: null };
}

/** A JSON shape a request body did not fit (the handler answers "Invalid JSON in request body."). */
export class V2AuthJsonError extends Error {}

function goStringsJson(list: GoStrings): string {
  return list === null ? 'null' : `[${list.map(goJsonString).join(',')}]`;
}

export function permissionsJson(p: V2Permissions): string {
  return `{"kv":{"read":${goStringsJson(p.kv.read)},"write":${goStringsJson(p.kv.write)}}}`;
}

/** Go's json.Marshal of a Role (grant/revoke are omitempty pointers). */
export function roleJson(r: V2Role): string {
  let out = `{"role":${goJsonString(r.role)},"permissions":${permissionsJson(r.permissions)}`;
  if (r.grant != null) out += `,"grant":${permissionsJson(r.grant)}`;
  if (r.revoke != null) out += `,"revoke":${permissionsJson(r.revoke)}`;
  return `${out}}`;
}

/** Go's json.Marshal of a User (password, grant and revoke are omitempty; roles is not). */
export function userJson(u: V2User): string {
  let out = `{"user":${goJsonString(u.user)}`;
  if (u.password !== '') out += `,"password":${goJsonString(u.password)}`;
  out += `,"roles":${goStringsJson(u.roles)}`;
  if (u.grant !== null && u.grant.length > 0) out += `,"grant":${goStringsJson(u.grant)}`;
  if (u.revoke !== null && u.revoke.length > 0) out += `,"revoke":${goStringsJson(u.revoke)}`;
  return `${out}}`;
}

// ---- decoding (Go's encoding/json into the structs above) ---------------------------------------------

function field(obj: Record<string, unknown>, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function asObject(v: unknown): Record<string, unknown> | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw new V2AuthJsonError('not an object');
  return v as Record<string, unknown>;
}

function asString(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'string') throw new V2AuthJsonError('not a string');
  return v;
}

function asStrings(v: unknown): GoStrings {
  if (v === null || v === undefined) return null;
  if (!Array.isArray(v)) throw new V2AuthJsonError('not an array');
  return v.map(asString);
}

function decodePermissions(v: unknown): V2Permissions | null {
  const obj = asObject(v);
  if (obj === null) return null;
  const kv = asObject(field(obj, 'kv'));
  return { kv: { read: asStrings(kv === null ? null : field(kv, 'read')), write: asStrings(kv === null ? null : field(kv, 'write')) } };
}

const NO_PERMISSIONS: V2Permissions = { kv: { read: null, write: null } };

function parseTop(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new V2AuthJsonError('syntax');
  }
  return asObject(v) ?? {};
}

export function decodeUser(text: string): V2User {
  const o = parseTop(text);
  return {
    user: asString(field(o, 'user')),
    password: asString(field(o, 'password')),
    roles: asStrings(field(o, 'roles')),
    grant: asStrings(field(o, 'grant')),
    revoke: asStrings(field(o, 'revoke')),
  };
}

export function decodeRole(text: string): V2Role {
  const o = parseTop(text);
  const grant = decodePermissions(field(o, 'grant'));
  const revoke = decodePermissions(field(o, 'revoke'));
  return {
    role: asString(field(o, 'role')),
    permissions: decodePermissions(field(o, 'permissions')) ?? NO_PERMISSIONS,
    ...(grant !== null ? { grant } : {}),
    ...(revoke !== null ? { revoke } : {}),
  };
}

/** Go's Permissions.IsEmpty on a pointer: nil or no read and no write entries. */
export function permissionsEmpty(p: V2Permissions | null | undefined): boolean {
  return p == null || ((p.kv.read ?? []).length === 0 && (p.kv.write ?? []).length === 0);
}
