// A tiny DSL for differential sequences: each step is one RPC (service, method, partial request)
// plus how to compare its response. Keys and values are written as JS strings whose char codes are
// the bytes ('\xff' is byte 0xff, '\x00' is byte 0).
import { Compare_CompareResult, Compare_CompareTarget, RangeRequest_SortOrder, RangeRequest_SortTarget } from '@tsetcd/api';

export type CompareMode =
  /** Normalized responses (ids masked) must be deep-equal. */
  | 'normalized'
  /** Only which fields are set, and their types (Status, HashKV, MemberList). */
  | 'shape';

/** Builds a request from the raw responses of this server's earlier steps (undefined = that step failed). */
export type RequestFn = (previous: readonly unknown[]) => Record<string, unknown>;

export interface Call {
  service: 'KV' | 'Lease' | 'Maintenance' | 'Cluster' | 'Auth';
  method: string;
  request: Record<string, unknown> | RequestFn;
  /** Sent as the `token` metadata (etcd's auth token header), computed from earlier responses. */
  token?: (previous: readonly unknown[]) => string;
}

export interface Step extends Call {
  name: string;
  compare: CompareMode;
  /** The exact error message etcd answers this step with; absent = etcd answers OK. Checked etcd-vs-etcd. */
  error?: string;
  /** Extra response fields masked for this step only (e.g. a TTL that counts down). */
  volatile?: string[];
  /** Response arrays whose order etcd leaves unspecified (Go map order); compared sorted. */
  unordered?: string[];
}

export interface StepOptions {
  compare?: CompareMode;
  error?: string;
  volatile?: string[];
  unordered?: string[];
}

export const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

/** etcd's clientv3.GetPrefixRangeEnd: increment the last byte below 0xff, drop the 0xff tail; all 0xff -> "\x00". */
export function prefixEnd(prefix: string): string {
  const b = [...bytes(prefix)];
  for (let i = b.length - 1; i >= 0; i--) {
    const byte = b[i] ?? 0;
    if (byte < 0xff) return Buffer.from([...b.slice(0, i), byte + 1]).toString('latin1');
  }
  return '\x00';
}

export function step(name: string, call: Call, o: StepOptions = {}): Step {
  const s: Step = { name, compare: o.compare ?? 'normalized', ...call };
  if (o.error !== undefined) s.error = o.error;
  if (o.volatile !== undefined) s.volatile = o.volatile;
  if (o.unordered !== undefined) s.unordered = o.unordered;
  return s;
}

/** A step etcd must refuse with `message`. */
export const fails = (name: string, call: Call, message: string): Step => step(name, call, { error: message });
/** A step whose response is compared by shape only. */
export const shape = (name: string, call: Call): Step => step(name, call, { compare: 'shape' });

// ---- requests ----

export interface PutOptions {
  prevKv?: boolean;
  ignoreValue?: boolean;
  ignoreLease?: boolean;
  lease?: bigint;
}

export function putRequest(key: string, value: string, o: PutOptions = {}): Record<string, unknown> {
  return { key: bytes(key), value: bytes(value), lease: o.lease ?? 0n, prevKv: o.prevKv ?? false, ignoreValue: o.ignoreValue ?? false, ignoreLease: o.ignoreLease ?? false };
}

export const SortOrder = RangeRequest_SortOrder;
export const SortTarget = RangeRequest_SortTarget;

export interface RangeOptions {
  end?: string;
  limit?: bigint;
  revision?: bigint;
  sortOrder?: RangeRequest_SortOrder;
  sortTarget?: RangeRequest_SortTarget;
  serializable?: boolean;
  keysOnly?: boolean;
  countOnly?: boolean;
  minModRevision?: bigint;
  maxModRevision?: bigint;
  minCreateRevision?: bigint;
  maxCreateRevision?: bigint;
}

export function rangeRequest(key: string, o: RangeOptions = {}): Record<string, unknown> {
  const { end, ...rest } = o;
  return { key: bytes(key), rangeEnd: bytes(end ?? ''), ...rest };
}

export interface DeleteOptions {
  end?: string;
  prevKv?: boolean;
}

export function deleteRequest(key: string, o: DeleteOptions = {}): Record<string, unknown> {
  return { key: bytes(key), rangeEnd: bytes(o.end ?? ''), prevKv: o.prevKv ?? false };
}

export const Target = Compare_CompareTarget;
export const Result = Compare_CompareResult;

