import fc from 'fast-check';
import { Inflights } from './inflights';

describe('Inflights', () => {
  it('is full at the count limit and frees in order', () => {
    const in_ = new Inflights(3);
    in_.add(1, 10);
    in_.add(2, 10);
    expect(in_.full()).toBe(false);
    in_.add(3, 10);
    expect(in_.full()).toBe(true);
    expect(() => in_.add(4, 1)).toThrow(/full/);
    in_.freeLE(2);
    expect(in_.toArray()).toEqual([3]);
    expect(in_.bytes).toBe(10);
    in_.add(4, 1);
    in_.add(5, 1);
    expect(in_.toArray()).toEqual([3, 4, 5]); // wrapped around the ring
    in_.freeFirstOne();
    expect(in_.toArray()).toEqual([4, 5]);
  });

  it('is full at the byte limit', () => {
    const in_ = new Inflights(10, 100);
    in_.add(1, 60);
    expect(in_.full()).toBe(false);
    in_.add(2, 40);
    expect(in_.full()).toBe(true);
    in_.freeLE(1);
    expect(in_.full()).toBe(false);
    expect(in_.bytes).toBe(40);
  });

  it('freeLE below the first index is a no-op; reset empties', () => {
    const in_ = new Inflights(4);
    in_.add(5, 1);
    in_.freeLE(4);
    expect(in_.count).toBe(1);
    in_.reset();
    expect(in_.count).toBe(0);
    expect(in_.bytes).toBe(0);
  });

  it('matches a plain array model', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.oneof(fc.record({ add: fc.nat(50) }), fc.record({ free: fc.nat(60) })), { maxLength: 60 }),
        (size, ops) => {
          const in_ = new Inflights(size, 0);
          let model: [number, number][] = [];
          let next = 1;
          for (const op of ops) {
            if ('add' in op) {
              if (model.length === size) continue;
              in_.add(next, op.add);
              model.push([next, op.add]);
              next++;
            } else {
              in_.freeLE(op.free);
              model = model.filter(([i]) => i > op.free);
            }
            expect(in_.toArray()).toEqual(model.map(([i]) => i));
            expect(in_.bytes).toBe(model.reduce((s, [, b]) => s + b, 0));
            expect(in_.full()).toBe(model.length === size);
          }
        },
      ),
    );
  });
});
