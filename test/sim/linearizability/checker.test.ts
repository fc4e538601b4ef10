// Hand-made histories with known answers, plus a property: histories produced by a real
// sequential register under random overlap are linearizable, and corrupting one read is caught.

import fc from 'fast-check';
import { checkOperations } from './checker';
import { HistoryRecorder } from './history';
import type { Operation } from './model';
import { kvModel, type KvInput, type KvOutput } from './models/kv';
import { registerModel, type RegisterInput, type RegisterOutput } from './models/register';

type RegOp = Operation<RegisterInput, RegisterOutput>;
const w = (value: number, callTime: number, returnTime: number, clientId = 0): RegOp =>
  ({ clientId, input: { kind: 'write', value }, output: { kind: 'write' }, callTime, returnTime });
const r = (value: number | null, callTime: number, returnTime: number, clientId = 1): RegOp =>
  ({ clientId, input: { kind: 'read' }, output: { kind: 'read', value }, callTime, returnTime });

describe('register histories', () => {
  it('accepts a sequential history and rejects a stale read after a completed write', () => {
    expect(checkOperations(registerModel, [w(1, 0, 1), r(1, 2, 3)]).result).toBe('ok');
    expect(checkOperations(registerModel, [w(1, 0, 1), r(null, 2, 3)]).result).toBe('illegal');
  });

  it('lets a read that overlaps a write see either value', () => {
    expect(checkOperations(registerModel, [w(1, 0, 10), r(null, 2, 3)]).result).toBe('ok');
    expect(checkOperations(registerModel, [w(1, 0, 10), r(1, 2, 3)]).result).toBe('ok');
  });

  it('rejects a new-old inversion between two sequential reads', () => {
    const ops = [w(1, 0, 100, 0), r(1, 10, 20, 1), r(null, 30, 40, 2)];
    expect(checkOperations(registerModel, ops).result).toBe('illegal');
  });

  it('treats an unknown (info) write as possibly applied, at any time after its call', () => {
    const info: RegOp = { clientId: 0, input: { kind: 'write', value: 7 }, output: { kind: 'unknown' }, callTime: 0, returnTime: Infinity };
    expect(checkOperations(registerModel, [info, r(null, 5, 6), r(7, 8, 9), r(7, 10, 11)]).result).toBe('ok');
    expect(checkOperations(registerModel, [info, r(null, 5, 6)]).result).toBe('ok');
    // Once seen it cannot be un-applied, and it cannot take effect before it was called.
    expect(checkOperations(registerModel, [info, r(7, 8, 9), r(null, 10, 11)]).result).toBe('illegal');
    const late: RegOp = { ...info, callTime: 20 };
    expect(checkOperations(registerModel, [late, r(7, 8, 9)]).result).toBe('illegal');
  });

  it('checks cas outcomes against the state', () => {
    const cas = (from: number, to: number, succeeded: boolean, t: number): RegOp =>
      ({ clientId: 3, input: { kind: 'cas', from, to }, output: { kind: 'cas', succeeded }, callTime: t, returnTime: t + 1 });
    expect(checkOperations(registerModel, [w(1, 0, 1), cas(1, 2, true, 2), r(2, 4, 5)]).result).toBe('ok');
    expect(checkOperations(registerModel, [w(1, 0, 1), cas(3, 2, true, 2)]).result).toBe('illegal');
    expect(checkOperations(registerModel, [w(1, 0, 1), cas(1, 2, false, 2)]).result).toBe('illegal');
  });

  it('drops failed operations entirely', () => {
    const h = new HistoryRecorder<RegisterInput, RegisterOutput>({ kind: 'unknown' });
    h.invoke(0, { kind: 'write', value: 5 }, 0);
    h.fail(0, 1);
    h.invoke(1, { kind: 'read' }, 2);
    h.ok(1, { kind: 'read', value: 5 }, 3);
    expect(checkOperations(registerModel, h.operations()).result).toBe('illegal');
    expect(h.counts()).toEqual({ ok: 1, fail: 1, info: 0, open: 0 });
  });

  it('answers unknown, not ok, when the budget runs out', () => {
    // Many concurrent writes and reads that can never be satisfied: exponential search.
    const ops: RegOp[] = [];
    for (let i = 0; i < 40; i++) ops.push(w(i, 0, 1000, i));
    for (let i = 0; i < 40; i++) ops.push(r(i % 2 === 0 ? i : 1000 + i, 0, 1000, 100 + i));
    const report = checkOperations(registerModel, ops, { budgetMs: 0 });
    expect(report.result).toBe('unknown');
  });
});

