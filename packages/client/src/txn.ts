// Transactions: compares and ops are plain descriptions; a view encodes them with its KeyMapper
// when the txn is committed (so the same builder works in a namespace).
import {
  Compare as WireCompare,
  Compare_CompareResult,
  Compare_CompareTarget,
  RequestOp,
  TxnRequest,
} from '@tsetcd/api';
import { toBuffer, type Bytes } from './bytes';
import { encodeDelete, encodeKeyRange, encodePut, encodeRange, toKeyRange } from './kv-codec';
import type { KeyMapper } from './key-mapper';
import type { DeleteOptions, KeyRange, PutOptions, RangeOptions, TxnResult } from './kv-types';

export type CompareOperator = '=' | '!=' | '>' | '<';

const RESULTS: Record<CompareOperator, Compare_CompareResult> = {
  '=': Compare_CompareResult.EQUAL,
  '!=': Compare_CompareResult.NOT_EQUAL,
  '>': Compare_CompareResult.GREATER,
  '<': Compare_CompareResult.LESS,
};

export type CompareSpec =
  | { target: 'value'; key: Bytes | KeyRange; operator: CompareOperator; value: Bytes }
  | { target: 'version' | 'create' | 'mod' | 'lease'; key: Bytes | KeyRange; operator: CompareOperator; value: bigint };

/** Compare builders: `Compare.value('k', '=', 'v')`, `Compare.modRevision('k', '<', 5n)`... */
export const Compare = {
  value: (key: Bytes | KeyRange, operator: CompareOperator, value: Bytes): CompareSpec => ({ target: 'value', key, operator, value }),
  version: (key: Bytes | KeyRange, operator: CompareOperator, version: bigint): CompareSpec => ({ target: 'version', key, operator, value: version }),
  createRevision: (key: Bytes | KeyRange, operator: CompareOperator, revision: bigint): CompareSpec => ({ target: 'create', key, operator, value: revision }),
  modRevision: (key: Bytes | KeyRange, operator: CompareOperator, revision: bigint): CompareSpec => ({ target: 'mod', key, operator, value: revision }),
  lease: (key: Bytes | KeyRange, operator: CompareOperator, leaseId: bigint): CompareSpec => ({ target: 'lease', key, operator, value: leaseId }),
} as const;

export type OpSpec =
  | { op: 'range'; options: RangeOptions }
  | { op: 'put'; key: Bytes; value: Bytes; options: PutOptions }
  | { op: 'delete'; target: Bytes | KeyRange; options: DeleteOptions }
  | { op: 'txn'; compares: CompareSpec[]; success: OpSpec[]; failure: OpSpec[] };

/** Op builders for txn branches: `Op.get('k')`, `Op.put('k', 'v', { lease })`, `Op.delete({ key: 'a/', prefix: true })`. */
export const Op = {
  get: (key: Bytes, options: Omit<RangeOptions, 'key'> = {}): OpSpec => ({ op: 'range', options: { ...options, key } }),
  range: (options: RangeOptions): OpSpec => ({ op: 'range', options }),
  put: (key: Bytes, value: Bytes, options: PutOptions = {}): OpSpec => ({ op: 'put', key, value, options }),
  delete: (target: Bytes | KeyRange, options: DeleteOptions = {}): OpSpec => ({ op: 'delete', target, options }),
  txn: (compares: CompareSpec[], success: OpSpec[], failure: OpSpec[] = []): OpSpec => ({ op: 'txn', compares, success, failure }),
} as const;

export function encodeCompare(spec: CompareSpec, mapper: KeyMapper): WireCompare {
  const { key, rangeEnd } = encodeKeyRange(toKeyRange(spec.key), mapper);
  const base = { result: RESULTS[spec.operator], key, rangeEnd };
  switch (spec.target) {
    case 'value':
      return WireCompare.fromPartial({ ...base, target: Compare_CompareTarget.VALUE, value: toBuffer(spec.value) });
    case 'version':
      return WireCompare.fromPartial({ ...base, target: Compare_CompareTarget.VERSION, version: spec.value });
    case 'create':
      return WireCompare.fromPartial({ ...base, target: Compare_CompareTarget.CREATE, createRevision: spec.value });
    case 'mod':
      return WireCompare.fromPartial({ ...base, target: Compare_CompareTarget.MOD, modRevision: spec.value });
    case 'lease':
      return WireCompare.fromPartial({ ...base, target: Compare_CompareTarget.LEASE, lease: spec.value });
  }
}

export function encodeOp(spec: OpSpec, mapper: KeyMapper): RequestOp {
  switch (spec.op) {
    case 'range':
      return RequestOp.fromPartial({ requestRange: encodeRange(spec.options, mapper) });
    case 'put':
      return RequestOp.fromPartial({ requestPut: encodePut(spec.key, spec.value, spec.options, mapper) });
    case 'delete':
      return RequestOp.fromPartial({ requestDeleteRange: encodeDelete(spec.target, spec.options, mapper) });
    case 'txn':
      return RequestOp.fromPartial({ requestTxn: encodeTxn(spec.compares, spec.success, spec.failure, mapper) });
  }
}

export function encodeTxn(compares: CompareSpec[], success: OpSpec[], failure: OpSpec[], mapper: KeyMapper): TxnRequest {
  return TxnRequest.fromPartial({
    compare: compares.map((c) => encodeCompare(c, mapper)),
    success: success.map((o) => encodeOp(o, mapper)),
    failure: failure.map((o) => encodeOp(o, mapper)),
  });
}

/** Whether any op in the branches writes (a read-only txn is safe to retry). */
export function txnWrites(ops: OpSpec[]): boolean {
  return ops.some((o) => o.op === 'put' || o.op === 'delete' || (o.op === 'txn' && (txnWrites(o.success) || txnWrites(o.failure))));
}

/** `client.txn().if(...).then(...).else(...).commit()`; if/then/else may each be called once, in order. */
export class TxnBuilder {
  #compares: CompareSpec[] = [];
  #success: OpSpec[] = [];
  #failure: OpSpec[] = [];
  #stage: 0 | 1 | 2 | 3 = 0;

  constructor(
    private readonly mapper: KeyMapper,
    private readonly run: (request: TxnRequest, readOnly: boolean) => Promise<TxnResult>,
  ) {}

  if(...compares: CompareSpec[]): this {
    this.#advance(1, 'if');
    this.#compares = compares;
    return this;
  }

  then(...ops: OpSpec[]): this {
    this.#advance(2, 'then');
    this.#success = ops;
    return this;
  }

  else(...ops: OpSpec[]): this {
    this.#advance(3, 'else');
    this.#failure = ops;
    return this;
  }

  #advance(stage: 1 | 2 | 3, name: string): void {
    if (this.#stage >= stage) throw new Error(`txn: ${name}() called after ${['', 'if', 'then', 'else'][this.#stage]}()`);
    this.#stage = stage;
  }

  /** The wire request this builder sends. */
  toRequest(): TxnRequest {
    return encodeTxn(this.#compares, this.#success, this.#failure, this.mapper);
  }

  commit(): Promise<TxnResult> {
    const readOnly = !txnWrites(this.#success) && !txnWrites(this.#failure);
    return this.run(this.toRequest(), readOnly);
  }
}
