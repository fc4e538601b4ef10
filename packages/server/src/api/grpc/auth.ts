// etcdserverpb.Auth: decode -> member (auth-server.ts) -> encode; errors are the member's EtcdErrors.

import { AuthDefinition } from '@tsetcd/api';
import type { AuthServer } from '../../etcdserver/auth-server';
import type { GrpcServer } from './server';

export function registerAuthService(server: GrpcServer, auth: AuthServer): void {
  server.addService(AuthDefinition, {
    authEnable: (_req, ctx) => auth.authEnable(ctx),
    authDisable: (_req, ctx) => auth.authDisable(ctx),
    authenticate: (req, ctx) => auth.authenticate(req, ctx),
    userAdd: (req, ctx) => auth.userAdd(req, ctx),
    userGet: (req, ctx) => auth.userGet(req, ctx),
    userList: (_req, ctx) => auth.userList(ctx),
    userDelete: (req, ctx) => auth.userDelete(req, ctx),
    userChangePassword: (req, ctx) => auth.userChangePassword(req, ctx),
    userGrantRole: (req, ctx) => auth.userGrantRole(req, ctx),
    userRevokeRole: (req, ctx) => auth.userRevokeRole(req, ctx),
    roleAdd: (req, ctx) => auth.roleAdd(req, ctx),
    roleGet: (req, ctx) => auth.roleGet(req, ctx),
    roleList: (_req, ctx) => auth.roleList(ctx),
    roleDelete: (req, ctx) => auth.roleDelete(req, ctx),
    roleGrantPermission: (req, ctx) => auth.roleGrantPermission(req, ctx),
    roleRevokePermission: (req, ctx) => auth.roleRevokePermission(req, ctx),
  });
}