describe('kv histories (per-key partitions)', () => {
  type KvOp = Operation<KvInput, KvOutput>;
  const put = (key: string, value: string, t0: number, t1: number): KvOp =>
    ({ clientId: 0, input: { kind: 'put', key, value }, output: { kind: 'put' }, callTime: t0, returnTime: t1 });
  const get = (key: string, value: string | null, t0: number, t1: number): KvOp =>
    ({ clientId: 1, input: { kind: 'get', key }, output: { kind: 'get', value }, callTime: t0, returnTime: t1 });

  it('checks keys independently and finds the bad key', () => {
    const ops = [put('a', '1', 0, 1), put('b', '2', 2, 3), get('a', '1', 4, 5), get('b', null, 6, 7)];
    const report = checkOperations(kvModel, ops);
    expect(report.result).toBe('illegal');
    expect(report.partitions).toBe(2);
    expect(report.failingPartition?.every((op) => op.input.key === 'b')).toBe(true);
    expect(checkOperations(kvModel, ops.slice(0, 3)).result).toBe('ok');
  });

  it('distinguishes an absent key from the string "null"', () => {
    expect(checkOperations(kvModel, [put('a', 'null', 0, 1), get('a', null, 2, 3)]).result).toBe('illegal');
  });
});

describe('property: real sequential executions are linearizable', () => {
  // Each op takes effect at a distinct instant inside [call, return]; the recorded history must pass.
  const opArb = fc.record({
    kind: fc.constantFrom('read', 'write', 'cas'),
    value: fc.integer({ min: 0, max: 3 }),
    from: fc.integer({ min: 0, max: 3 }),
    before: fc.integer({ min: 0, max: 20 }),
    after: fc.integer({ min: 0, max: 20 }),
  });

  type OpSpec = typeof opArb extends fc.Arbitrary<infer T> ? T : never;
  function execute(spec: OpSpec[]): RegOp[] {
    let state: number | null = null;
    return spec.map((s, i) => {
      const at = (i + 1) * 10;
      const callTime = at - s.before;
      const returnTime = at + s.after;
      if (s.kind === 'read') return { clientId: i, input: { kind: 'read' }, output: { kind: 'read', value: state }, callTime, returnTime };
      if (s.kind === 'write') {
        state = s.value;
        return { clientId: i, input: { kind: 'write', value: s.value }, output: { kind: 'write' }, callTime, returnTime };
      }
      const succeeded = state === s.from;
      if (succeeded) state = s.value;
      return { clientId: i, input: { kind: 'cas', from: s.from, to: s.value }, output: { kind: 'cas', succeeded }, callTime, returnTime };
    });
  }

  it('accepts them', () => {
    fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 30 }), (spec) => {
      expect(checkOperations(registerModel, execute(spec)).result).toBe('ok');
    }), { numRuns: 200 });
  });

  it('rejects them once a read isolated in time returns a value never written', () => {
    fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 30 }), (spec) => {
      const ops = execute(spec);
      const end = Math.max(...ops.map((o) => o.returnTime));
      ops.push(r(99, end + 1, end + 2, 999));
      expect(checkOperations(registerModel, ops).result).toBe('illegal');
    }), { numRuns: 100 });
  });
});

describe('property: the KV model simplification never changes a verdict', () => {
  type KvOp = Operation<KvInput, KvOutput>;
  const values = ['x', 'y', 'z'];
  const opArb = fc.record({
    kind: fc.constantFrom('get', 'put', 'cas'),
    value: fc.constantFrom(...values),
    from: fc.constantFrom(null, ...values),
    result: fc.constantFrom<'ok' | 'no' | 'unknown' | 'absent'>('ok', 'no', 'unknown', 'absent'),
    call: fc.integer({ min: 0, max: 30 }),
    length: fc.integer({ min: 0, max: 10 }),
  });
  const toOp = (s: typeof opArb extends fc.Arbitrary<infer T> ? T : never, i: number): KvOp => {
    const unknown = s.result === 'unknown' && s.kind !== 'get';
    const returnTime = unknown ? Infinity : s.call + s.length;
    const input: KvInput =
      s.kind === 'get' ? { kind: 'get', key: 'k' } : s.kind === 'put' ? { kind: 'put', key: 'k', value: s.value } : { kind: 'cas', key: 'k', from: s.from, to: s.value };
    const output: KvOutput = unknown
      ? { kind: 'unknown' }
      : s.kind === 'get'
        ? { kind: 'get', value: s.result === 'absent' ? null : s.value }
        : s.kind === 'put'
          ? { kind: 'put' }
          : { kind: 'cas', succeeded: s.result !== 'no' };
    return { clientId: i, input, output, callTime: s.call, returnTime };
  };
  const unsimplified = { ...kvModel, simplify: undefined };

  it('agrees with the unsimplified search', () => {
    fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 9 }), (spec) => {
      const ops = spec.map(toOp);
      expect(checkOperations(kvModel, ops).result).toBe(checkOperations(unsimplified, ops).result);
    }), { numRuns: 1500 });
  });
});
