// Records a client history as invoke/ok/fail/info events and turns it into checker operations.
// `ok`: returned with an output; `fail`: certainly did not take effect (dropped from the check);
// `info`, or never completed: may or may not have taken effect, return time unknown (Infinity).

import type { Operation } from './model';

export type EventType = 'invoke' | 'ok' | 'fail' | 'info';

export interface HistoryEvent<I, O> {
  readonly type: EventType;
  readonly clientId: number;
  readonly time: number;
  readonly input?: I;
  readonly output?: O;
}

interface Open<I> {
  readonly input: I;
  readonly callTime: number;
}

export class HistoryRecorder<I, O> {
  private readonly open = new Map<number, Open<I>>();
  private readonly done: Operation<I, O>[] = [];
  private readonly log: HistoryEvent<I, O>[] = [];
  private failed = 0;

  constructor(private readonly unknownOutput: O) {}

  invoke(clientId: number, input: I, time: number): void {
    if (this.open.has(clientId)) throw new Error(`client ${clientId} invoked while an operation is open`);
    this.open.set(clientId, { input, callTime: time });
    this.log.push({ type: 'invoke', clientId, time, input });
  }

  ok(clientId: number, output: O, time: number): void {
    const op = this.take(clientId);
    if (time < op.callTime) throw new Error(`client ${clientId} completes before it invoked`);
    this.done.push({ clientId, input: op.input, output, callTime: op.callTime, returnTime: time });
    this.log.push({ type: 'ok', clientId, time, output });
  }

  fail(clientId: number, time: number): void {
    this.take(clientId);
    this.failed++;
    this.log.push({ type: 'fail', clientId, time });
  }

  info(clientId: number, time: number): void {
    const op = this.take(clientId);
    this.done.push({ clientId, input: op.input, output: this.unknownOutput, callTime: op.callTime, returnTime: Infinity });
    this.log.push({ type: 'info', clientId, time });
  }

  isOpen(clientId: number): boolean {
    return this.open.has(clientId);
  }

  /** All operations for the checker; still-open operations count as `info`. */
  operations(): Operation<I, O>[] {
    const pending: Operation<I, O>[] = [];
    for (const [clientId, op] of this.open) {
      pending.push({ clientId, input: op.input, output: this.unknownOutput, callTime: op.callTime, returnTime: Infinity });
    }
    return [...this.done, ...pending];
  }

  events(): readonly HistoryEvent<I, O>[] {
    return this.log;
  }

  counts(): { ok: number; fail: number; info: number; open: number } {
    const info = this.done.filter((o) => o.returnTime === Infinity).length;
    return { ok: this.done.length - info, fail: this.failed, info, open: this.open.size };
  }

  private take(clientId: number): Open<I> {
    const op = this.open.get(clientId);
    if (!op) throw new Error(`client ${clientId} completes an operation it never invoked`);
    this.open.delete(clientId);
    return op;
  }
}