/** One txn compare; `against` is the value for VALUE targets and a number for the others. */
export function cmp(
  key: string,
  target: Compare_CompareTarget,
  result: Compare_CompareResult,
  against: string | bigint,
  end?: string,
): Record<string, unknown> {
  const c: Record<string, unknown> = { key: bytes(key), target, result, rangeEnd: bytes(end ?? '') };
  const n = typeof against === 'bigint' ? against : 0n;
  switch (target) {
    case Compare_CompareTarget.VERSION:
      c.version = n;
      break;
    case Compare_CompareTarget.CREATE:
      c.createRevision = n;
      break;
    case Compare_CompareTarget.MOD:
      c.modRevision = n;
      break;
    case Compare_CompareTarget.VALUE:
      c.value = bytes(typeof against === 'string' ? against : '');
      break;
    case Compare_CompareTarget.LEASE:
      c.lease = n;
      break;
    default:
      throw new Error(`cmp: unknown target ${String(target)}`);
  }
  return c;
}

export const opPut = (key: string, value: string, o: PutOptions = {}): Record<string, unknown> => ({ requestPut: putRequest(key, value, o) });
export const opRange = (key: string, o: RangeOptions = {}): Record<string, unknown> => ({ requestRange: rangeRequest(key, o) });
export const opDel = (key: string, o: DeleteOptions = {}): Record<string, unknown> => ({ requestDeleteRange: deleteRequest(key, o) });
export const opTxn = (t: TxnSpec): Record<string, unknown> => ({ requestTxn: txnRequest(t) });

export interface TxnSpec {
  compare?: Record<string, unknown>[];
  success?: Record<string, unknown>[];
  failure?: Record<string, unknown>[];
}

export function txnRequest(t: TxnSpec): Record<string, unknown> {
  return { compare: t.compare ?? [], success: t.success ?? [], failure: t.failure ?? [] };
}

// ---- calls ----

export const put = (key: string, value: string, o?: PutOptions): Call => ({ service: 'KV', method: 'put', request: putRequest(key, value, o) });
export const range = (key: string, o?: RangeOptions): Call => ({ service: 'KV', method: 'range', request: rangeRequest(key, o) });
export const del = (key: string, o?: DeleteOptions): Call => ({ service: 'KV', method: 'deleteRange', request: deleteRequest(key, o) });
export const txn = (t: TxnSpec): Call => ({ service: 'KV', method: 'txn', request: txnRequest(t) });
export const compact = (revision: bigint, physical = false): Call => ({ service: 'KV', method: 'compact', request: { revision, physical } });
export const leaseGrant = (id: bigint, ttlSeconds: bigint): Call => ({ service: 'Lease', method: 'leaseGrant', request: { ID: id, TTL: ttlSeconds } });
export const leaseRevoke = (id: bigint): Call => ({ service: 'Lease', method: 'leaseRevoke', request: { ID: id } });
export const leaseTimeToLive = (id: bigint, keys: boolean): Call => ({ service: 'Lease', method: 'leaseTimeToLive', request: { ID: id, keys } });
export const leaseLeases = (): Call => ({ service: 'Lease', method: 'leaseLeases', request: {} });
export const status = (): Call => ({ service: 'Maintenance', method: 'status', request: {} });
export const hashKV = (revision: bigint): Call => ({ service: 'Maintenance', method: 'hashKV', request: { revision } });
export const hash = (): Call => ({ service: 'Maintenance', method: 'hash', request: {} });
export const alarmList = (): Call => ({ service: 'Maintenance', method: 'alarm', request: { action: 0, memberID: 0n, alarm: 0 } });
export const memberAdd = (peerURLs: string[], isLearner = false): Call => ({ service: 'Cluster', method: 'memberAdd', request: { peerURLs, isLearner } });
/** Member calls on the id a previous step's MemberAdd returned (`step` is 0-based). */
export const addedMemberId = (previous: readonly unknown[], stepIndex: number): bigint =>
  (previous[stepIndex] as { member?: { ID: bigint } } | undefined)?.member?.ID ?? 0n;
export const memberRemove = (id: bigint | ((previous: readonly unknown[]) => bigint)): Call => ({
  service: 'Cluster',
  method: 'memberRemove',
  request: typeof id === 'bigint' ? { ID: id } : (previous) => ({ ID: id(previous) }),
});
export const memberUpdate = (id: bigint | ((previous: readonly unknown[]) => bigint), peerURLs: string[]): Call => ({
  service: 'Cluster',
  method: 'memberUpdate',
  request: typeof id === 'bigint' ? { ID: id, peerURLs } : (previous) => ({ ID: id(previous), peerURLs }),
});
export const memberPromote = (id: bigint | ((previous: readonly unknown[]) => bigint)): Call => ({
  service: 'Cluster',
  method: 'memberPromote',
  request: typeof id === 'bigint' ? { ID: id } : (previous) => ({ ID: id(previous) }),
});
export const defragment = (): Call => ({ service: 'Maintenance', method: 'defragment', request: {} });
export const memberList = (): Call => ({ service: 'Cluster', method: 'memberList', request: {} });
