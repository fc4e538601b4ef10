// Parser for the Jepsen etcd register histories (format: see the data set's README).

import { HistoryRecorder } from './history';
import type { Operation } from './model';
import type { RegisterInput, RegisterOutput } from './models/register';

const LINE = /^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s+(\S+(?:\s+\S+)?)\s*$/;

function parseValue(text: string): number | null | [number, number] | undefined {
  if (text === 'nil') return null;
  if (/^-?\d+$/.test(text)) return Number(text);
  const pair = /^\[(-?\d+)\s+(-?\d+)\]$/.exec(text);
  if (pair) return [Number(pair[1]), Number(pair[2])];
  return undefined; // e.g. :timed-out on an :info line
}

function inputOf(op: string, value: ReturnType<typeof parseValue>, line: number): RegisterInput {
  if (op === 'read') return { kind: 'read' };
  if (op === 'write' && typeof value === 'number') return { kind: 'write', value };
  if (op === 'cas' && Array.isArray(value)) return { kind: 'cas', from: value[0], to: value[1] };
  throw new Error(`line ${line}: bad ${op} value ${String(value)}`);
}

/** Parse one history; time is the line number. Lines of other shapes (nemesis) are skipped. */
export function parseJepsenHistory(text: string): Operation<RegisterInput, RegisterOutput>[] {
  const recorder = new HistoryRecorder<RegisterInput, RegisterOutput>({ kind: 'unknown' });
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const m = LINE.exec(raw);
    if (!m) return;
    const clientId = Number(m[1]);
    const type = m[2]!;
    const op = m[3]!;
    const value = parseValue(m[4]!);
    if (type === 'invoke') {
      recorder.invoke(clientId, inputOf(op, value, i + 1), i);
    } else if (type === 'fail') {
      recorder.fail(clientId, i);
    } else if (type === 'info') {
      recorder.info(clientId, i);
    } else if (op === 'read') {
      if (Array.isArray(value) || value === undefined) throw new Error(`line ${i + 1}: bad read value`);
      recorder.ok(clientId, { kind: 'read', value }, i);
    } else if (op === 'write') {
      recorder.ok(clientId, { kind: 'write' }, i);
    } else {
      recorder.ok(clientId, { kind: 'cas', succeeded: true }, i);
    }
  });
  return recorder.operations();
}
