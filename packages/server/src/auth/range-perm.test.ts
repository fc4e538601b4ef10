import fc from 'fast-check';
import { authpb } from '@tsetcd/api';
import { buildUserPerms, covers, isRangeOpPermitted, mergeIntervals, toInterval } from './range-perm';

const T = authpb.Permission_Type;
const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const perm = (permType: authpb.Permission_Type, key: string, rangeEnd = ''): authpb.Permission => ({ permType, key: b(key), rangeEnd: b(rangeEnd) });
const role = (...keyPermission: authpb.Permission[]): authpb.Role => ({ name: b('r'), keyPermission });

describe('range permissions', () => {
  test('a single-key permission covers that key only', () => {
    const p = buildUserPerms([role(perm(T.READ, 'a'))]);
    expect(isRangeOpPermitted(p, b('a'), b(''), T.READ)).toBe(true);
    expect(isRangeOpPermitted(p, b('a\0'), b(''), T.READ)).toBe(false);
    expect(isRangeOpPermitted(p, b('a'), b('b'), T.READ)).toBe(false);
    expect(isRangeOpPermitted(p, b('a'), b(''), T.WRITE)).toBe(false);
  });

  test('a prefix permission covers sub-ranges but not a wider range', () => {
    const p = buildUserPerms([role(perm(T.READWRITE, 'pub/', 'pub0'))]);
    expect(isRangeOpPermitted(p, b('pub/x'), b(''), T.WRITE)).toBe(true);
    expect(isRangeOpPermitted(p, b('pub/'), b('pub0'), T.READ)).toBe(true);
    expect(isRangeOpPermitted(p, b('pub/a'), b('pub/b'), T.READWRITE)).toBe(true);
    expect(isRangeOpPermitted(p, b('pub/'), b('pub1'), T.READ)).toBe(false);
    expect(isRangeOpPermitted(p, b('pub'), b('pub0'), T.READ)).toBe(false);
    expect(isRangeOpPermitted(p, b('pub/'), b('\0'), T.READ)).toBe(false);
  });

  test('adjacent permissions from different roles merge; "\\0" is the open end', () => {
    const p = buildUserPerms([role(perm(T.READ, 'a', 'c')), role(perm(T.READ, 'c', 'e'), perm(T.WRITE, 'x', '\0'))]);
    expect(isRangeOpPermitted(p, b('b'), b('d'), T.READ)).toBe(true);
    expect(isRangeOpPermitted(p, b('a'), b('e'), T.READ)).toBe(true);
    expect(isRangeOpPermitted(p, b('a'), b('e\0'), T.READ)).toBe(false);
    expect(isRangeOpPermitted(p, b('x'), b('\0'), T.WRITE)).toBe(true);
    expect(isRangeOpPermitted(p, b('zzzz'), b(''), T.WRITE)).toBe(true);
    expect(isRangeOpPermitted(p, b('w'), b('\0'), T.WRITE)).toBe(false);
    // READWRITE needs both
    expect(isRangeOpPermitted(p, b('b'), b(''), T.READWRITE)).toBe(false);
  });

  test('merging keeps disjoint intervals apart and swallows contained ones', () => {
    const m = mergeIntervals([toInterval(b('a'), b('c')), toInterval(b('b'), b('bb')), toInterval(b('d'), b('f'))]);
    expect(m.map((i) => [i.begin.toString(), i.end?.toString()])).toEqual([
      ['a', 'c'],
      ['d', 'f'],
    ]);
  });

  // Model: over a tiny alphabet, a request is permitted iff every key it names is in some permission.
  test('property: covers() agrees with key-by-key membership over a small keyspace', () => {
    const alphabet = ['a', 'b', 'c', 'd'];
    const keys: string[] = [];
    for (const x of alphabet) {
      keys.push(x);
      for (const y of alphabet) keys.push(x + y);
    }
    keys.sort();
    const key = fc.constantFrom(...keys);
    const inRange = (k: string, begin: string, end: string): boolean => (end === '' ? k === begin : k >= begin && (end === '\0' || k < end));
    const range = fc.tuple(key, fc.oneof(fc.constant(''), fc.constant('\0'), key));
    fc.assert(
      fc.property(fc.array(range, { maxLength: 5 }), range, (perms, [qb, qe]) => {
        if (qe !== '' && qe !== '\0' && qe <= qb) return; // empty requests are not interesting
        const p = buildUserPerms([role(...perms.map(([k, e]) => perm(T.READ, k, e)))]);
        const allowed = perms.some(([k, e]) => k === qb && e === qe);
        const named = keys.filter((k) => inRange(k, qb, qe));
        const byModel = named.every((k) => perms.some(([pk, pe]) => inRange(k, pk, pe)));
        const got = covers(p.read, b(qb), b(qe));
        if (got) expect(byModel).toBe(true); // never more permissive than the model
        if (allowed) expect(got).toBe(true); // an exact grant is always honoured
        if (qe === '') expect(got).toBe(byModel); // single keys agree exactly
      }),
      { numRuns: 500 },
    );
  });
});
