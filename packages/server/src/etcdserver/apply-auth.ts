// The auth applier (etcd's authApplierV3) wrapped around the member's Applier: it applies the
// Auth* requests itself and checks the proposer's permissions (request header: user name + auth
// revision) before Put / DeleteRange / Txn / Range reach the KV applier. Entries it does not
// refuse go to the inner applier unchanged, in order, in the same write transaction.

import {
  ErrAuthRawPermissionDenied,
  ErrAuthRawUserEmpty,
  ErrAuthRawUserNotFound,
  ErrPermissionDenied,
  ErrUserEmpty,
  ErrUserNotFound,
  EtcdError,
  InternalRaftRequest,
  type DeleteRangeRequest,
  type PutRequest,
  type RangeRequest,
  type RequestOp,
  type TxnRequest,
} from '@tsetcd/api';
import type { AuthInfo, AuthStore } from '../auth/auth-store';
import type { BatchTx } from '../backend/backend';
import { EntryType, type ConfState, type Entry } from '../raft/types';
import type { AppliedEntry, ApplyBatchOutcome, ApplyResult } from './applier';

/** What the auth applier needs of the inner applier. */
export interface InnerApplier {
  applyEntries(tx: BatchTx, entries: readonly Entry[], consistentIndex: number): ApplyBatchOutcome;
}

/** Lease keys attached to a lease (for LeaseRevoke and Put-with-lease checks), when leases exist. */
export type LeaseKeysLookup = (leaseId: bigint) => readonly Uint8Array[] | undefined;

const EMPTY = new Uint8Array(0);

/** InternalRaftRequest field numbers from auth_enable (1000) up are the Auth* requests. */
const FIRST_AUTH_FIELD = 1000;

/**
 * Whether the encoded InternalRaftRequest has a top-level Auth* field, read from the field tags
 * alone (no decoding of the nested messages): with auth disabled, the KV hot path then skips a
 * second full decode (measured here: ~80-100 ns per scan vs 1.3-4.5 µs per decode of a 256-byte put). Unparseable input answers true (full decode).
 */
