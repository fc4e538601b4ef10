// A map of string keys to string values (absent = null), checked one key at a time: operations on
// different keys commute, so the history is linearizable iff every key's sub-history is.

import type { Model, Operation } from '../model';

export type KvInput =
  | { readonly kind: 'get'; readonly key: string }
  | { readonly kind: 'put'; readonly key: string; readonly value: string }
  | { readonly kind: 'cas'; readonly key: string; readonly from: string | null; readonly to: string };

export type KvOutput =
  | { readonly kind: 'get'; readonly value: string | null }
  | { readonly kind: 'put' }
  | { readonly kind: 'cas'; readonly succeeded: boolean }
  | { readonly kind: 'unknown' };

/** The value of the partition's single key. */
export type KvState = string | null;

export const kvModel: Model<KvState, KvInput, KvOutput> = {
  init: () => null,
  step(state, input, output) {
    const unknown = output.kind === 'unknown';
    switch (input.kind) {
      case 'get':
        return [unknown || (output.kind === 'get' && output.value === state), state];
      case 'put':
        return [true, input.value];
      case 'cas': {
        const matches = state === input.from;
        if (unknown) return [true, matches ? input.to : state];
        if (output.kind !== 'cas') return [false, state];
        return [output.succeeded === matches, matches ? input.to : state];
      }
    }
  },
  // JSON keeps null and the string "null" apart.
  hash: (state) => JSON.stringify(state),
  partition(ops: readonly Operation<KvInput, KvOutput>[]) {
    const byKey = new Map<string, Operation<KvInput, KvOutput>[]>();
    for (const op of ops) {
      const list = byKey.get(op.input.key);
      if (list) list.push(op);
      else byKey.set(op.input.key, [op]);
    }
    return [...byKey.values()];
  },
  describeOperation(input, output) {
    const out = output.kind === 'get' ? JSON.stringify(output.value) : output.kind === 'cas' ? String(output.succeeded) : output.kind;
    if (input.kind === 'cas') return `cas(${input.key},${JSON.stringify(input.from)},${input.to}) -> ${out}`;
    if (input.kind === 'put') return `put(${input.key},${input.value}) -> ${out}`;
    return `get(${input.key}) -> ${out}`;
  },
};
