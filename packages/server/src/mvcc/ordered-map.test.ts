import fc from 'fast-check';
import { compareBytes, OrderedMap } from './ordered-map';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('OrderedMap', () => {
  it('compareBytes orders like Buffer.compare, short and long keys alike', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 80 }), (a, b) => {
        expect(compareBytes(a, b)).toBe(Buffer.compare(a, b));
      }),
    );
    expect(compareBytes(Buffer.from('ab'), Buffer.from('abc'))).toBe(-1);
    expect(compareBytes(Buffer.from([0xff]), Buffer.from([0x00, 0x01]))).toBe(1);
  });

  it('matches a sorted-array model under random sets, deletes and range scans', () => {
    const keyArb = fc.uint8Array({ minLength: 0, maxLength: 3, max: 4 });
    const opArb = fc.oneof(
      fc.record({ set: keyArb, v: fc.nat() }),
      fc.record({ del: keyArb }),
      fc.record({ from: keyArb, to: fc.option(keyArb, { nil: undefined }) }),
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => {
        const m = new OrderedMap<number>();
        const model = new Map<string, number>();
        for (const op of ops) {
          if ('set' in op) {
            m.set(op.set, op.v);
            model.set(hex(op.set), op.v);
          } else if ('del' in op) {
            expect(m.delete(op.del)).toBe(model.delete(hex(op.del)));
          } else {
            const expected = [...model.entries()]
              .filter(([k]) => {
                const kb = Buffer.from(k, 'hex');
                return Buffer.compare(kb, op.from) >= 0 && (op.to === undefined || Buffer.compare(kb, op.to) < 0);
              })
              .sort(([a], [b]) => Buffer.compare(Buffer.from(a, 'hex'), Buffer.from(b, 'hex')));
            expect([...m.range(op.from, op.to)].map(([k, v]) => [hex(k), v])).toEqual(expected);
            const viaCallback: Array<[string, number]> = [];
            m.forEachInRange(op.from, op.to, (k, v) => {
              viaCallback.push([hex(k), v]);
            });
            expect(viaCallback).toEqual(expected);
          }
          expect(m.size).toBe(model.size);
        }
        for (const [k, v] of model) expect(m.get(Buffer.from(k, 'hex'))).toBe(v);
      }),
      { numRuns: 200 },
    );
  });

  it('forEachInRange stops when the callback returns false', () => {
    const m = new OrderedMap<number>();
    for (let i = 0; i < 10; i++) m.set(Buffer.from([i]), i);
    const seen: number[] = [];
    m.forEachInRange(Buffer.from([2]), undefined, (_k, v) => (seen.push(v), v < 4));
    expect(seen).toEqual([2, 3, 4]);
  });
});