export function hasAuthRequestField(data: Uint8Array): boolean {
  const n = data.length;
  let pos = 0;
  while (pos < n) {
    // tag: field number << 3 | wire type (field numbers here need at most 2 varint bytes)
    let tag = 0;
    for (let shift = 0; ; shift += 7) {
      if (pos >= n || shift > 28) return true;
      const byte = data[pos++]!;
      tag |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
    if (tag >>> 3 >= FIRST_AUTH_FIELD) return true;
    const wireType = tag & 7;
    if (wireType === 0 || wireType === 2) {
      let value = 0;
      let scale = 1;
      for (let shift = 0; ; shift += 7) {
        if (pos >= n || shift > 63) return true;
        const byte = data[pos++]!;
        if (wireType === 2) value += (byte & 0x7f) * scale;
        scale *= 128;
        if (byte < 0x80) break;
      }
      pos += value; // wire type 0: value stays 0
    } else if (wireType === 1) {
      pos += 8;
    } else if (wireType === 5) {
      pos += 4;
    } else {
      return true;
    }
  }
  return pos !== n;
}

function authInfoOf(req: InternalRaftRequest): AuthInfo | undefined {
  const h = req.header;
  if (h === undefined || (h.username === '' && h.authRevision === 0n)) return undefined;
  return { username: h.username, revision: h.authRevision };
}

export function checkPut(store: AuthStore, info: AuthInfo | undefined, r: PutRequest, leaseKeys?: LeaseKeysLookup): void {
  store.isPutPermitted(info, r.key);
  if (r.lease !== 0n && leaseKeys !== undefined) for (const k of leaseKeys(r.lease) ?? []) store.isPutPermitted(info, k);
  if (r.prevKv) store.isRangePermitted(info, r.key, EMPTY);
}

export function checkRange(store: AuthStore, info: AuthInfo | undefined, r: RangeRequest): void {
  store.isRangePermitted(info, r.key, r.rangeEnd);
}

export function checkDeleteRange(store: AuthStore, info: AuthInfo | undefined, r: DeleteRangeRequest): void {
  store.isDeleteRangePermitted(info, r.key, r.rangeEnd);
  if (r.prevKv) store.isRangePermitted(info, r.key, r.rangeEnd);
}

function checkOps(store: AuthStore, info: AuthInfo | undefined, ops: readonly RequestOp[]): void {
  for (const op of ops) {
    if (op.requestRange !== undefined) store.isRangePermitted(info, op.requestRange.key, op.requestRange.rangeEnd);
    else if (op.requestPut !== undefined) store.isPutPermitted(info, op.requestPut.key);
    else if (op.requestDeleteRange !== undefined) {
      const d = op.requestDeleteRange;
      if (d.prevKv) store.isRangePermitted(info, d.key, d.rangeEnd);
      store.isDeleteRangePermitted(info, d.key, d.rangeEnd);
    } else if (op.requestTxn !== undefined) {
      checkTxn(store, info, op.requestTxn);
    }
  }
}

/** Every compare key, then every op of both branches (etcd's checkTxnAuth). */
export function checkTxn(store: AuthStore, info: AuthInfo | undefined, r: TxnRequest): void {
  for (const c of r.compare) store.isRangePermitted(info, c.key, c.rangeEnd);
  checkOps(store, info, r.success);
  checkOps(store, info, r.failure);
}

function needsAdmin(r: InternalRaftRequest): boolean {
  return (
    r.authEnable !== undefined ||
    r.authDisable !== undefined ||
    r.authUserAdd !== undefined ||
    r.authUserDelete !== undefined ||
    r.authUserChangePassword !== undefined ||
    r.authUserGrantRole !== undefined ||
    r.authUserRevokeRole !== undefined ||
    r.authRoleAdd !== undefined ||
    r.authRoleGrantPermission !== undefined ||
    r.authRoleRevokePermission !== undefined ||
    r.authRoleDelete !== undefined ||
    r.authUserList !== undefined ||
    r.authRoleList !== undefined
  );
}

/** etcd maps the raw admin errors of raft-applied management requests to its gRPC errors. */
function adminCheck(store: AuthStore, info: AuthInfo | undefined): void {
  try {
    store.isAdminPermitted(info);
  } catch (err) {
    throw mapRawAuthError(err);
  }
}

/** auth.ErrX -> the etcdserver ErrGRPCX etcd's v3rpc returns for requests that went through raft. */
export function mapRawAuthError(err: unknown): unknown {
  if (err instanceof ErrAuthRawUserEmpty) return new ErrUserEmpty();
  if (err instanceof ErrAuthRawUserNotFound) return new ErrUserNotFound();
  if (err instanceof ErrAuthRawPermissionDenied) return new ErrPermissionDenied();
  return err;
}

export class AuthApplier implements InnerApplier {
  constructor(
    private readonly inner: InnerApplier,
    private readonly store: AuthStore,
    private readonly leaseKeys?: LeaseKeysLookup,
  ) {}

  applyEntries(tx: BatchTx, entries: readonly Entry[], consistentIndex: number): ApplyBatchOutcome {
    const results: AppliedEntry[] = [];
    const emptyEntryTerms: number[] = [];
    let raiseNoSpace = false;
    let confState: ConfState | undefined;
    let pendingStart = 0;
    const flush = (end: number): void => {
      if (end <= pendingStart) return;
      const out = this.inner.applyEntries(tx, entries.slice(pendingStart, end), consistentIndex);
      results.push(...out.results);
      emptyEntryTerms.push(...out.emptyEntryTerms);
      raiseNoSpace ||= out.raiseNoSpace;
      if (out.confState !== undefined) confState = out.confState;
    };
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.type !== EntryType.Normal || e.data.length === 0 || e.index <= consistentIndex) continue;
      if (!this.store.isEnabled() && !hasAuthRequestField(e.data)) continue; // nothing to check or apply here
      const req = InternalRaftRequest.decode(e.data);
      const own = this.applyOwn(tx, req, e.index);
      if (own === undefined) continue; // the inner applier takes it
      flush(i);
      pendingStart = i + 1;
      results.push({ id: req.ID !== 0n ? req.ID : (req.header?.ID ?? 0n), result: own });
    }
    flush(entries.length);
    return { results, raiseNoSpace, emptyEntryTerms, confState };
  }

  /** An auth request's result, a permission refusal, or undefined to pass the entry on. */
  private applyOwn(tx: BatchTx, req: InternalRaftRequest, index: number): ApplyResult | undefined {
    try {
      return this.dispatch(tx, req, index);
    } catch (err) {
      if (err instanceof EtcdError) return { error: err };
      throw err;
    }
  }

  private dispatch(tx: BatchTx, r: InternalRaftRequest, index: number): ApplyResult | undefined {
    const s = this.store;
    const info = authInfoOf(r);
    if (needsAdmin(r)) adminCheck(s, info);
    const ok = { response: { header: undefined } };
    if (r.authEnable !== undefined) return (s.authEnable(tx), ok);
    if (r.authDisable !== undefined) return (s.authDisable(tx), ok);
    if (r.authenticate !== undefined) {
      return { response: { header: undefined, token: s.authenticate(r.authenticate.name, r.authenticate.simpleToken, index) } };
    }
    if (r.authUserAdd !== undefined) return (s.userAdd(tx, r.authUserAdd), ok);
    if (r.authUserDelete !== undefined) return (s.userDelete(tx, r.authUserDelete.name), ok);
    if (r.authUserChangePassword !== undefined) return (s.userChangePassword(tx, r.authUserChangePassword.name, r.authUserChangePassword.password), ok);
    if (r.authUserGrantRole !== undefined) return (s.userGrantRole(tx, r.authUserGrantRole.user, r.authUserGrantRole.role), ok);
    if (r.authUserRevokeRole !== undefined) return (s.userRevokeRole(tx, r.authUserRevokeRole.name, r.authUserRevokeRole.role), ok);
    if (r.authUserList !== undefined) return { response: { header: undefined, users: s.userList() } };
    if (r.authRoleList !== undefined) return { response: { header: undefined, roles: s.roleList() } };
    if (r.authRoleAdd !== undefined) return (s.roleAdd(tx, r.authRoleAdd.name), ok);
    if (r.authRoleDelete !== undefined) return (s.roleDelete(tx, r.authRoleDelete.role), ok);
    if (r.authRoleGrantPermission !== undefined) return (s.roleGrantPermission(tx, r.authRoleGrantPermission), ok);
    if (r.authRoleRevokePermission !== undefined) return (s.roleRevokePermission(tx, r.authRoleRevokePermission), ok);
    if (r.authUserGet !== undefined) {
      // A user may read itself; anything else needs root.
      if (r.authUserGet.name !== info?.username) adminCheck(s, info);
      return { response: { header: undefined, roles: s.userGet(r.authUserGet.name) } };
    }
    if (r.authRoleGet !== undefined) {
      if (info === undefined || !s.hasRole(info.username, r.authRoleGet.role)) adminCheck(s, info);
      return { response: { header: undefined, perm: s.roleGet(r.authRoleGet.role) } };
    }
    // KV requests: refuse here, or let the inner applier run them.
    if (!s.isEnabled()) return undefined;
    if (r.put !== undefined) checkPut(s, info, r.put, this.leaseKeys);
    else if (r.deleteRange !== undefined) checkDeleteRange(s, info, r.deleteRange);
    else if (r.txn !== undefined) checkTxn(s, info, r.txn);
    else if (r.range !== undefined) checkRange(s, info, r.range);
    else if (r.leaseRevoke !== undefined && this.leaseKeys !== undefined) {
      for (const k of this.leaseKeys(r.leaseRevoke.ID) ?? []) s.isPutPermitted(info, k);
    }
    return undefined;
  }
}
