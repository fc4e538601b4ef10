// One register of integers, initially nil (null): the model of the Jepsen etcd histories.

import type { Model } from '../model';

export type RegisterInput =
  | { readonly kind: 'read' }
  | { readonly kind: 'write'; readonly value: number }
  | { readonly kind: 'cas'; readonly from: number; readonly to: number };

/** `unknown`: the operation's outcome was never observed (Jepsen `:info`). */
export type RegisterOutput =
  | { readonly kind: 'read'; readonly value: number | null }
  | { readonly kind: 'write' }
  | { readonly kind: 'cas'; readonly succeeded: boolean }
  | { readonly kind: 'unknown' };

export type RegisterState = number | null;

export const registerModel: Model<RegisterState, RegisterInput, RegisterOutput> = {
  init: () => null,
  step(state, input, output) {
    const unknown = output.kind === 'unknown';
    switch (input.kind) {
      case 'read':
        return [unknown || (output.kind === 'read' && output.value === state), state];
      case 'write':
        return [true, input.value];
      case 'cas': {
        const matches = state === input.from;
        if (unknown) return [true, matches ? input.to : state];
        if (output.kind !== 'cas') return [false, state];
        return [output.succeeded === matches, matches ? input.to : state];
      }
    }
  },
  hash: (state) => (state === null ? 'nil' : String(state)),
  describeOperation(input, output) {
    const out = output.kind === 'read' ? String(output.value) : output.kind === 'cas' ? String(output.succeeded) : output.kind;
    if (input.kind === 'cas') return `cas(${input.from},${input.to}) -> ${out}`;
    if (input.kind === 'write') return `write(${input.value}) -> ${out}`;
    return `read() -> ${out}`;
  },
};
