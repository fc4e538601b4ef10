// Txns: every compare target and result, range compares, nesting, failure branches, read-only
// txns, the op limit, duplicate keys, empty keys. Fresh store (revision 1); no leases granted
// (lease-steps.ts compares LEASE against a real lease).
import type { Compare_CompareResult, Compare_CompareTarget } from '@tsetcd/api';
import { E } from './etcd-messages';
import { cmp, fails, opDel, opPut, opRange, opTxn, prefixEnd, put, Result, step, Target, txn, type Step } from './steps';

/** Never granted: only request validation sees it. */
const LEASE_ID = 8001n;
const MAX_TXN_OPS = 128;

const many = (n: number, make: (i: number) => Record<string, unknown>): Record<string, unknown>[] =>
  Array.from({ length: n }, (_, i) => make(i));

const setup: Step[] = [
  step('put t1=v1', put('t1', 'v1')), // rev 2
  step('put t2=v2', put('t2', 'v2')), // rev 3
  step('put t2=v2b (version 2)', put('t2', 'v2b')), // rev 4
  step('put t3=v3', put('t3', 'v3')), // rev 5
];

const targets: [string, Compare_CompareTarget, string | bigint][] = [
  ['VERSION', Target.VERSION, 2n],
  ['CREATE', Target.CREATE, 3n],
  ['MOD', Target.MOD, 4n],
  ['VALUE', Target.VALUE, 'v2b'],
  ['LEASE', Target.LEASE, 0n],
];
const results: [string, Compare_CompareResult][] = [
  ['EQUAL', Result.EQUAL],
  ['GREATER', Result.GREATER],
  ['LESS', Result.LESS],
  ['NOT_EQUAL', Result.NOT_EQUAL],
];

// Every target x result on t2, read-only branches so the store does not move.
const compareMatrix: Step[] = [];
for (const [targetName, target, against] of targets) {
  for (const [resultName, result] of results) {
    compareMatrix.push(
      step(
        `compare t2 ${targetName} ${resultName} ${String(against)}`,
        txn({ compare: [cmp('t2', target, result, against)], success: [opRange('t2')], failure: [opRange('t1')] }),
      ),
    );
  }
}

const compareSteps: Step[] = [
  ...compareMatrix,
  step('compare VALUE GREATER/LESS are bytewise', txn({ compare: [cmp('t1', Target.VALUE, Result.GREATER, 'v0'), cmp('t1', Target.VALUE, Result.LESS, 'v10')], success: [opRange('t1')] })),
  step('compare missing key VERSION = 0', txn({ compare: [cmp('nokey', Target.VERSION, Result.EQUAL, 0n)], success: [opRange('t1')], failure: [opRange('t2')] })),
  step('compare missing key CREATE = 0', txn({ compare: [cmp('nokey', Target.CREATE, Result.EQUAL, 0n)] })),
  step('compare missing key MOD LESS 1', txn({ compare: [cmp('nokey', Target.MOD, Result.LESS, 1n)] })),
  step('compare missing key VALUE = ""', txn({ compare: [cmp('nokey', Target.VALUE, Result.EQUAL, '')] })),
  step('compare missing key VALUE != "x"', txn({ compare: [cmp('nokey', Target.VALUE, Result.NOT_EQUAL, 'x')] })),
  step('compare missing key LEASE = 0', txn({ compare: [cmp('nokey', Target.LEASE, Result.EQUAL, 0n)] })),
  step('range compare: all t* have VERSION > 0', txn({ compare: [cmp('t', Target.VERSION, Result.GREATER, 0n, prefixEnd('t'))], success: [opRange('t', { end: prefixEnd('t') })] })),
  step('range compare: not all t* have VERSION = 1', txn({ compare: [cmp('t', Target.VERSION, Result.EQUAL, 1n, prefixEnd('t'))], failure: [opRange('t', { end: prefixEnd('t'), keysOnly: true })] })),
  step('range compare over "\\x00".."\\x00" MOD < 100', txn({ compare: [cmp('\x00', Target.MOD, Result.LESS, 100n, '\x00')] })),
  step('range compare over an empty range', txn({ compare: [cmp('x', Target.VALUE, Result.EQUAL, 'nothing', 'y')] })),
  step('several compares, all true', txn({ compare: [cmp('t1', Target.VALUE, Result.EQUAL, 'v1'), cmp('t2', Target.VERSION, Result.EQUAL, 2n), cmp('t3', Target.LEASE, Result.EQUAL, 0n)], success: [opRange('t1')] })),
  step('several compares, one false', txn({ compare: [cmp('t1', Target.VALUE, Result.EQUAL, 'v1'), cmp('t2', Target.VERSION, Result.EQUAL, 9n)], success: [opRange('t1')], failure: [opRange('t2')] })),
];

