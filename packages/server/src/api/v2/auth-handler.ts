// /v2/auth: etcd 3.4's v2 user/role administration and the auth switch.
//   /v2/auth/users[/]        GET            all users with their roles
//   /v2/auth/users/<name>    GET PUT DELETE one user (PUT: create, password change, grant/revoke)
//   /v2/auth/roles[/]        GET            all roles (root included)
//   /v2/auth/roles/<name>    GET PUT DELETE one role (PUT: create with permissions, grant/revoke)
//   /v2/auth/enable          GET PUT DELETE state / enable (needs a root user) / disable
// Everything except GET /v2/auth/enable needs root access once auth is on. Bodies and statuses
// follow etcd: `{"message":"auth: ..."}` for auth errors, JSON + "\n" for answers.

import { V2_MAX_FORM_BYTES } from '../../config/limits';
import { methodNotAllowed } from '../http/responses';
import type { HttpHandler, HttpRequest, HttpResponse } from '../http/types';
import { V2Error } from '../../v2store';
import {
  V2AuthError,
  V2AuthJsonError,
  decodeRole,
  decodeUser,
  hasRootAccess,
  hasWriteRootAccess,
  permissionsEmpty,
  roleJson,
  userJson,
  type V2AccessRequest,
  type V2Role,
  type V2SecurityStore,
  type V2User,
} from '../../v2auth';
import { goJsonString } from '../../v2auth';
import { v2ErrorResponse } from './keys-handler';

export const AUTH_PREFIX = '/v2/auth';
export const AUTH_USERS_PATH = `${AUTH_PREFIX}/users`;
export const AUTH_ROLES_PATH = `${AUTH_PREFIX}/roles`;
export const AUTH_ENABLE_PATH = `${AUTH_PREFIX}/enable`;

export interface V2AuthBackend {
  readonly security: V2SecurityStore;
  clusterIdHex(): string;
}

/** httptypes.HTTPError: `{"message":...}` without a trailing newline. */
function httpError(status: number, message: string, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { ...headers, 'Content-Type': 'application/json' }, body: `{"message":${goJsonString(message)}}` };
}

const NO_AUTH = httpError(401, 'Insufficient credentials');

/** etcd's writeError after the answer headers are set: auth errors, v2 store errors, else 500. */
function errorResponse(err: unknown, clusterId: string): HttpResponse {
  const headers = { 'X-Etcd-Cluster-Id': clusterId };
  if (err instanceof V2AuthError) return httpError(err.httpStatus, err.message, headers);
  if (err instanceof V2Error) return v2ErrorResponse(err, clusterId);
  return httpError(500, 'Internal Server Error', headers);
}

