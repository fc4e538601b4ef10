// The member's Auth RPCs (etcd's v3_server.go auth part): every one goes through raft; Authenticate
// checks the password BEFORE proposing and only the token assignment is replicated (no password
// in the log). Permission checks for KV reads served locally live here too.

import {
  type AuthDisableResponse,
  type AuthEnableResponse,
  type AuthenticateRequest,
  type AuthenticateResponse,
  type AuthRoleAddRequest,
  type AuthRoleAddResponse,
  type AuthRoleDeleteRequest,
  type AuthRoleDeleteResponse,
  type AuthRoleGetRequest,
  type AuthRoleGetResponse,
  type AuthRoleGrantPermissionRequest,
  type AuthRoleGrantPermissionResponse,
  type AuthRoleListResponse,
  type AuthRoleRevokePermissionRequest,
  type AuthRoleRevokePermissionResponse,
  type AuthUserAddRequest,
  type AuthUserAddResponse,
  type AuthUserChangePasswordRequest,
  type AuthUserChangePasswordResponse,
  type AuthUserDeleteRequest,
  type AuthUserDeleteResponse,
  type AuthUserGetRequest,
  type AuthUserGetResponse,
  type AuthUserGrantRoleRequest,
  type AuthUserGrantRoleResponse,
  type AuthUserListResponse,
  type AuthUserRevokeRoleRequest,
  type AuthUserRevokeRoleResponse,
  type InternalRaftRequest,
  type RangeRequest,
  type ResponseHeader,
  type TxnRequest,
} from '@tsetcd/api';
import type { AuthInfo, AuthStore } from '../auth/auth-store';
import { isSimpleTokenFormat } from '../auth/simple-token';
import { checkRange, checkTxn } from './apply-auth';
import type { RequestContext } from './server-api';

/** etcdserverpb.Auth as the API layer calls it. */
export interface AuthServer {
  authEnable(ctx: RequestContext): Promise<AuthEnableResponse>;
  authDisable(ctx: RequestContext): Promise<AuthDisableResponse>;
  authenticate(req: AuthenticateRequest, ctx: RequestContext): Promise<AuthenticateResponse>;
  userAdd(req: AuthUserAddRequest, ctx: RequestContext): Promise<AuthUserAddResponse>;
  userGet(req: AuthUserGetRequest, ctx: RequestContext): Promise<AuthUserGetResponse>;
  userList(ctx: RequestContext): Promise<AuthUserListResponse>;
  userDelete(req: AuthUserDeleteRequest, ctx: RequestContext): Promise<AuthUserDeleteResponse>;
  userChangePassword(req: AuthUserChangePasswordRequest, ctx: RequestContext): Promise<AuthUserChangePasswordResponse>;
  userGrantRole(req: AuthUserGrantRoleRequest, ctx: RequestContext): Promise<AuthUserGrantRoleResponse>;
  userRevokeRole(req: AuthUserRevokeRoleRequest, ctx: RequestContext): Promise<AuthUserRevokeRoleResponse>;
  roleAdd(req: AuthRoleAddRequest, ctx: RequestContext): Promise<AuthRoleAddResponse>;
  roleGet(req: AuthRoleGetRequest, ctx: RequestContext): Promise<AuthRoleGetResponse>;
  roleList(ctx: RequestContext): Promise<AuthRoleListResponse>;
  roleDelete(req: AuthRoleDeleteRequest, ctx: RequestContext): Promise<AuthRoleDeleteResponse>;
  roleGrantPermission(req: AuthRoleGrantPermissionRequest, ctx: RequestContext): Promise<AuthRoleGrantPermissionResponse>;
  roleRevokePermission(req: AuthRoleRevokePermissionRequest, ctx: RequestContext): Promise<AuthRoleRevokePermissionResponse>;
}

export interface AuthServerDeps {
  readonly store: AuthStore;
  /** The member's proposal path (fills the request header from ctx's token). */
  propose(req: Partial<InternalRaftRequest>, ctx: RequestContext): Promise<unknown>;
  /** A ReadIndex round: Authenticate checks the password against up-to-date users. */
  linearizableReadNotify(ctx: RequestContext): Promise<void>;
  header(): ResponseHeader;
  /** The applied raft index and a wait for it (simple tokens name their Authenticate's index). */
  appliedIndex?(): number;
  waitApplied?(index: number): Promise<void>;
}

/** How long a member waits to apply the Authenticate entry a simple token names (etcd waits on the request's context). */
export const SIMPLE_TOKEN_APPLY_WAIT_MAX_MS = 1000;

/** Authenticate retries when the auth store changed between the password check and the apply. */
const AUTHENTICATE_ATTEMPTS_MAX = 8;

export class MemberAuth implements AuthServer {
  constructor(private readonly deps: AuthServerDeps) {}

  /** The caller's identity from its token (undefined when anonymous); throws "invalid auth token". */
  authInfo(ctx: RequestContext): AuthInfo | undefined {
    return this.deps.store.authInfoFromToken(ctx.authToken);
  }