const writeSteps: Step[] = [
  step('success branch writes (put prev_kv, delete prev_kv, range)', txn({ compare: [cmp('t1', Target.VALUE, Result.EQUAL, 'v1')], success: [opPut('t1', 'v1b', { prevKv: true }), opDel('t2', { prevKv: true }), opRange('t', { end: prefixEnd('t') })], failure: [opPut('never', 'x')] })), // rev 6
  step('failure branch writes', txn({ compare: [cmp('t1', Target.VALUE, Result.EQUAL, 'v1')], success: [opPut('never', 'x')], failure: [opPut('f1', 'x', { prevKv: true }), opPut('f2', 'y'), opRange('f', { end: prefixEnd('f') })] })), // rev 7
  step('range sees the put made earlier in the same txn', txn({ success: [opPut('seq', '1'), opRange('seq'), opPut('seq2', '2'), opRange('seq', { end: prefixEnd('seq') })] })), // rev 8
  step('delete then range in the same txn', txn({ success: [opDel('seq2', { prevKv: true }), opRange('seq', { end: prefixEnd('seq') })] })), // rev 9
  step('empty txn (no compares, no ops)', txn({})),
  step('read-only txn keeps the revision', txn({ compare: [cmp('t1', Target.VERSION, Result.GREATER, 0n)], success: [opRange('t1'), opRange('f', { end: prefixEnd('f'), countOnly: true })] })),
  step('txn deleting a missing key', txn({ success: [opDel('absent', { prevKv: true })] })),
  step('txn put ignore_value', txn({ success: [opPut('t1', '', { ignoreValue: true, prevKv: true })] })), // rev 10
  step('txn with sorted, limited range', txn({ success: [opRange('\x00', { end: '\x00', limit: 2n, sortOrder: 2, sortTarget: 3 })] })),
  step('nested txn in the success branch', txn({
    compare: [cmp('t1', Target.VERSION, Result.GREATER, 0n)],
    success: [opPut('n1', 'outer'), opTxn({ compare: [cmp('n1', Target.VALUE, Result.EQUAL, 'outer')], success: [opPut('n2', 'inner'), opRange('n', { end: prefixEnd('n') })], failure: [opPut('n3', 'no')] })],
  })), // rev 11
  step('nested txn taking its failure branch', txn({
    success: [opTxn({ compare: [cmp('n2', Target.VALUE, Result.EQUAL, 'wrong')], success: [opPut('n4', 'no')], failure: [opDel('n1', { prevKv: true }), opRange('n', { end: prefixEnd('n') })] })],
  })), // rev 12
  step('two levels of nesting', txn({ success: [opTxn({ success: [opTxn({ success: [opPut('deep', '3'), opRange('deep')] })] })] })), // rev 13
  step('duplicate keys across success and failure are allowed', txn({ compare: [cmp('t1', Target.VERSION, Result.GREATER, 0n)], success: [opPut('dup', 's')], failure: [opPut('dup', 'f')] })), // rev 14
  step('two deletes of the same key are allowed', txn({ success: [opDel('dup'), opDel('dup', { prevKv: true })] })), // rev 15
  step('range and put of the same key are allowed', txn({ success: [opRange('dup'), opPut('dup', 'again')] })), // rev 16
  step(`exactly ${MAX_TXN_OPS} puts`, txn({ success: many(MAX_TXN_OPS, (i) => opPut(`m/${String(i).padStart(3, '0')}`, `${i}`)) })), // rev 17
  step('count of the 128 keys', txn({ success: [opRange('m/', { end: prefixEnd('m/'), countOnly: true })] })),
  step(`exactly ${MAX_TXN_OPS} compares`, txn({ compare: many(MAX_TXN_OPS, (i) => cmp(`m/${String(i).padStart(3, '0')}`, Target.VERSION, Result.EQUAL, 1n)), success: [opRange('m/000')] })),
];

