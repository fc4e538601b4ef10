// user / role / auth commands (simple output; json for the plain-header answers).
import { prefixEnd, type Permission } from '../../index';
import { EXIT_BAD_ARGS, EXIT_BAD_FEATURE, fail } from '../exit-codes';
import type { CtlContext } from '../global';
import { fieldsHeader } from '../print-fields';
import { goQuote } from '../go-format';
import { call } from './kv';
import { boolFlag, strFlag, type CtlCommand } from './types';

function simpleOnly(ctx: CtlContext, what: string): void {
  if (ctx.format !== 'simple') fail(EXIT_BAD_FEATURE, `${what} -w ${ctx.format} is not implemented by tsetcdctl`);
}

/** etcdctl's fields and table printers have no form for this answer: they fail after the call. */
function noPrinter(ctx: CtlContext): void {
  if (ctx.format === 'fields' || ctx.format === 'table') fail(EXIT_BAD_FEATURE, `${ctx.format} not supported as output format`);
}

function nArgs(ctx: CtlContext, n: number, message: string): string[] {
  if (ctx.flags.args.length !== n) fail(EXIT_BAD_ARGS, message);
  return ctx.flags.args;
}

export const userAddCommand: CtlCommand = {
  path: ['user', 'add'],
  flags: [strFlag('new-user-password'), { ...boolFlag('interactive'), default: 'true' }, boolFlag('no-password')],
  async run(ctx) {
    const [arg = ''] = nArgs(ctx, 1, 'user add command requires user name as its argument');
    let user = arg;
    let password: string | undefined;
    if (!ctx.flags.bool('no-password')) {
      const fromFlag = ctx.flags.str('new-user-password');
      if (fromFlag !== '') password = fromFlag;
      else {
        const i = arg.indexOf(':');
        if (i < 0) fail(EXIT_BAD_ARGS, 'password prompt is not supported by tsetcdctl; use name:password or --new-user-password');
        user = arg.slice(0, i);
        password = arg.slice(i + 1);
        if (user === '') fail(EXIT_BAD_ARGS, 'empty user name is not allowed');
      }
    }
    const added = await call(ctx.client().auth.userAdd(user, password));
    if (ctx.format === 'fields') return ctx.out(fieldsHeader(added.header));
    simpleOnly(ctx, 'user add');
    ctx.out(`User ${user} created\n`);
  },
};

export const userGetCommand: CtlCommand = {
  path: ['user', 'get'],
  flags: [boolFlag('detail')],
  async run(ctx) {
    const [name = ''] = nArgs(ctx, 1, 'user get command requires user name as its argument');
    if (ctx.flags.bool('detail')) fail(EXIT_BAD_FEATURE, 'user get --detail is not implemented by tsetcdctl');
    const r = await call(ctx.client().auth.userGet(name));
    noPrinter(ctx);
    simpleOnly(ctx, 'user get');
    ctx.out(`User: ${name}\nRoles:${r.roles.map((x) => ` ${x}`).join('')}\n`);
  },
};

export const userListCommand: CtlCommand = {
  path: ['user', 'list'],
  flags: [],
  async run(ctx) {
    nArgs(ctx, 0, 'user list command requires no arguments');
    const r = await call(ctx.client().auth.userList());
    noPrinter(ctx);
    simpleOnly(ctx, 'user list');
    ctx.out(r.users.map((u) => `${u}\n`).join(''));
  },
};

export const userDeleteCommand: CtlCommand = {
  path: ['user', 'delete'],
  flags: [],
  async run(ctx) {
    const [name = ''] = nArgs(ctx, 1, 'user delete command requires user name as its argument');
    const header = await call(ctx.client().auth.userDelete(name));
    if (ctx.format === 'fields') return ctx.out(fieldsHeader(header.header));
    simpleOnly(ctx, 'user delete');
    ctx.out(`User ${name} deleted\n`);
  },
};

export const userGrantRoleCommand: CtlCommand = {
  path: ['user', 'grant-role'],
  flags: [],
  async run(ctx) {
    const [user = '', role = ''] = nArgs(ctx, 2, 'user grant command requires user name and role name as its argument');
    const header = await call(ctx.client().auth.userGrantRole(user, role));
    if (ctx.format === 'fields') return ctx.out(fieldsHeader(header.header));
    simpleOnly(ctx, 'user grant-role');
    ctx.out(`Role ${role} is granted to user ${user}\n`);
  },
};

