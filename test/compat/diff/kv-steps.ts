// Puts, ranges (every option) and deletes, on a fresh store (revision 1). No leases are granted
// here (lease-steps.ts covers ignore_lease with a real lease), so a missing lessor cannot shift
// every later revision.
import { E } from './etcd-messages';
import { del, fails, prefixEnd, put, range, SortOrder, SortTarget, step, type Step } from './steps';

const putSteps: Step[] = [
  step('put a=1', put('a', '1')),
  step('put a=2 with prev_kv', put('a', '2', { prevKv: true })),
  step('put a=3 without prev_kv', put('a', '3')),
  step('put b="" (empty value)', put('b', '')),
  step('put new key with prev_kv (no previous)', put('c', 'c1', { prevKv: true })),
  fails('put with empty key', put('', 'v'), E.emptyKey),
  fails('put ignore_value on a missing key', put('missing', '', { ignoreValue: true }), E.keyNotFound),
  fails('put ignore_value with a value', put('a', 'x', { ignoreValue: true }), E.valueProvided),
  fails('put ignore_value with a value on a missing key', put('missing', 'x', { ignoreValue: true }), E.valueProvided),
  step('put ignore_value keeps the value', put('a', '', { ignoreValue: true, prevKv: true })),
  step('get a after ignore_value', range('a')),
  fails('put ignore_lease with a lease', put('a', 'v3', { ignoreLease: true, lease: 999n }), E.leaseProvided),
  fails('put ignore_lease on a missing key', put('nolease', 'v', { ignoreLease: true }), E.keyNotFound),
  fails('put with an unknown lease', put('x', 'v', { lease: 999n }), E.leaseNotFound),
  step('put ignore_lease keeps "no lease"', put('a', '4', { ignoreLease: true, prevKv: true })),
  step('put ignore_value + ignore_lease', put('a', '', { ignoreValue: true, ignoreLease: true, prevKv: true })),
  step('put c again', put('c', 'c2', { prevKv: true })),
  step('put c once more', put('c', 'c3')),
  step('put binary key and value', put('bin\x00\x01\xfe', '\x00\xff\x7f')),
  step('get binary key', range('bin\x00\x01\xfe')),
];

// Keys for ranges; values chosen so value order differs from key order, versions differ.
const seedSteps: Step[] = [
  step('seed foo', put('foo', 'm')),
  step('seed foo/1', put('foo/1', 'c')),
  step('seed foo/2', put('foo/2', 'a')),
  step('seed foo/3', put('foo/3', 'b')),
  step('seed foo/2 again (version 2)', put('foo/2', 'z2')),
  step('seed foo0', put('foo0', 'd')),
  step('seed fop', put('fop', 'e')),
  step('seed foo/1 again', put('foo/1', 'c2')),
  step('seed z', put('z', 'last')),
  step('seed \\xff', put('\xff', 'ff')),
  step('seed \\xff\\xff', put('\xff\xff', 'ffff')),
  step('seed foo/3 third time', put('foo/3', 'b3')),
  step('seed foo/3 fourth time', put('foo/3', 'b4')),
];

const FOO_END = prefixEnd('foo'); // "fop"

const sortSteps: Step[] = [];
for (const [orderName, order] of [['NONE', SortOrder.NONE], ['ASCEND', SortOrder.ASCEND], ['DESCEND', SortOrder.DESCEND]] as const) {
  for (const [targetName, target] of [
    ['KEY', SortTarget.KEY],
    ['VERSION', SortTarget.VERSION],
    ['CREATE', SortTarget.CREATE],
    ['MOD', SortTarget.MOD],
    ['VALUE', SortTarget.VALUE],
  ] as const) {
    sortSteps.push(step(`prefix foo sorted ${orderName} by ${targetName}`, range('foo', { end: FOO_END, sortOrder: order, sortTarget: target })));
  }
}

