// user / role / auth over /v2/auth, with etcdctl 3.4's v2 wording: errors are the server's
// `{"message"}` text (or "unexpected status code N" where the Go client does not read it), one
// line on stderr, exit 1.
import type { V2Client } from '../../v2';
import type { V2Command } from './command';
import { V2Exit, type V2Ctl } from './context';

const AUTH_PREFIX = '/v2/auth';

class AuthFailure extends Error {}

function failWith(ctl: V2Ctl, text: string): never {
  ctl.io.err(`${text}\n`);
  return ctl.exit(1);
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The Go client's assertStatusCode + authError: the body's message, or Go's json error. */
function authFailure(status: number, body: string, want: number[], readMessage = true): AuthFailure | undefined {
  if (want.includes(status)) return undefined;
  if (!readMessage) return new AuthFailure(`unexpected status code ${status}`);
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return new AuthFailure(typeof parsed?.message === 'string' ? parsed.message : '');
  } catch {
    return new AuthFailure('invalid character in response body');
  }
}

async function call(ctl: V2Ctl, client: V2Client, method: 'GET' | 'PUT' | 'DELETE', path: string, json?: string): Promise<{ status: number; body: string }> {
  const signal = ctl.totalTimeoutSignal();
  const res = await client.do({ method, path: `${AUTH_PREFIX}${path}`, ...(json !== undefined ? { json } : {}) }, signal ? { signal } : {});
  return { status: res.status, body: res.body };
}

/** Runs an action; any failure is printed as etcdctl prints it. */
async function guarded(ctl: V2Ctl, action: (client: V2Client) => Promise<void>): Promise<void> {
  const client = await ctl.client();
  try {
    await action(client);
  } catch (err) {
    if (err instanceof V2Exit) throw err;
    failWith(ctl, messageOf(err));
  }
}

function oneName(ctl: V2Ctl, what: 'username' | 'role name'): string {
  const name = ctl.args[0];
  if (ctl.args.length !== 1 || name === undefined) failWith(ctl, `Please provide a ${what === 'username' ? 'username' : 'role name'}`);
  return name;
}

function noArgs(ctl: V2Ctl): void {
  if (ctl.args.length !== 0) failWith(ctl, 'No arguments accepted');
}

// ---- auth --------------------------------------------------------------------------------------------

function authEnableDisable(enable: boolean) {
  return async (ctl: V2Ctl): Promise<void> => {
    noArgs(ctl);
    await guarded(ctl, async (client) => {
      const r = await call(ctl, client, enable ? 'PUT' : 'DELETE', '/enable');
      const failure = authFailure(r.status, r.body, [200, 201]);
      if (failure) throw failure;
    });
    ctl.io.out(enable ? 'Authentication Enabled\n' : 'Authentication Disabled\n');
  };
}

export const authCommand: V2Command = {
  name: 'auth',
  usage: 'overall auth controls',
  subcommands: [
    { name: 'enable', usage: 'enable auth access controls', argsUsage: ' ', run: authEnableDisable(true) },
    { name: 'disable', usage: 'disable auth access controls', argsUsage: ' ', run: authEnableDisable(false) },
  ],
};

// ---- user --------------------------------------------------------------------------------------------

/** A password: after the first colon of the argument, else the first line of stdin (no terminal prompt). */
async function passwordOf(ctl: V2Ctl, arg: string): Promise<{ user: string; password: string }> {
  const colon = arg.indexOf(':');
  if (colon >= 0) return { user: arg.slice(0, colon), password: arg.slice(colon + 1) };
  ctl.io.err('New password: ');
  const line = Buffer.from((await ctl.io.stdin()).split('\n')[0] ?? '', 'latin1').toString('utf8');
  return { user: arg, password: line };
}

/** The user as etcd's Go client decodes a GET answer (roles as objects leave "" entries first). */
function decodedRoles(body: string): string[] {
  const parsed = JSON.parse(body) as { roles?: unknown };
  const roles = Array.isArray(parsed.roles) ? parsed.roles : [];
  if (roles.every((r) => typeof r === 'string')) return roles as string[];
  const names = roles.map((r) => (typeof r === 'object' && r !== null && typeof (r as { role?: unknown }).role === 'string' ? (r as { role: string }).role : ''));
  return [...roles.map(() => ''), ...names];
}

async function userAdd(ctl: V2Ctl): Promise<void> {
  const arg = oneName(ctl, 'username');
  const { user, password } = await passwordOf(ctl, arg);
  await guarded(ctl, async (client) => {
    const r = await call(ctl, client, 'PUT', `/users/${user}`, JSON.stringify({ user, password, roles: null }));
    const failure = authFailure(r.status, r.body, [200, 201]);
    if (failure) throw failure;
  });
  ctl.io.out(`User ${user} created\n`);
}

