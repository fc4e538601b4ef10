// Options <-> wire messages for Range/Put/DeleteRange/Txn, through a view's KeyMapper.
import {
  DeleteRangeRequest,
  PutRequest,
  RangeRequest,
  RangeRequest_SortOrder,
  RangeRequest_SortTarget,
  type DeleteRangeResponse,
  type PutResponse,
  type RangeResponse,
  type ResponseOp,
  type TxnResponse,
} from '@tsetcd/api';
import { ALL_KEYS_FROM, prefixEnd, toBuffer, type Bytes } from './bytes';
import { KeyValue, headerFromWire } from './key-value';
import type { KeyMapper } from './key-mapper';
import type { DeleteOptions, DeleteResult, KeyRange, OpResult, PutOptions, PutResult, RangeOptions, RangeResult, SortOrder, SortTarget, TxnResult } from './kv-types';

const SORT_TARGETS: Record<SortTarget, RangeRequest_SortTarget> = {
  key: RangeRequest_SortTarget.KEY,
  version: RangeRequest_SortTarget.VERSION,
  create: RangeRequest_SortTarget.CREATE,
  mod: RangeRequest_SortTarget.MOD,
  value: RangeRequest_SortTarget.VALUE,
};

const SORT_ORDERS: Record<SortOrder, RangeRequest_SortOrder> = {
  none: RangeRequest_SortOrder.NONE,
  ascend: RangeRequest_SortOrder.ASCEND,
  descend: RangeRequest_SortOrder.DESCEND,
};

/** The server-side [key, rangeEnd) of a key range in a view. */
export function encodeKeyRange(range: KeyRange, mapper: KeyMapper): { key: Buffer; rangeEnd: Buffer } {
  const key = toBuffer(range.key);
  let end: Buffer = Buffer.alloc(0);
  if (range.prefix) {
    end = key.length === 0 ? Buffer.from(ALL_KEYS_FROM) : prefixEnd(key);
  } else if (range.fromKey) {
    end = Buffer.from(ALL_KEYS_FROM);
  } else if (range.end !== undefined) {
    end = toBuffer(range.end);
  }
  // an empty key with a range end means "from the start" (of the view)
  const serverKey = key.length === 0 && end.length > 0 && mapper.prefix.length === 0 ? Buffer.from(ALL_KEYS_FROM) : mapper.toServerKey(key);
  return { key: serverKey, rangeEnd: mapper.toServerEnd(end) };
}

export function toKeyRange(target: Bytes | KeyRange): KeyRange {
  return typeof target === 'string' || target instanceof Uint8Array ? { key: target } : target;
}

export function encodeRange(options: RangeOptions, mapper: KeyMapper): RangeRequest {
  const { key, rangeEnd } = encodeKeyRange(options, mapper);
  return RangeRequest.fromPartial({
    key,
    rangeEnd,
    limit: options.limit === undefined ? 0n : BigInt(options.limit),
    revision: options.revision ?? 0n,
    sortOrder: SORT_ORDERS[options.sort?.order ?? 'none'],
    sortTarget: SORT_TARGETS[options.sort?.target ?? 'key'],
    serializable: options.serializable ?? false,
    keysOnly: options.keysOnly ?? false,
    countOnly: options.countOnly ?? false,
    minModRevision: options.minModRevision ?? 0n,
    maxModRevision: options.maxModRevision ?? 0n,
    minCreateRevision: options.minCreateRevision ?? 0n,
    maxCreateRevision: options.maxCreateRevision ?? 0n,
  });
}

export function encodePut(key: Bytes, value: Bytes, options: PutOptions, mapper: KeyMapper): PutRequest {
  return PutRequest.fromPartial({
    key: mapper.toServerKey(toBuffer(key)),
    value: toBuffer(value),
    lease: options.lease ?? 0n,
    prevKv: options.prevKv ?? false,
    ignoreValue: options.ignoreValue ?? false,
    ignoreLease: options.ignoreLease ?? false,
  });
}

export function encodeDelete(target: Bytes | KeyRange, options: DeleteOptions, mapper: KeyMapper): DeleteRangeRequest {
  const { key, rangeEnd } = encodeKeyRange(toKeyRange(target), mapper);
  return DeleteRangeRequest.fromPartial({ key, rangeEnd, prevKv: options.prevKv ?? false });
}

export function decodeKv(kv: Parameters<typeof KeyValue.fromWire>[0], mapper: KeyMapper): KeyValue {
  return new KeyValue(mapper.fromServerKey(kv.key), kv.value, kv.createRevision, kv.modRevision, kv.version, kv.lease);
}

export function decodeRange(res: RangeResponse, mapper: KeyMapper): RangeResult {
  return { header: headerFromWire(res.header), kvs: res.kvs.map((kv) => decodeKv(kv, mapper)), more: res.more, count: res.count };
}

export function decodePut(res: PutResponse, mapper: KeyMapper): PutResult {
  return { header: headerFromWire(res.header), prevKv: res.prevKv ? decodeKv(res.prevKv, mapper) : undefined };
}

export function decodeDelete(res: DeleteRangeResponse, mapper: KeyMapper): DeleteResult {
  return { header: headerFromWire(res.header), deleted: res.deleted, prevKvs: res.prevKvs.map((kv) => decodeKv(kv, mapper)) };
}

export function decodeTxn(res: TxnResponse, mapper: KeyMapper): TxnResult {
  return { header: headerFromWire(res.header), succeeded: res.succeeded, responses: res.responses.map((op) => decodeOp(op, mapper)) };
}

function decodeOp(op: ResponseOp, mapper: KeyMapper): OpResult {
  if (op.responseRange) return { kind: 'range', ...decodeRange(op.responseRange, mapper) };
  if (op.responsePut) return { kind: 'put', ...decodePut(op.responsePut, mapper) };
  if (op.responseDeleteRange) return { kind: 'delete', ...decodeDelete(op.responseDeleteRange, mapper) };
  if (op.responseTxn) return { kind: 'txn', ...decodeTxn(op.responseTxn, mapper) };
  throw new Error('txn: response op with no member set');
}