export const userRevokeRoleCommand: CtlCommand = {
  path: ['user', 'revoke-role'],
  flags: [],
  async run(ctx) {
    const [user = '', role = ''] = nArgs(ctx, 2, 'user revoke-role requires user name and role name as its argument');
    const header = await call(ctx.client().auth.userRevokeRole(user, role));
    if (ctx.format === 'fields') return ctx.out(fieldsHeader(header.header));
    simpleOnly(ctx, 'user revoke-role');
    ctx.out(`Role ${role} is revoked from user ${user}\n`);
  },
};

export const roleAddCommand: CtlCommand = {
  path: ['role', 'add'],
  flags: [],
  async run(ctx) {
    const [role = ''] = nArgs(ctx, 1, 'role add command requires role name as its argument');
    const header = await call(ctx.client().auth.roleAdd(role));
    if (ctx.format === 'fields') return ctx.out(fieldsHeader(header.header));
    simpleOnly(ctx, 'role add');
    ctx.out(`Role ${role} created\n`);
  },
};

export const roleDeleteCommand: CtlCommand = {
  path: ['role', 'delete'],
  flags: [],
  async run(ctx) {
    const [role = ''] = nArgs(ctx, 1, 'role delete command requires role name as its argument');
    const header = await call(ctx.client().auth.roleDelete(role));
    if (ctx.format === 'fields') return ctx.out(fieldsHeader(header.header));
    simpleOnly(ctx, 'role delete');
    ctx.out(`Role ${role} deleted\n`);
  },
};

export const roleListCommand: CtlCommand = {
  path: ['role', 'list'],
  flags: [],
  async run(ctx) {
    nArgs(ctx, 0, 'role list command requires no arguments');
    const r = await call(ctx.client().auth.roleList());
    if (ctx.format === 'fields') return ctx.out(`${fieldsHeader(r.header)}"Roles" :${r.roles.map((x) => ` ${goQuote(x)}`).join('')}\n`);
    simpleOnly(ctx, 'role list');
    ctx.out(r.roles.map((x) => `${x}\n`).join(''));
  },
};

function permLine(p: Permission): string {
  const key = p.key.toString('latin1');
  if (p.rangeEnd.length === 0) return `\t${key}\n`;
  const end = p.rangeEnd.toString('latin1');
  let line = end !== '\x00' ? `\t[${key}, ${end})` : `\t[${key}, <open ended>`;
  if (Buffer.from(prefixEnd(Buffer.from(key, 'latin1'))).toString('latin1') === end) line += ` (prefix ${key})`;
  return `${line}\n`;
}

export const roleGetCommand: CtlCommand = {
  path: ['role', 'get'],
  flags: [],
  async run(ctx) {
    const [role = ''] = nArgs(ctx, 1, 'role get command requires role name as its argument');
    const r = await call(ctx.client().auth.roleGet(role));
    if (ctx.format === 'fields') {
      const perms = r.permissions.map((p) => `"PermType" :  ${p.type.toUpperCase()}\n"Key" : ${goQuote(p.key.toString('utf8'))}\n"RangeEnd" : ${goQuote(p.rangeEnd.toString('utf8'))}\n`);
      return ctx.out(fieldsHeader(r.header) + perms.join(''));
    }
    simpleOnly(ctx, 'role get');
    let out = `Role ${role}\nKV Read:\n`;
    for (const p of r.permissions) if (p.type === 'read' || p.type === 'readwrite') out += permLine(p);
    out += 'KV Write:\n';
    for (const p of r.permissions) if (p.type === 'write' || p.type === 'readwrite') out += permLine(p);
    ctx.out(out);
  },
};