async function userRemove(ctl: V2Ctl): Promise<void> {
  const user = oneName(ctl, 'username');
  await guarded(ctl, async (client) => {
    const r = await call(ctl, client, 'DELETE', `/users/${user}`);
    const failure = authFailure(r.status, r.body, [200, 201]);
    if (failure) throw failure;
  });
  ctl.io.out(`User ${user} removed\n`);
}

async function userList(ctl: V2Ctl): Promise<void> {
  noArgs(ctl);
  let names: string[] = [];
  await guarded(ctl, async (client) => {
    const r = await call(ctl, client, 'GET', '/users');
    const failure = authFailure(r.status, r.body, [200]);
    if (failure) throw failure;
    const users = (JSON.parse(r.body) as { users?: { user?: string }[] | null }).users ?? [];
    names = users.map((u) => u.user ?? '');
  });
  ctl.io.out(names.map((n) => `${n}\n`).join(''));
}

async function userGet(ctl: V2Ctl): Promise<void> {
  const name = oneName(ctl, 'username');
  let out = '';
  await guarded(ctl, async (client) => {
    const r = await call(ctl, client, 'GET', `/users/${name}`);
    const failure = authFailure(r.status, r.body, [200]);
    if (failure) throw failure;
    const user = (JSON.parse(r.body) as { user?: string }).user ?? '';
    out = `User: ${user}\nRoles: ${decodedRoles(r.body).join(' ')}\n`;
  });
  ctl.io.out(out);
}

function userGrantRevoke(grant: boolean) {
  return async (ctl: V2Ctl): Promise<void> => {
    const roles = ctl.string('roles') === '' ? [] : [ctl.string('roles')];
    if (roles.length === 0) failWith(ctl, 'No roles specified; please use `--roles`');
    const user = oneName(ctl, 'username');
    await guarded(ctl, async (client) => {
      const body = JSON.stringify({ user, roles: null, [grant ? 'grant' : 'revoke']: roles });
      const r = await call(ctl, client, 'PUT', `/users/${user}`, body);
      const failure = authFailure(r.status, r.body, [200]);
      if (failure) throw failure;
    });
    ctl.io.out(`User ${user} updated\n`);
  };
}

async function userPasswd(ctl: V2Ctl): Promise<void> {
  const user = oneName(ctl, 'username');
  ctl.io.err('New password: ');
  const password = Buffer.from((await ctl.io.stdin()).split('\n')[0] ?? '', 'latin1').toString('utf8');
  await guarded(ctl, async (client) => {
    const r = await call(ctl, client, 'PUT', `/users/${user}`, JSON.stringify({ user, password, roles: null }));
    const failure = authFailure(r.status, r.body, [200]);
    if (failure) throw failure;
  });
  ctl.io.out('Password updated\n');
}

/** urfave's StringSliceFlag; tsetcdctl keeps the last --roles value (one role per command). */
const ROLES_FLAG = { name: 'roles', kind: 'string' as const, usage: 'List of roles to grant or revoke' };

export const userCommand: V2Command = {
  name: 'user',
  usage: 'user add, grant and revoke subcommands',
  subcommands: [
    { name: 'add', usage: 'add a new user for the etcd cluster', argsUsage: '<user>', run: userAdd },
    { name: 'get', usage: 'get details for a user', argsUsage: '<user>', run: userGet },
    { name: 'list', usage: 'list all current users', argsUsage: '<user>', run: userList },
    { name: 'remove', usage: 'remove a user for the etcd cluster', argsUsage: '<user>', run: userRemove },
    { name: 'grant', usage: 'grant roles to an etcd user', argsUsage: '<user>', flags: [ROLES_FLAG], run: userGrantRevoke(true) },
    { name: 'revoke', usage: 'revoke roles for an etcd user', argsUsage: '<user>', flags: [ROLES_FLAG], run: userGrantRevoke(false) },
    { name: 'passwd', usage: 'change password for a user', argsUsage: '<user>', run: userPasswd },
  ],
};

// ---- role --------------------------------------------------------------------------------------------

interface RoleBody {
  role?: string;
  permissions?: { kv?: { read?: string[] | null; write?: string[] | null } };
}

async function getRole(ctl: V2Ctl, client: V2Client, name: string): Promise<RoleBody> {
  const r = await call(ctl, client, 'GET', `/roles/${name}`);
  const failure = authFailure(r.status, r.body, [200]);
  if (failure) throw failure;
  return JSON.parse(r.body) as RoleBody;
}

async function roleAdd(ctl: V2Ctl): Promise<void> {
  const role = oneName(ctl, 'role name');
  await guarded(ctl, async (client) => {
    let exists = true;
    try {
      await getRole(ctl, client, role);
    } catch {
      exists = false;
    }
    if (exists) failWith(ctl, `Role ${role} already exists`);
    const r = await call(ctl, client, 'PUT', `/roles/${role}`, JSON.stringify({ role, permissions: { kv: { read: null, write: null } } }));
    const failure = authFailure(r.status, r.body, [200, 201]);
    if (failure) throw failure;
  });
  ctl.io.out(`Role ${role} created\n`);
}