const errorSteps: Step[] = [
  fails(`${MAX_TXN_OPS + 1} success ops`, txn({ success: many(MAX_TXN_OPS + 1, (i) => opRange(`m/${i}`)) }), E.tooManyOps),
  fails(`${MAX_TXN_OPS + 1} failure ops`, txn({ failure: many(MAX_TXN_OPS + 1, (i) => opRange(`m/${i}`)) }), E.tooManyOps),
  fails(`${MAX_TXN_OPS + 1} compares`, txn({ compare: many(MAX_TXN_OPS + 1, (i) => cmp(`m/${i}`, Target.VERSION, Result.EQUAL, 1n)) }), E.tooManyOps),
  fails('same key put twice', txn({ success: [opPut('d', '1'), opPut('d', '2')] }), E.duplicateKey),
  fails('same key put twice in the failure branch', txn({ compare: [cmp('t1', Target.VERSION, Result.EQUAL, 0n)], failure: [opPut('d', '1'), opPut('d', '2')] }), E.duplicateKey),
  fails('put inside a deleted range', txn({ success: [opDel('d', { end: 'e' }), opPut('da', '1')] }), E.duplicateKey),
  fails('delete covering an earlier put', txn({ success: [opPut('da', '1'), opDel('d', { end: 'e' })] }), E.duplicateKey),
  fails('put in outer and in nested txn', txn({ success: [opPut('d', '1'), opTxn({ success: [opPut('d', '2')] })] }), E.duplicateKey),
  fails('empty key in a compare', txn({ compare: [cmp('', Target.VERSION, Result.EQUAL, 0n)] }), E.emptyKey),
  fails('empty key in a put op', txn({ success: [opPut('', 'v')] }), E.emptyKey),
  fails('empty key in a range op', txn({ success: [opRange('')] }), E.emptyKey),
  fails('empty key in a delete op', txn({ failure: [opDel('')] }), E.emptyKey),
  fails('empty key in a nested txn op', txn({ success: [opTxn({ success: [opPut('', 'v')] })] }), E.emptyKey),
  fails('request op with no request set', txn({ success: [{}] }), E.keyNotFound),
  fails('put with an unknown lease inside a txn', txn({ success: [opPut('l', 'v', { lease: 4242n })] }), E.leaseNotFound),
  fails('put ignore_value on a missing key inside a txn', txn({ success: [opPut('nothere', '', { ignoreValue: true })] }), E.keyNotFound),
  fails('put ignore_lease with a lease inside a txn', txn({ success: [opPut('t1', 'v', { ignoreLease: true, lease: LEASE_ID })] }), E.leaseProvided),
  fails('range at a future revision inside a txn', txn({ success: [opRange('t1', { revision: 1000n })] }), E.futureRev),
  step('the store after all refused txns', txn({ success: [opRange('\x00', { end: prefixEnd('m'), keysOnly: true })] })),
];

export const txnSteps: readonly Step[] = [...setup, ...compareSteps, ...writeSteps, ...errorSteps];
