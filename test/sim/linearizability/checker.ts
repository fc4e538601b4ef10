// Linearizability checking by Wing–Gong search with memoization (Lowe's refinement, as in
// porcupine): walk the history's call/return events in time order, try to linearize each pending
// call, backtrack on a return whose call is not yet linearized, and never revisit a
// (set of linearized ops, model state) pair already explored. Histories are first split into
// independent partitions (P-compositionality) when the model knows how (e.g. one per key).

import { Bitset } from './bitset';
import type { CheckResult, Model, Operation } from './model';

export interface CheckOptions {
  /** Wall-clock budget for the whole history; past it the answer is 'unknown'. */
  readonly budgetMs?: number;
}

export interface CheckReport<I, O> {
  readonly result: CheckResult;
  /** The first partition found not linearizable (or unfinished), for error messages. */
  readonly failingPartition?: readonly Operation<I, O>[];
  readonly partitions: number;
  readonly elapsedMs: number;
}

export const DEFAULT_CHECK_BUDGET_MS = 10_000;
const CLOCK_CHECK_EVERY_STEPS = 1024;

interface Node {
  readonly id: number;
  /** For a call node: its return node. For a return node: null. */
  readonly match: Node | null;
  prev: Node | null;
  next: Node | null;
}

interface Pending<S> {
  readonly node: Node;
  readonly state: S;
}

function buildList<I, O>(ops: readonly Operation<I, O>[]): Node {
  const events: { time: number; isCall: boolean; id: number }[] = [];
  ops.forEach((op, id) => {
    if (!(op.returnTime >= op.callTime)) throw new Error(`operation ${id} returns before it is called`);
    events.push({ time: op.callTime, isCall: true, id }, { time: op.returnTime, isCall: false, id });
  });
  // Equal times: calls first, so operations touching at one instant count as concurrent.
  events.sort((a, b) => (a.time !== b.time ? a.time - b.time : a.isCall === b.isCall ? a.id - b.id : a.isCall ? -1 : 1));
  const returns = new Map<number, Node>();
  const head: Node = { id: -1, match: null, prev: null, next: null };
  // Build back to front so each call can point at its (later) return node.
  let next: Node | null = null;
  for (let i = events.length - 1; i >= 0; i--) {
    const ev = events[i]!;
    let node: Node;
    if (ev.isCall) {
      const ret = returns.get(ev.id);
      if (!ret) throw new Error('internal: call without return');
      node = { id: ev.id, match: ret, prev: null, next };
    } else {
      node = { id: ev.id, match: null, prev: null, next };
      returns.set(ev.id, node);
    }
    if (next) next.prev = node;
    next = node;
  }
  head.next = next;
  if (next) next.prev = head;
  return head;
}

function lift(call: Node): void {
  call.prev!.next = call.next;
  call.next!.prev = call.prev;
  const ret = call.match!;
  ret.prev!.next = ret.next;
  if (ret.next) ret.next.prev = ret.prev;
}

function unlift(call: Node): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next) ret.next.prev = ret;
  call.prev!.next = call;
  call.next!.prev = call;
}

/** Check one partition. Returns 'unknown' if the deadline (ms since epoch) passes. */
export function checkSingle<S, I, O>(model: Model<S, I, O>, ops: readonly Operation<I, O>[], deadlineMs: number): CheckResult {
  const head = buildList(ops);
  const linearized = new Bitset(ops.length);
  const cache = new Map<string, S[]>();
  const calls: Pending<S>[] = [];
  let state = model.init();
  let entry = head.next;
  let steps = 0;

  const seen = (bits: Bitset, s: S): boolean => {
    const key = bits.key() + '#' + model.hash(s);
    const bucket = cache.get(key);
    if (!bucket) {
      cache.set(key, [s]);
      return false;
    }
    if (!model.equal || bucket.some((b) => model.equal!(b, s))) return true;
    bucket.push(s);
    return false;
  };

  while (head.next !== null) {
    if (++steps % CLOCK_CHECK_EVERY_STEPS === 0 && Date.now() > deadlineMs) return 'unknown';
    if (entry === null) throw new Error('internal: ran off the end of the history');
    if (entry.match !== null) {
      const op = ops[entry.id]!;
      const [ok, next] = model.step(state, op.input, op.output);
      if (ok) {
        const bits = linearized.clone();
        bits.set(entry.id);
        if (!seen(bits, next)) {
          calls.push({ node: entry, state });
          state = next;
          linearized.set(entry.id);
          lift(entry);
          entry = head.next;
          continue;
        }
      }
      entry = entry.next;
    } else {
      // A return whose call is still pending: the current prefix cannot be extended. Backtrack.
      const top = calls.pop();
      if (!top) return 'illegal';
      state = top.state;
      linearized.clear(top.node.id);
      unlift(top.node);
      entry = top.node.next;
    }
  }
  return 'ok';
}

/** Check a whole history: every partition must be linearizable. */
export function checkOperations<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly Operation<I, O>[],
  options: CheckOptions = {},
): CheckReport<I, O> {
  const startMs = Date.now();
  const deadlineMs = startMs + (options.budgetMs ?? DEFAULT_CHECK_BUDGET_MS);
  const partitions = model.partition ? model.partition(ops) : [ops.slice()];
  let unknown: Operation<I, O>[] | undefined;
  for (const whole of partitions) {
    const part = model.simplify ? model.simplify(whole) : whole;
    const result = checkSingle(model, part, deadlineMs);
    if (result === 'illegal') {
      return { result, failingPartition: whole, partitions: partitions.length, elapsedMs: Date.now() - startMs };
    }
    if (result === 'unknown') {
      unknown ??= whole;
      // Keep going: another partition may still prove the history illegal.
    }
  }
  const result: CheckResult = unknown ? 'unknown' : 'ok';
  return { result, failingPartition: unknown, partitions: partitions.length, elapsedMs: Date.now() - startMs };
}
