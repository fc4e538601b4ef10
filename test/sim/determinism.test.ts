// A seed replays exactly: same trace hash and same report; another seed takes another path.

import { simulate } from './simulate';

describe('deterministic replay', () => {
  it.each([3, 5])('replays seed 11 of a %i-member cluster exactly', (size) => {
    const a = simulate({ seed: 11, size });
    const b = simulate({ seed: 11, size });
    expect(b.traceHash).toBe(a.traceHash);
    expect({ ...b, checkerMs: 0 }).toEqual({ ...a, checkerMs: 0 }); // checkerMs is wall-clock time
    const c = simulate({ seed: 12, size });
    expect(c.traceHash).not.toBe(a.traceHash);
  });
});
