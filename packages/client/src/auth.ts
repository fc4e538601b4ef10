// Auth RPCs: enable/disable, users, roles, permissions.
import { AuthDefinition, authpb, type MethodDefinition } from '@tsetcd/api';

const Permission_Type = authpb.Permission_Type;
import { prefixEnd, ALL_KEYS_FROM, toBuffer, type Bytes } from './bytes';
import type { CallOptions, Caller } from './caller';
import { headerFromWire, type ResponseHeader } from './key-value';

export type PermissionType = 'read' | 'write' | 'readwrite';

export interface Permission {
  type: PermissionType;
  key: Buffer;
  /** Empty for a single key; "\0" for every key >= key. */
  rangeEnd: Buffer;
}

const PERM_TYPES: Record<PermissionType, authpb.Permission_Type> = {
  read: Permission_Type.READ,
  write: Permission_Type.WRITE,
  readwrite: Permission_Type.READWRITE,
};
const PERM_NAMES: Record<number, PermissionType> = { [Permission_Type.READ]: 'read', [Permission_Type.WRITE]: 'write', [Permission_Type.READWRITE]: 'readwrite' };

export interface PermissionRange {
  key: Bytes;
  end?: Bytes;
  prefix?: boolean;
  fromKey?: boolean;
}

function permRange(range: PermissionRange): { key: Buffer; rangeEnd: Buffer } {
  const key = toBuffer(range.key);
  if (range.prefix) return { key, rangeEnd: key.length === 0 ? Buffer.from(ALL_KEYS_FROM) : prefixEnd(key) };
  if (range.fromKey) return { key, rangeEnd: Buffer.from(ALL_KEYS_FROM) };
  return { key, rangeEnd: range.end === undefined ? Buffer.alloc(0) : toBuffer(range.end) };
}

type Header = { header: ResponseHeader };

export class AuthApi {
  constructor(private readonly caller: Caller) {}

  async #call<Req, Res extends { header?: unknown }>(method: MethodDefinition<Req, Res>, request: unknown, kind: 'read' | 'write', options: CallOptions): Promise<Res> {
    return this.caller.unary(AuthDefinition, method, (method.requestType as unknown as { fromPartial(o: unknown): Req }).fromPartial(request), kind, options);
  }

  async authEnable(options: CallOptions = {}): Promise<Header> {
    const res = await this.#call(AuthDefinition.methods.authEnable, {}, 'write', options);
    return { header: headerFromWire(res.header) };
  }

  async authDisable(options: CallOptions = {}): Promise<Header> {
    const res = await this.#call(AuthDefinition.methods.authDisable, {}, 'write', options);
    return { header: headerFromWire(res.header) };
  }

  async userAdd(name: string, password: string | undefined, options: CallOptions = {}): Promise<Header> {
    const res = await this.#call(
      AuthDefinition.methods.userAdd,
      { name, password: password ?? '', options: { noPassword: password === undefined } },
      'write',
      options,
    );
    return { header: headerFromWire(res.header) };
  }

  async userGet(name: string, options: CallOptions = {}): Promise<Header & { roles: string[] }> {
    const res = await this.#call(AuthDefinition.methods.userGet, { name }, 'read', options);
    return { header: headerFromWire(res.header), roles: [...res.roles] };
  }

  async userList(options: CallOptions = {}): Promise<Header & { users: string[] }> {
    const res = await this.#call(AuthDefinition.methods.userList, {}, 'read', options);
    return { header: headerFromWire(res.header), users: [...res.users] };
  }

  async userDelete(name: string, options: CallOptions = {}): Promise<Header> {
    const res = await this.#call(AuthDefinition.methods.userDelete, { name }, 'write', options);
    return { header: headerFromWire(res.header) };
  }

  async userChangePassword(name: string, password: string, options: CallOptions = {}): Promise<Header> {
    const res = await this.#call(AuthDefinition.methods.userChangePassword, { name, password }, 'write', options);
    return { header: headerFromWire(res.header) };
  }

  async userGrantRole(user: string, role: string, options: CallOptions = {}): Promise<Header> {
    const res = await this.#call(AuthDefinition.methods.userGrantRole, { user, role }, 'write', options);
    return { header: headerFromWire(res.header) };
  }

  async userRevokeRole(name: string, role: string, options: CallOptions = {}): Promise<Header> {
    const res = await this.#call(AuthDefinition.methods.userRevokeRole, { name, role }, 'write', options);
    return { header: headerFromWire(res.header) };
  }

  async roleAdd(name: string, options: CallOptions = {}): Promise<Header> {
    const res = await this.#call(AuthDefinition.methods.roleAdd, { name }, 'write', options);
    return { header: headerFromWire(res.header) };
  }

  async roleGet(role: string, options: CallOptions = {}): Promise<Header & { permissions: Permission[] }> {
    const res = await this.#call(AuthDefinition.methods.roleGet, { role }, 'read', options);
    return {
      header: headerFromWire(res.header),
      permissions: res.perm.map((p) => ({ type: PERM_NAMES[p.permType] ?? 'read', key: p.key, rangeEnd: p.rangeEnd })),
    };
  }

  async roleList(options: CallOptions = {}): Promise<Header & { roles: string[] }> {
    const res = await this.#call(AuthDefinition.methods.roleList, {}, 'read', options);
    return { header: headerFromWire(res.header), roles: [...res.roles] };
  }

  async roleDelete(role: string, options: CallOptions = {}): Promise<Header> {
    const res = await this.#call(AuthDefinition.methods.roleDelete, { role }, 'write', options);
    return { header: headerFromWire(res.header) };
  }

  async roleGrantPermission(role: string, type: PermissionType, range: PermissionRange, options: CallOptions = {}): Promise<Header> {
    const { key, rangeEnd } = permRange(range);
    const res = await this.#call(AuthDefinition.methods.roleGrantPermission, { name: role, perm: { permType: PERM_TYPES[type], key, rangeEnd } }, 'write', options);
    return { header: headerFromWire(res.header) };
  }

  async roleRevokePermission(role: string, range: PermissionRange, options: CallOptions = {}): Promise<Header> {
    const { key, rangeEnd } = permRange(range);
    const res = await this.#call(AuthDefinition.methods.roleRevokePermission, { role, key, rangeEnd }, 'write', options);
    return { header: headerFromWire(res.header) };
  }
}