/** etcdctl's permRange: the key and range end a grant/revoke names. */
function permRange(ctx: CtlContext, args: string[]): { key: string; end: string } {
  const prefix = ctx.flags.bool('prefix');
  const fromKey = ctx.flags.bool('from-key');
  const key = args[0] ?? '';
  if (key === '') {
    if (prefix && fromKey) fail(EXIT_BAD_ARGS, '--from-key and --prefix flags are mutually exclusive');
    return { key: '\x00', end: prefix || fromKey ? '\x00' : '' };
  }
  if (args.length === 1) {
    if (prefix) {
      if (fromKey) fail(EXIT_BAD_ARGS, '--from-key and --prefix flags are mutually exclusive');
      return { key, end: Buffer.from(prefixEnd(Buffer.from(key, 'latin1'))).toString('latin1') };
    }
    return { key, end: fromKey ? '\x00' : '' };
  }
  if (prefix) fail(EXIT_BAD_ARGS, 'unexpected endkey argument with --prefix flag');
  if (fromKey) fail(EXIT_BAD_ARGS, 'unexpected endkey argument with --from-key flag');
  return { key, end: args[1] ?? '' };
}

const PERM_TYPES: Record<string, 'read' | 'write' | 'readwrite'> = { READ: 'read', WRITE: 'write', READWRITE: 'readwrite' };

export const roleGrantPermissionCommand: CtlCommand = {
  path: ['role', 'grant-permission'],
  flags: [boolFlag('prefix'), boolFlag('from-key')],
  async run(ctx) {
    const args = ctx.flags.args;
    if (args.length < 3) fail(EXIT_BAD_ARGS, 'role grant command requires role name, permission type, and key [endkey] as its argument');
    const type = PERM_TYPES[(args[1] ?? '').toUpperCase()];
    if (!type) fail(EXIT_BAD_ARGS, `invalid permission type: ${args[1] ?? ''}`);
    const { key, end } = permRange(ctx, args.slice(2));
    const header = await call(ctx.client().auth.roleGrantPermission(args[0] ?? '', type, end === '' ? { key } : { key, end }));
    if (ctx.format === 'fields') return ctx.out(fieldsHeader(header.header));
    simpleOnly(ctx, 'role grant-permission');
    ctx.out(`Role ${args[0] ?? ''} updated\n`);
  },
};

export const roleRevokePermissionCommand: CtlCommand = {
  path: ['role', 'revoke-permission'],
  flags: [boolFlag('prefix'), boolFlag('from-key')],
  async run(ctx) {
    const args = ctx.flags.args;
    if (args.length < 2) fail(EXIT_BAD_ARGS, 'role revoke-permission command requires role name and key [endkey] as its argument');
    const role = args[0] ?? '';
    const { key, end } = permRange(ctx, args.slice(1));
    const revoked = await call(ctx.client().auth.roleRevokePermission(role, end === '' ? { key } : { key, end }));
    if (ctx.format === 'fields') return ctx.out(fieldsHeader(revoked.header));
    simpleOnly(ctx, 'role revoke-permission');
    const shown = args[1] ?? '';
    if (end === '') ctx.out(`Permission of key ${shown} is revoked from role ${role}\n`);
    else if (end !== '\x00') ctx.out(`Permission of range [${shown}, ${end}) is revoked from role ${role}\n`);
    else ctx.out(`Permission of range [${shown}, <open ended> is revoked from role ${role}\n`);
  },
};

export const authEnableCommand: CtlCommand = {
  path: ['auth', 'enable'],
  flags: [],
  async run(ctx) {
    nArgs(ctx, 0, 'auth enable command does not accept any arguments');
    const auth = ctx.client().auth;
    try {
      await auth.authEnable();
    } catch (err) {
      if (!(err instanceof Error) || err.message !== 'etcdserver: root user does not have root role') throw err;
      // like etcdctl: create the root role, grant it to root, try again
      await call(auth.roleAdd('root')).catch(() => undefined);
      await call(auth.userGrantRole('root', 'root'));
      await call(auth.authEnable());
    }
    ctx.out('Authentication Enabled\n');
  },
};

export const authDisableCommand: CtlCommand = {
  path: ['auth', 'disable'],
  flags: [],
  async run(ctx) {
    nArgs(ctx, 0, 'auth disable command does not accept any arguments');
    await call(ctx.client().auth.authDisable());
    ctx.out('Authentication Disabled\n');
  },
};

export const AUTH_COMMANDS: CtlCommand[] = [
  userAddCommand,
  userGetCommand,
  userListCommand,
  userDeleteCommand,
  userGrantRoleCommand,
  userRevokeRoleCommand,
  roleAddCommand,
  roleGetCommand,
  roleListCommand,
  roleDeleteCommand,
  roleGrantPermissionCommand,
  roleRevokePermissionCommand,
  authEnableCommand,
  authDisableCommand,
];
