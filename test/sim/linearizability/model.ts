// A sequential specification that the linearizability checker searches against.
//
// `step` answers: could an operation with this input have produced this output when applied to
// `state`, and what is the state afterwards? `hash` must be a canonical key: two states with the
// same hash are treated as the same state by the memoization cache unless `equal` says otherwise.

export interface Model<State, Input, Output> {
  init(): State;
  step(state: State, input: Input, output: Output): [ok: boolean, next: State];
  hash(state: State): string;
  equal?(a: State, b: State): boolean;
  /** Split a history into independent sub-histories (P-compositionality), e.g. one per key. */
  partition?(ops: readonly Operation<Input, Output>[]): Operation<Input, Output>[][];
  /**
   * Drop operations that provably cannot change the verdict (e.g. an unknown-outcome write whose
   * value nothing ever observes). Applied to each partition before the search.
   */
  simplify?(ops: readonly Operation<Input, Output>[]): Operation<Input, Output>[];
  describeOperation?(input: Input, output: Output): string;
}

/**
 * One completed (or possibly-completed) operation of a client history.
 * `returnTime` is `Infinity` for an operation whose outcome is unknown (Jepsen's `:info`):
 * it may have taken effect at any point after `callTime`, or never.
 */
export interface Operation<Input, Output> {
  readonly clientId: number;
  readonly input: Input;
  readonly output: Output;
  readonly callTime: number;
  readonly returnTime: number;
}

export type CheckResult = 'ok' | 'illegal' | 'unknown';