  /**
   * etcd's isValidSimpleToken wait: a token `<prefix>.<index>` issued by another member may name
   * an Authenticate entry this member has not applied yet; wait for it (bounded) rather than
   * answering "invalid auth token" to a client that just switched endpoints.
   */
  async waitForToken(ctx: RequestContext): Promise<void> {
    const { appliedIndex, waitApplied } = this.deps;
    const token = ctx.authToken;
    if (token === undefined || appliedIndex === undefined || waitApplied === undefined || !isSimpleTokenFormat(token)) return;
    const index = Number(token.slice(token.lastIndexOf('.') + 1));
    if (!Number.isSafeInteger(index) || appliedIndex.call(this.deps) >= index) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      waitApplied.call(this.deps, index),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, SIMPLE_TOKEN_APPLY_WAIT_MAX_MS);
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** Range served locally: etcd checks after the read index, before reading. */
  checkRange(req: RangeRequest, ctx: RequestContext): void {
    const s = this.deps.store;
    if (!s.isEnabled() && ctx.authToken === undefined) return;
    checkRange(s, this.authInfo(ctx), req);
  }

  checkReadOnlyTxn(req: TxnRequest, ctx: RequestContext): void {
    const s = this.deps.store;
    if (!s.isEnabled() && ctx.authToken === undefined) return;
    checkTxn(s, this.authInfo(ctx), req);
  }

  /**
   * etcd's isWatchPermitted for a watch create: false for an invalid token or an unreadable range
   * (etcd then answers created + canceled with "etcdserver: permission denied" as cancel_reason).
   */
  isWatchPermitted(key: Uint8Array, rangeEnd: Uint8Array, ctx: RequestContext): boolean {
    const s = this.deps.store;
    if (!s.isEnabled() && ctx.authToken === undefined) return true;
    try {
      s.isRangePermitted(this.authInfo(ctx), key, rangeEnd);
      return true;
    } catch {
      return false;
    }
  }

  /** Hash, HashKV, Defragment, Snapshot: root only, with the auth package's raw errors (as etcd). */
  checkAdmin(ctx: RequestContext): void {
    const s = this.deps.store;
    if (!s.isEnabled()) return;
    s.isAdminPermitted(this.authInfo(ctx));
  }

  private async call<T extends { header: ResponseHeader | undefined }>(req: Partial<InternalRaftRequest>, ctx: RequestContext): Promise<T> {
    const resp = (await this.deps.propose(req, ctx)) as T;
    resp.header = this.deps.header();
    return resp;
  }

  authEnable(ctx: RequestContext): Promise<AuthEnableResponse> {
    return this.call({ authEnable: {} }, ctx);
  }

  authDisable(ctx: RequestContext): Promise<AuthDisableResponse> {
    return this.call({ authDisable: {} }, ctx);
  }

  async authenticate(req: AuthenticateRequest, ctx: RequestContext): Promise<AuthenticateResponse> {
    const s = this.deps.store;
    // Like etcd: catch up with the cluster first (a restarted member may not have re-applied the
    // enabling entry yet), then check the password (which also answers "auth not enabled").
    await this.deps.linearizableReadNotify(ctx);
    for (let attempt = 1; ; attempt++) {
      const checkedAt = await s.checkPassword(req.name, req.password);
      const simpleToken = s.genTokenPrefix();
      const resp = await this.call<AuthenticateResponse>({ authenticate: { name: req.name, password: '', simpleToken } }, ctx);
      if (checkedAt === s.revision() || attempt >= AUTHENTICATE_ATTEMPTS_MAX) return resp;
    }
  }

  userAdd(req: AuthUserAddRequest, ctx: RequestContext): Promise<AuthUserAddResponse> {
    return this.call({ authUserAdd: req }, ctx);
  }

  userGet(req: AuthUserGetRequest, ctx: RequestContext): Promise<AuthUserGetResponse> {
    return this.call({ authUserGet: req }, ctx);
  }

  userList(ctx: RequestContext): Promise<AuthUserListResponse> {
    return this.call({ authUserList: {} }, ctx);
  }

  userDelete(req: AuthUserDeleteRequest, ctx: RequestContext): Promise<AuthUserDeleteResponse> {
    return this.call({ authUserDelete: req }, ctx);
  }

  userChangePassword(req: AuthUserChangePasswordRequest, ctx: RequestContext): Promise<AuthUserChangePasswordResponse> {
    return this.call({ authUserChangePassword: req }, ctx);
  }

  userGrantRole(req: AuthUserGrantRoleRequest, ctx: RequestContext): Promise<AuthUserGrantRoleResponse> {
    return this.call({ authUserGrantRole: req }, ctx);
  }

  userRevokeRole(req: AuthUserRevokeRoleRequest, ctx: RequestContext): Promise<AuthUserRevokeRoleResponse> {
    return this.call({ authUserRevokeRole: req }, ctx);
  }

  roleAdd(req: AuthRoleAddRequest, ctx: RequestContext): Promise<AuthRoleAddResponse> {
    return this.call({ authRoleAdd: req }, ctx);
  }

  roleGet(req: AuthRoleGetRequest, ctx: RequestContext): Promise<AuthRoleGetResponse> {
    return this.call({ authRoleGet: req }, ctx);
  }

  roleList(ctx: RequestContext): Promise<AuthRoleListResponse> {
    return this.call({ authRoleList: {} }, ctx);
  }

  roleDelete(req: AuthRoleDeleteRequest, ctx: RequestContext): Promise<AuthRoleDeleteResponse> {
    return this.call({ authRoleDelete: req }, ctx);
  }

  roleGrantPermission(req: AuthRoleGrantPermissionRequest, ctx: RequestContext): Promise<AuthRoleGrantPermissionResponse> {
    return this.call({ authRoleGrantPermission: req }, ctx);
  }

  roleRevokePermission(req: AuthRoleRevokePermissionRequest, ctx: RequestContext): Promise<AuthRoleRevokePermissionResponse> {
    return this.call({ authRoleRevokePermission: req }, ctx);
  }
}