async function roleRemove(ctl: V2Ctl): Promise<void> {
  const role = oneName(ctl, 'role name');
  await guarded(ctl, async (client) => {
    const r = await call(ctl, client, 'DELETE', `/roles/${role}`);
    const failure = authFailure(r.status, r.body, [200, 201]);
    if (failure) throw failure;
  });
  ctl.io.out(`Role ${role} removed\n`);
}

async function roleList(ctl: V2Ctl): Promise<void> {
  noArgs(ctl);
  let names: string[] = [];
  await guarded(ctl, async (client) => {
    const r = await call(ctl, client, 'GET', '/roles');
    const failure = authFailure(r.status, r.body, [200], false);
    if (failure) throw failure;
    names = ((JSON.parse(r.body) as { roles?: RoleBody[] | null }).roles ?? []).map((x) => x.role ?? '');
  });
  ctl.io.out(names.map((n) => `${n}\n`).join(''));
}

async function roleGet(ctl: V2Ctl): Promise<void> {
  const name = oneName(ctl, 'role name');
  let out = '';
  await guarded(ctl, async (client) => {
    const role = await getRole(ctl, client, name);
    out = `Role: ${role.role ?? ''}\nKV Read:\n`;
    for (const v of role.permissions?.kv?.read ?? []) out += `\t${v}\n`;
    out += 'KV Write:\n';
    for (const v of role.permissions?.kv?.write ?? []) out += `\t${v}\n`;
  });
  ctl.io.out(out);
}

/** Go's pathutil.CanonicalURLPath: path.Clean of "/"+p, keeping a trailing slash. */
export function canonicalUrlPath(p: string): string {
  if (p === '') return '/';
  const parts: string[] = [];
  for (const seg of `/${p}`.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  let out = `/${parts.join('/')}`;
  if (p.endsWith('/') && out !== '/') out += '/';
  return out;
}

function roleGrantRevoke(grant: boolean) {
  return async (ctl: V2Ctl): Promise<void> => {
    const path = ctl.string('path');
    if (path === '') failWith(ctl, 'No path specified; please use `--path`');
    if (canonicalUrlPath(path) !== path) failWith(ctl, `Not canonical path; please use \`--path=${canonicalUrlPath(path)}\``);
    const read = ctl.bool('read');
    const write = ctl.bool('write');
    const rw = ctl.bool('readwrite');
    if ([read, write, rw].filter(Boolean).length !== 1) failWith(ctl, 'Please specify exactly one of --read, --write or --readwrite');
    const role = oneName(ctl, 'role name');
    const kv = { read: read || rw ? [path] : null, write: write || rw ? [path] : null };
    await guarded(ctl, async (client) => {
      await getRole(ctl, client, role);
      const body = JSON.stringify({ role, permissions: { kv: { read: null, write: null } }, [grant ? 'grant' : 'revoke']: { kv } });
      const r = await call(ctl, client, 'PUT', `/roles/${role}`, body);
      const failure = authFailure(r.status, r.body, [200]);
      if (failure) throw failure;
    });
    ctl.io.out(`Role ${role} updated\n`);
  };
}

function permFlags(verb: 'Grant' | 'Revoke'): V2Command['flags'] {
  const what = verb === 'Grant' ? 'granted' : 'revoked';
  return [
    { name: 'path', kind: 'string', value: '', usage: `Path ${what} for the role to access` },
    { name: 'read', kind: 'bool', usage: verb === 'Grant' ? 'Grant read-only access' : 'Revoke read access' },
    { name: 'write', kind: 'bool', usage: verb === 'Grant' ? 'Grant write-only access' : 'Revoke write access' },
    { name: 'readwrite, rw', kind: 'bool', usage: verb === 'Grant' ? 'Grant read-write access' : 'Revoke read-write access' },
  ];
}

export const roleCommand: V2Command = {
  name: 'role',
  usage: 'role add, grant and revoke subcommands',
  subcommands: [
    { name: 'add', usage: 'add a new role for the etcd cluster', argsUsage: '<role> ', run: roleAdd },
    { name: 'get', usage: 'get details for a role', argsUsage: '<role>', run: roleGet },
    { name: 'list', usage: 'list all roles', argsUsage: ' ', run: roleList },
    { name: 'remove', usage: 'remove a role from the etcd cluster', argsUsage: '<role>', run: roleRemove },
    { name: 'grant', usage: 'grant path matches to an etcd role', argsUsage: '<role>', flags: permFlags('Grant'), run: roleGrantRevoke(true) },
    { name: 'revoke', usage: 'revoke path matches for an etcd role', argsUsage: '<role>', flags: permFlags('Revoke'), run: roleGrantRevoke(false) },
  ],
};
