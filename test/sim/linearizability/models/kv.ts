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
  // An unknown-outcome put or cas (it may or may not have happened) only matters if some
  // completed operation could observe its value: a get returning it, or a cas comparing against
  // it. A failed cas observes only "not equal", which any value could explain, so when the
  // partition holds a failed cas nothing is dropped. Otherwise, an unobserved unknown write can
  // always be placed "never", and placing it anywhere else only constrains later reads: dropping
  // it keeps the verdict and shrinks the search (many timed-out writes are exponential otherwise).
  simplify(ops) {
    const failedCas = ops.some((o) => o.input.kind === 'cas' && o.output.kind === 'cas' && !o.output.succeeded);
    if (failedCas) return ops.slice();
    const observed = new Set<string | null>();
    for (const o of ops) {
      if (o.output.kind === 'get') observed.add(o.output.value);
      if (o.input.kind === 'cas') observed.add(o.input.from);
    }
    return ops.filter((o) => {
      if (o.output.kind !== 'unknown') return true;
      if (o.input.kind === 'put') return observed.has(o.input.value);
      if (o.input.kind === 'cas') return observed.has(o.input.to);
      return true;
    });
  },
  describeOperation(input, output) {
    const out = output.kind === 'get' ? JSON.stringify(output.value) : output.kind === 'cas' ? String(output.succeeded) : output.kind;
    if (input.kind === 'cas') return `cas(${input.key},${JSON.stringify(input.from)},${input.to}) -> ${out}`;
    if (input.kind === 'put') return `put(${input.key},${input.value}) -> ${out}`;
    return `get(${input.key}) -> ${out}`;
  },
};