const rangeSteps: Step[] = [
  step('get single key', range('a')),
  step('get missing key', range('nope')),
  fails('get empty key', range(''), E.emptyKey),
  step('range all keys ("\\x00".."\\x00")', range('\x00', { end: '\x00' })),
  step('range from foo to the end ("\\x00" end)', range('foo', { end: '\x00' })),
  step('range [a, foo)', range('a', { end: 'foo' })),
  step('prefix foo', range('foo', { end: FOO_END })),
  step('prefix foo/', range('foo/', { end: prefixEnd('foo/') })),
  step('prefix \\xff (end "\\x00")', range('\xff', { end: prefixEnd('\xff') })),
  step('prefix \\xff\\xff (end "\\x00")', range('\xff\xff', { end: prefixEnd('\xff\xff') })),
  step('range end before key', range('z', { end: 'a' })),
  step('range end equal to key', range('foo', { end: 'foo' })),
  step('range with key "\\x00" and no end', range('\x00')),
  step('limit 2 over all keys', range('\x00', { end: '\x00', limit: 2n })),
  step('limit equal to the count', range('foo', { end: FOO_END, limit: 5n })),
  step('limit above the count', range('foo', { end: FOO_END, limit: 50n })),
  step('limit 1 on a single key', range('a', { limit: 1n })),
  step('negative limit', range('foo', { end: FOO_END, limit: -1n })),
  step('count_only over all keys', range('\x00', { end: '\x00', countOnly: true })),
  step('count_only with limit', range('\x00', { end: '\x00', countOnly: true, limit: 2n })),
  step('keys_only prefix foo', range('foo', { end: FOO_END, keysOnly: true })),
  step('keys_only + limit', range('foo', { end: FOO_END, keysOnly: true, limit: 2n })),
  step('keys_only + count_only', range('foo', { end: FOO_END, keysOnly: true, countOnly: true })),
  step('serializable get', range('foo', { end: FOO_END, serializable: true })),
  ...sortSteps,
  step('sort DESCEND by KEY with limit 2', range('foo', { end: FOO_END, sortOrder: SortOrder.DESCEND, limit: 2n })),
  step('sort ASCEND by VALUE with limit 2', range('foo', { end: FOO_END, sortOrder: SortOrder.ASCEND, sortTarget: SortTarget.VALUE, limit: 2n })),
  step('sort DESCEND by MOD with limit 3 over all', range('\x00', { end: '\x00', sortOrder: SortOrder.DESCEND, sortTarget: SortTarget.MOD, limit: 3n })),
  step('sort NONE by VERSION with limit 2', range('foo', { end: FOO_END, sortTarget: SortTarget.VERSION, limit: 2n })),
  step('sort DESCEND by CREATE keys_only', range('foo', { end: FOO_END, sortOrder: SortOrder.DESCEND, sortTarget: SortTarget.CREATE, keysOnly: true })),
  step('get a at revision 2', range('a', { revision: 2n })),
  step('get a at revision 3', range('a', { revision: 3n })),
  step('get foo at revision 1 (before it existed)', range('foo', { revision: 1n })),
  step('range all at revision 10', range('\x00', { end: '\x00', revision: 10n })),
  step('prefix foo at revision 16', range('foo', { end: FOO_END, revision: 16n })),
  step('range all at revision 1', range('\x00', { end: '\x00', revision: 1n })),
  step('revision 0 means current', range('a', { revision: 0n })),
  step('negative revision means current', range('a', { revision: -5n })),
  fails('revision one past current', range('a', { revision: 26n }), E.futureRev),
  fails('far future revision', range('a', { revision: 1_000_000n }), E.futureRev),
  step('min_mod_revision filter', range('foo', { end: FOO_END, minModRevision: 18n })),
  step('max_mod_revision filter', range('foo', { end: FOO_END, maxModRevision: 17n })),
  step('min_create_revision filter', range('foo', { end: FOO_END, minCreateRevision: 15n })),
  step('max_create_revision filter', range('foo', { end: FOO_END, maxCreateRevision: 14n })),
  step('min+max mod window', range('\x00', { end: '\x00', minModRevision: 17n, maxModRevision: 22n })),
  step('min_mod filter with limit', range('\x00', { end: '\x00', minModRevision: 17n, limit: 2n })),
  step('mod filter with count_only', range('\x00', { end: '\x00', minModRevision: 22n, countOnly: true })),
  step('create filter + sort DESCEND by VALUE', range('foo', { end: FOO_END, minCreateRevision: 15n, sortOrder: SortOrder.DESCEND, sortTarget: SortTarget.VALUE })),
  step('mod filter at an old revision', range('foo', { end: FOO_END, revision: 20n, minModRevision: 17n })),
];

const deleteSteps: Step[] = [
  step('delete single key with prev_kv', del('a', { prevKv: true })),
  step('delete the same key again (missing)', del('a', { prevKv: true })),
  step('delete missing key without prev_kv', del('never')),
  fails('delete empty key', del(''), E.emptyKey),
  step('delete range [foo/1, foo/3) with prev_kv', del('foo/1', { end: 'foo/3', prevKv: true })),
  step('delete prefix foo with prev_kv', del('foo', { end: FOO_END, prevKv: true })),
  step('delete missing range', del('m', { end: 'n', prevKv: true })),
  step('delete from y to the end ("\\x00") with prev_kv', del('y', { end: '\x00', prevKv: true })),
  step('range all after deletes', range('\x00', { end: '\x00' })),
  step('get a deleted key at an old revision', range('foo/2', { revision: 26n })),
  step('prefix foo at the revision before its delete', range('foo', { end: FOO_END, revision: 27n })),
  step('recreate a (version 1, new create_revision)', put('a', 'again', { prevKv: true })),
  step('get recreated a', range('a')),
  step('delete everything, no prev_kv', del('\x00', { end: '\x00' })),
  step('count after delete everything', range('\x00', { end: '\x00', countOnly: true })),
  step('delete on an empty store', del('\x00', { end: '\x00', prevKv: true })),
];

// Keys compare as bytes, not as JS (UTF-16) strings: U+FF5E is EF BD 9E in UTF-8 and sorts
// before U+1F600 (F0 9F 98 80), although its UTF-16 unit 0xFF5E is above the surrogate 0xD83D.
const FULLWIDTH_TILDE = '\xef\xbd\x9e';
const GRINNING_FACE = '\xf0\x9f\x98\x80';
const byteOrderSteps: Step[] = [
  step('put u/<U+1F600>', put(`u/${GRINNING_FACE}`, FULLWIDTH_TILDE)),
  step('put u/<U+FF5E>', put(`u/${FULLWIDTH_TILDE}`, GRINNING_FACE)),
  step('put u/<7F>', put('u/\x7f', '\x7f')),
  step('put u/é <C3 A9>', put('u/\xc3\xa9', '\xc3\xa9')),
  step('prefix u/ in key order', range('u/', { end: prefixEnd('u/') })),
  step('prefix u/ DESCEND by key', range('u/', { end: prefixEnd('u/'), sortOrder: SortOrder.DESCEND })),
  step('prefix u/ ASCEND by value', range('u/', { end: prefixEnd('u/'), sortOrder: SortOrder.ASCEND, sortTarget: SortTarget.VALUE })),
  step('range [u/<C3>, u/<F0>)', range('u/\xc3', { end: 'u/\xf0' })),
  step('delete [u/<EF>, end) with prev_kv', del('u/\xef', { end: '\x00', prevKv: true })),
];

export const kvSteps: readonly Step[] = [...putSteps, ...seedSteps, ...rangeSteps, ...deleteSteps, ...byteOrderSteps];