/** The method and Authorization header of a request, for the v2auth checks. */
export function v2AccessRequest(req: HttpRequest): V2AccessRequest {
  const h = req.headers.authorization;
  return { method: req.method, authorization: Array.isArray(h) ? h[0] : h };
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Go's path.Clean(sub).split("/"): ["", "users"] or ["", "users", "<name>"], or more. */
function pieces(sub: string): string[] {
  const parts: string[] = [];
  for (const seg of sub.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return ['', ...parts];
}

async function usersWithRoles(sec: V2SecurityStore, user: V2User, skipMissing: boolean): Promise<string> {
  const roles: string[] = [];
  for (const name of user.roles ?? []) {
    try {
      roles.push(roleJson(await sec.getRole(name)));
    } catch (err) {
      if (!skipMissing) throw err;
    }
  }
  return `{"user":${goJsonString(user.user)}${roles.length > 0 ? `,"roles":[${roles.join(',')}]` : ''}}`;
}

export function authHandler(backend: V2AuthBackend): HttpHandler {
  const sec = backend.security;

  return async (req: HttpRequest): Promise<HttpResponse> => {
    const path = decodePath(req.path);
    const access = v2AccessRequest(req);
    const clusterId = backend.clusterIdHex();
    const headers = { 'Content-Type': 'application/json', 'X-Etcd-Cluster-Id': clusterId };
    const ok = (status: number, body: string): HttpResponse => ({ status, headers, body });
    const json = (status: number, text: string): HttpResponse => ok(status, `${text}\n`);

    const readJson = async <T>(decode: (text: string) => T): Promise<T | HttpResponse> => {
      try {
        return decode((await req.readBody(V2_MAX_FORM_BYTES)).toString('utf8'));
      } catch (err) {
        if (err instanceof V2AuthJsonError) return httpError(400, 'Invalid JSON in request body.', headers);
        throw err;
      }
    };

    const baseUsers = async (): Promise<HttpResponse> => {
      if (req.method !== 'GET') return methodNotAllowed('GET');
      if (!(await hasRootAccess(sec, access))) return NO_AUTH;
      const names = await sec.allUsers();
      const out: string[] = [];
      for (const name of names) out.push(await usersWithRoles(sec, await sec.getUser(name), true));
      return json(200, `{"users":${out.length === 0 ? 'null' : `[${out.join(',')}]`}}`);
    };

    const baseRoles = async (): Promise<HttpResponse> => {
      if (req.method !== 'GET') return methodNotAllowed('GET');
      if (!(await hasRootAccess(sec, access))) return NO_AUTH;
      const out: string[] = [];
      for (const name of await sec.allRoles()) out.push(roleJson(await sec.getRole(name)));
      return json(200, `{"roles":[${out.join(',')}]}`);
    };

    const forUser = async (name: string): Promise<HttpResponse> => {
      if (!['GET', 'PUT', 'DELETE'].includes(req.method)) return methodNotAllowed('GET,PUT,DELETE');
      if (!(await hasRootAccess(sec, access))) return NO_AUTH;
      if (req.method === 'GET') return json(200, await usersWithRoles(sec, await sec.getUser(name), false));
      if (req.method === 'DELETE') {
        await sec.deleteUser(name);
        return ok(200, '');
      }
      const u = await readJson(decodeUser);
      if ('status' in u) return u;
      if (u.user !== name) return httpError(400, 'User JSON name does not match the name in the URL', headers);
      let out: V2User;
      let created = false;
      if ((u.grant ?? []).length === 0 && (u.revoke ?? []).length === 0) {
        if ((u.roles ?? []).length !== 0) out = await sec.createUser(u);
        else ({ user: out, created } = await sec.createOrUpdateUser(u));
      } else {
        if ((u.roles ?? []).length !== 0) return httpError(400, 'User JSON contains both roles and grant/revoke', headers);
        out = await sec.updateUser(u);
      }
      return json(created ? 201 : 200, userJson({ ...out, password: '' }));
    };

    const forRole = async (name: string): Promise<HttpResponse> => {
      if (!['GET', 'PUT', 'DELETE'].includes(req.method)) return methodNotAllowed('GET,PUT,DELETE');
      if (!(await hasRootAccess(sec, access))) return NO_AUTH;
      if (req.method === 'GET') return json(200, roleJson(await sec.getRole(name)));
      if (req.method === 'DELETE') {
        await sec.deleteRole(name);
        return ok(200, '');
      }
      const r = await readJson(decodeRole);
      if ('status' in r) return r;
      if (r.role !== name) return httpError(400, 'Role JSON name does not match the name in the URL', headers);
      if (permissionsEmpty(r.grant) && permissionsEmpty(r.revoke)) {
        await sec.createRole(r);
        return json(201, roleJson(r));
      }
      if (!permissionsEmpty(r.permissions)) return httpError(400, 'Role JSON contains both permissions and grant/revoke', headers);
      const out: V2Role = await sec.updateRole(r);
      return json(200, roleJson(out));
    };

    const enable = async (): Promise<HttpResponse> => {
      if (!['GET', 'PUT', 'DELETE'].includes(req.method)) return methodNotAllowed('GET,PUT,DELETE');
      if (!(await hasWriteRootAccess(sec, access))) return NO_AUTH;
      const enabled = await sec.authEnabled();
      if (req.method === 'GET') return json(200, `{"enabled":${enabled}}`);
      if (req.method === 'PUT') await sec.enableAuth();
      else await sec.disableAuth();
      return ok(200, '');
    };

    try {
      if (path === AUTH_ENABLE_PATH) return await enable();
      if (path === AUTH_USERS_PATH) return await baseUsers();
      if (path === AUTH_ROLES_PATH) return await baseRoles();
      const p = pieces(path.slice(AUTH_PREFIX.length));
      const kind = p[1];
      if (kind !== 'users' && kind !== 'roles') return httpError(400, 'Invalid path');
      if (p.length === 2) return await (kind === 'users' ? baseUsers() : baseRoles());
      if (p.length !== 3) return httpError(400, 'Invalid path');
      return await (kind === 'users' ? forUser(p[2]!) : forRole(p[2]!));
    } catch (err) {
      return errorResponse(err, clusterId);
    }
  };
}
