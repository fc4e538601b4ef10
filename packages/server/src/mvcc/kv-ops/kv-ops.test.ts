import {
  Compare,
  Compare_CompareResult as CR,
  Compare_CompareTarget as CT,
  CompactionRequest,
  DeleteRangeRequest,
  ErrCompacted,
  ErrDuplicateKey,
  ErrEmptyKey,
  ErrFutureRev,
  ErrKeyNotFound,
  ErrLeaseNotFound,
  ErrLeaseProvided,
  ErrTooManyOps,
  ErrValueProvided,
  PutRequest,
  RangeRequest,
  RangeRequest_SortOrder as SO,
  RangeRequest_SortTarget as ST,
  RequestOp,
  TxnRequest,
  type DeepPartial,
  type KeyValue,
} from '@tsetcd/api';
import { openTestStore, type TestStore } from '../test-store';
import { EventType } from '../types';
import { applyCompaction, applyDeleteRange, applyPut, applyRange, applyTxn } from './apply';
import { checkPutRequest, checkTxnRequest } from './validate';

const b = (s: string): Buffer => Buffer.from(s);
const keys = (kvs: KeyValue[]): string[] => kvs.map((kv) => kv.key.toString());

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
});
afterEach(() => t.cleanup());

const put = (key: string, value = '', extra: DeepPartial<PutRequest> = {}) =>
  applyPut(t.store, PutRequest.fromPartial({ key: b(key), value: b(value), ...extra }));
const range = (key: string, extra: DeepPartial<RangeRequest> = {}) => ({
  response: applyRange(t.store, RangeRequest.fromPartial({ key: b(key), ...extra })),
});
const del = (key: string, extra: DeepPartial<DeleteRangeRequest> = {}) =>
  applyDeleteRange(t.store, DeleteRangeRequest.fromPartial({ key: b(key), ...extra }));
const txn = (r: DeepPartial<TxnRequest>) => applyTxn(t.store, TxnRequest.fromPartial(r));
const opPut = (key: string, value = ''): DeepPartial<RequestOp> => ({ requestPut: { key: b(key), value: b(value) } });
const opRange = (key: string, extra: DeepPartial<RangeRequest> = {}): DeepPartial<RequestOp> => ({
  requestRange: { key: b(key), ...extra },
});
const opDel = (key: string, rangeEnd?: string): DeepPartial<RequestOp> => ({
  requestDeleteRange: { key: b(key), rangeEnd: rangeEnd === undefined ? undefined : b(rangeEnd) },
});

describe('revisions and put', () => {
  it('starts at revision 1; each put bumps revision and version (even with the same value)', () => {
    expect(t.store.rev()).toBe(1n);
    expect(put('a', '1').response.header!.revision).toBe(2n);
    expect(put('a', '1').response.header!.revision).toBe(3n);
    const kv = range('a').response.kvs[0]!;
    expect([kv.createRevision, kv.modRevision, kv.version, kv.value.toString()]).toEqual([2n, 3n, 2n, '1']);
  });

  it('returns prev_kv only if the key existed', () => {
    expect(put('a', '1', { prevKv: true }).response.prevKv).toBeUndefined();
    const prev = put('a', '2', { prevKv: true }).response.prevKv!;
    expect([prev.value.toString(), prev.modRevision]).toEqual(['1', 2n]);
  });

  it('ignore_value keeps the value, ignore_lease keeps the lease; both need the key', () => {
    const leases = new Set([7n]);
    t.store.setLeaseChecker({ has: (id) => leases.has(id) });
    put('a', 'v', { lease: 7n });
    const r = put('a', '', { ignoreValue: true, prevKv: true });
    const kv = range('a').response.kvs[0]!;
    expect([kv.value.toString(), kv.lease]).toEqual(['v', 0n]);
    expect(r.response.prevKv!.lease).toBe(7n);
    put('a', 'w', { lease: 7n });
    put('a', 'x', { ignoreLease: true });
    expect(range('a').response.kvs[0]!.lease).toBe(7n);
    const before = t.store.rev();
    expect(() => put('missing', '', { ignoreValue: true })).toThrow(ErrKeyNotFound);
    expect(() => put('missing', 'v', { ignoreLease: true })).toThrow(ErrKeyNotFound);
    expect(t.store.rev()).toBe(before);
  });

  it('rejects an unknown lease before ignore checks, and attaches/detaches through the checker', () => {
    const attached: string[] = [];
    t.store.setLeaseChecker({
      has: (id) => id === 5n || id === 6n,
      attach: (id, key) => attached.push(`+${id}:${key}`),
      detach: (id, key) => attached.push(`-${id}:${key}`),
    });
    expect(() => put('missing', '', { lease: 9n, ignoreValue: true })).toThrow(ErrLeaseNotFound);
    expect(() => put('k', 'v', { lease: 9n })).toThrow(ErrLeaseNotFound);
    put('k', 'v', { lease: 5n });
    put('k', 'v', { lease: 6n });
    del('k');
    expect(attached).toEqual(['+5:k', '-5:k', '+6:k', '-6:k']);
    expect(t.store.rev()).toBe(4n);
  });

  it('validation errors: empty key, value/lease provided with ignore_*', () => {
    expect(() => checkPutRequest(PutRequest.fromPartial({}))).toThrow(ErrEmptyKey);
    expect(() => checkPutRequest(PutRequest.fromPartial({ key: b('a'), value: b('x'), ignoreValue: true }))).toThrow(ErrValueProvided);
    expect(() => checkPutRequest(PutRequest.fromPartial({ key: b('a'), lease: 1n, ignoreLease: true }))).toThrow(ErrLeaseProvided);
    expect(new ErrValueProvided().message).toBe('etcdserver: value is provided');
  });

  it('emits PUT events with the new kv', () => {
    const { events } = put('a', '1');
    expect(events).toHaveLength(1);
    expect(events[0]!.type).toBe(EventType.PUT);
    expect([events[0]!.kv!.key.toString(), events[0]!.kv!.modRevision]).toEqual(['a', 2n]);
  });
});

describe('range', () => {
  beforeEach(() => {
    // a@2 b@3 c@4 d@5, then b again @6 (version 2), values chosen to sort differently from keys
    put('a', 'z');
    put('b', 'y');
    put('c', 'x');
    put('d', 'w');
    put('b', 'v');
  });

  it('single key, [key, end), prefix and "\\x00" conventions', () => {
    expect(keys(range('b').response.kvs)).toEqual(['b']);
    expect(keys(range('b', { rangeEnd: b('d') }).response.kvs)).toEqual(['b', 'c']);
    expect(keys(range('b', { rangeEnd: Buffer.from([0]) }).response.kvs)).toEqual(['b', 'c', 'd']);
    expect(keys(range('\x00', { rangeEnd: Buffer.from([0]) }).response.kvs)).toEqual(['a', 'b', 'c', 'd']);
    put('ba', '1');
    put('bb', '1');
    expect(keys(range('b', { rangeEnd: b('c') }).response.kvs)).toEqual(['b', 'ba', 'bb']);
  });

  it('empty and inverted ranges return nothing, no error', () => {
    expect(range('zz').response).toMatchObject({ kvs: [], count: 0n, more: false });
    expect(range('c', { rangeEnd: b('a') }).response.kvs).toEqual([]);
    expect(range('c', { rangeEnd: b('c') }).response.kvs).toEqual([]);
  });

  it('limit sets more; count ignores limit', () => {
    const r = range('a', { rangeEnd: b('z'), limit: 2n }).response;
    expect([keys(r.kvs), r.more, r.count]).toEqual([['a', 'b'], true, 4n]);
    const r2 = range('a', { rangeEnd: b('z'), limit: 4n }).response;
    expect([r2.kvs.length, r2.more]).toEqual([4, false]);
  });

  it('count_only returns only the count; keys_only strips values', () => {
    const c = range('a', { rangeEnd: b('z'), countOnly: true }).response;
    expect([c.kvs, c.count]).toEqual([[], 4n]);
    const k = range('a', { rangeEnd: b('z'), keysOnly: true }).response;
    expect(k.kvs.map((kv) => kv.value.length)).toEqual([0, 0, 0, 0]);
    expect(k.kvs[1]!.version).toBe(2n);
  });

  it.each<[string, SO, ST, string[]]>([
    ['key descend', SO.DESCEND, ST.KEY, ['d', 'c', 'b', 'a']],
    ['key ascend', SO.ASCEND, ST.KEY, ['a', 'b', 'c', 'd']],
    ['value (none means ascend)', SO.NONE, ST.VALUE, ['b', 'd', 'c', 'a']],
    ['value descend', SO.DESCEND, ST.VALUE, ['a', 'c', 'd', 'b']],
    ['version ascend (ties keep key order)', SO.ASCEND, ST.VERSION, ['a', 'c', 'd', 'b']],
    ['version descend (ties keep key order)', SO.DESCEND, ST.VERSION, ['b', 'a', 'c', 'd']],
    ['create descend', SO.DESCEND, ST.CREATE, ['d', 'c', 'b', 'a']],
    ['mod ascend', SO.ASCEND, ST.MOD, ['a', 'c', 'd', 'b']],
    ['mod descend', SO.DESCEND, ST.MOD, ['b', 'd', 'c', 'a']],
  ])('sort: %s', (_name, order, target, expected) => {
    expect(keys(range('a', { rangeEnd: b('z'), sortOrder: order, sortTarget: target }).response.kvs)).toEqual(expected);
  });

  it('sorting fetches everything before truncating to limit', () => {
    const r = range('a', { rangeEnd: b('z'), sortOrder: SO.DESCEND, limit: 1n }).response;
    expect([keys(r.kvs), r.more, r.count]).toEqual([['d'], true, 4n]);
  });

  it('min/max mod/create filters do not reduce count', () => {
    const f = (extra: DeepPartial<RangeRequest>) => {
      const r = range('a', { rangeEnd: b('z'), ...extra }).response;
      return [keys(r.kvs), r.count];
    };
    expect(f({ minModRevision: 4n })).toEqual([['b', 'c', 'd'], 4n]);
    expect(f({ maxModRevision: 4n })).toEqual([['a', 'c'], 4n]);
    expect(f({ minCreateRevision: 3n, maxCreateRevision: 4n })).toEqual([['b', 'c'], 4n]);
    expect(f({ minModRevision: 3n, limit: 1n })).toEqual([['b'], 4n]);
    expect(range('a', { rangeEnd: b('z'), minModRevision: 3n, limit: 1n }).response.more).toBe(true);
  });

  it('reads at a past revision; header revision stays the current one', () => {
    const r = range('b', { revision: 4n }).response;
    expect([r.kvs[0]!.value.toString(), r.kvs[0]!.version, r.header!.revision]).toEqual(['y', 1n, 6n]);
    expect(range('d', { revision: 4n }).response.kvs).toEqual([]);
    expect(range('a', { rangeEnd: b('z'), revision: 3n }).response.count).toBe(2n);
  });

  it('future and compacted revisions fail; future is checked first', () => {
    expect(() => range('a', { revision: 7n })).toThrow(ErrFutureRev);
    applyCompaction(t.store, CompactionRequest.fromPartial({ revision: 4n }));
    expect(() => range('a', { revision: 3n })).toThrow(ErrCompacted);
    expect(() => range('a', { revision: 3n })).toThrow('etcdserver: mvcc: required revision has been compacted');
    expect(range('a', { rangeEnd: b('z'), revision: 4n }).response.count).toBe(3n);
    expect(() => range('a', { revision: 100n })).toThrow(ErrFutureRev);
  });
});

describe('delete range', () => {
  beforeEach(() => {
    for (const k of ['a', 'b', 'c']) put(k, k.toUpperCase());
  });

  it('deletes a range in one revision, with prev_kvs and DELETE events', () => {
    const { response, events } = del('a', { rangeEnd: b('c'), prevKv: true });
    expect([response.deleted, response.header!.revision, keys(response.prevKvs)]).toEqual([2n, 5n, ['a', 'b']]);
    expect(events.map((e) => [e.type, e.kv!.key.toString(), e.kv!.modRevision, e.kv!.value.length])).toEqual([
      [EventType.DELETE, 'a', 5n, 0],
      [EventType.DELETE, 'b', 5n, 0],
    ]);
    expect(keys(range('a', { rangeEnd: Buffer.from([0]) }).response.kvs)).toEqual(['c']);
  });

  it('deleting nothing does not bump the revision; prev_kvs only when asked', () => {
    const r = del('zz');
    expect([r.response.deleted, r.response.header!.revision, r.events]).toEqual([0n, 4n, []]);
    expect(del('a').response.prevKvs).toEqual([]);
    expect(t.store.rev()).toBe(5n);
  });

  it('a recreated key starts a new generation (version 1, new create revision)', () => {
    del('a');
    put('a', 'again');
    const kv = range('a').response.kvs[0]!;
    expect([kv.createRevision, kv.version]).toEqual([6n, 1n]);
    expect(range('a', { revision: 4n }).response.kvs[0]!.value.toString()).toBe('A');
    expect(range('a', { revision: 5n }).response.kvs).toEqual([]);
  });
});

describe('txn', () => {
  beforeEach(() => {
    put('a', 'va'); // rev 2
    put('b', 'vb'); // rev 3
    put('b', 'vb2'); // rev 4
  });
  const cmp = (c: DeepPartial<Compare>): DeepPartial<Compare> => c;

  it.each<[string, DeepPartial<Compare>, boolean]>([
    ['version equal', cmp({ key: b('b'), target: CT.VERSION, result: CR.EQUAL, version: 2n }), true],
    ['version greater', cmp({ key: b('b'), target: CT.VERSION, result: CR.GREATER, version: 2n }), false],
    ['create less', cmp({ key: b('b'), target: CT.CREATE, result: CR.LESS, createRevision: 4n }), true],
    ['mod not equal', cmp({ key: b('b'), target: CT.MOD, result: CR.NOT_EQUAL, modRevision: 4n }), false],
    ['value equal', cmp({ key: b('a'), target: CT.VALUE, result: CR.EQUAL, value: b('va') }), true],
    ['value greater (bytes)', cmp({ key: b('b'), target: CT.VALUE, result: CR.GREATER, value: b('vb') }), true],
    ['lease equal 0', cmp({ key: b('a'), target: CT.LEASE, result: CR.EQUAL, lease: 0n }), true],
    ['missing key: create == 0', cmp({ key: b('zz'), target: CT.CREATE, result: CR.EQUAL, createRevision: 0n }), true],
    ['missing key: version == 0', cmp({ key: b('zz'), target: CT.VERSION, result: CR.EQUAL }), true],
    ['missing key: value is always false', cmp({ key: b('zz'), target: CT.VALUE, result: CR.NOT_EQUAL, value: b('x') }), false],
    ['operand of another kind counts as 0', cmp({ key: b('a'), target: CT.MOD, result: CR.GREATER, version: 99n }), true],
    ['range: every key must match', cmp({ key: b('a'), rangeEnd: b('c'), target: CT.MOD, result: CR.GREATER, modRevision: 2n }), false],
    ['range: all match', cmp({ key: b('a'), rangeEnd: b('c'), target: CT.CREATE, result: CR.LESS, createRevision: 4n }), true],
    ['empty range acts like a missing key', cmp({ key: b('x'), rangeEnd: b('z'), target: CT.VERSION, result: CR.EQUAL }), true],
  ])('compare: %s', (_name, c, expected) => {
    const { response } = txn({ compare: [c], success: [opRange('a')], failure: [opRange('b')] });
    expect(response.succeeded).toBe(expected);
    expect(keys(response.responses[0]!.responseRange!.kvs)).toEqual([expected ? 'a' : 'b']);
  });

  it('runs ops in order in one revision; later ops see earlier writes', () => {
    const { response, events } = txn({
      success: [opPut('c', '1'), opRange('c'), opPut('d', '2'), opDel('a'), opRange('a', { rangeEnd: Buffer.from([0]) })],
    });
    expect(response.header!.revision).toBe(5n);
    const [p1, r1, p2, d1, r2] = response.responses;
    expect(p1!.responsePut!.header!.revision).toBe(5n);
    expect([keys(r1!.responseRange!.kvs), r1!.responseRange!.header!.revision]).toEqual([['c'], 5n]);
    expect(p2!.responsePut!.header!.revision).toBe(5n);
    expect(d1!.responseDeleteRange!.deleted).toBe(1n);
    expect(keys(r2!.responseRange!.kvs)).toEqual(['b', 'c', 'd']);
    expect(events.map((e) => [e.type, e.kv!.key.toString(), e.kv!.modRevision])).toEqual([
      [EventType.PUT, 'c', 5n],
      [EventType.PUT, 'd', 5n],
      [EventType.DELETE, 'a', 5n],
    ]);
    expect(t.store.rev()).toBe(5n);
  });

  it('a txn that writes nothing keeps the revision', () => {
    const { response } = txn({ success: [opDel('nothing')] });
    expect(response.header!.revision).toBe(4n);
    expect(t.store.rev()).toBe(4n);
    expect(txn({ success: [opRange('a')] }).response.header!.revision).toBe(4n);
  });

  it('nested txns evaluate their compares against the state before the outer txn', () => {
    const { response } = txn({
      success: [
        opPut('a', 'changed'),
        {
          requestTxn: {
            compare: [{ key: b('a'), target: CT.VALUE, result: CR.EQUAL, value: b('va') }],
            success: [opPut('n', 'saw-old'), opRange('a')],
            failure: [opPut('n', 'saw-new')],
          },
        },
      ],
    });
    const nested = response.responses[1]!.responseTxn!;
    expect(nested.succeeded).toBe(true);
    expect(nested.header!.revision).toBe(0n);
    expect(nested.responses[1]!.responseRange!.kvs[0]!.value.toString()).toBe('changed');
    expect(range('n').response.kvs[0]!.value.toString()).toBe('saw-old');
    expect(response.header!.revision).toBe(5n);
  });

  it('apply-time errors abort the whole txn with nothing written', () => {
    const before = t.store.rev();
    expect(() => txn({ success: [opPut('x', '1'), { requestPut: { key: b('y'), lease: 42n } }] })).toThrow(ErrLeaseNotFound);
    expect(() => txn({ success: [opPut('x', '1'), { requestPut: { key: b('nope'), ignoreValue: true } }] })).toThrow(ErrKeyNotFound);
    expect(() => txn({ success: [opPut('x', '1'), opRange('a', { revision: 99n })] })).toThrow(ErrFutureRev);
    expect(() =>
      txn({ success: [{ requestTxn: { success: [opPut('x', '1'), { requestPut: { key: b('y'), lease: 42n } }] } }] }),
    ).toThrow(ErrLeaseNotFound);
    // an error in the branch not taken does not matter
    expect(txn({ compare: [{ key: b('zz'), target: CT.VERSION, result: CR.GREATER }], success: [{ requestPut: { key: b('y'), lease: 42n } }], failure: [opPut('x', '1')] }).response.succeeded).toBe(false);
    expect(t.store.rev()).toBe(before + 1n);
    expect(range('y').response.kvs).toEqual([]);
  });

  it('a range at a compacted revision inside a txn fails', () => {
    applyCompaction(t.store, CompactionRequest.fromPartial({ revision: 3n }));
    expect(() => txn({ success: [opRange('a', { revision: 2n })] })).toThrow(ErrCompacted);
  });
});

describe('txn validation', () => {
  const check = (r: DeepPartial<TxnRequest>, max?: number) => () => checkTxnRequest(TxnRequest.fromPartial(r), max);
  const puts = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => opPut(`${prefix}${i}`));

  it('128 ops are fine, 129 are too many (compares and each branch)', () => {
    expect(check({ success: puts(128) })).not.toThrow();
    expect(check({ success: puts(129) })).toThrow(ErrTooManyOps);
    expect(check({ failure: puts(129) })).toThrow('etcdserver: too many operations in txn request');
    expect(check({ compare: Array.from({ length: 129 }, () => ({ key: b('a') })) })).toThrow(ErrTooManyOps);
  });

  it('nested txns get the remaining budget', () => {
    // 4 ops at the top level leave 1 of 5 for the nested txn
    expect(check({ success: [...puts(3), { requestTxn: { success: puts(1, 'n') } }] }, 5)).not.toThrow();
    expect(check({ success: [...puts(3), { requestTxn: { success: puts(2, 'n') } }] }, 5)).toThrow(ErrTooManyOps);
  });

  it('empty keys and empty ops', () => {
    expect(check({ compare: [{ key: b('') }] })).toThrow(ErrEmptyKey);
    expect(check({ success: [{ requestRange: { key: b('') } }] })).toThrow(ErrEmptyKey);
    expect(check({ failure: [{ requestTxn: { success: [{ requestDeleteRange: {} }] } }] })).toThrow(ErrEmptyKey);
    expect(check({ success: [{}] })).toThrow(ErrKeyNotFound);
    expect(check({ success: [{ requestPut: { key: b('a'), value: b('v'), ignoreValue: true } }] })).toThrow(ErrValueProvided);
  });

  it('duplicate keys: two puts, put inside a delete range, nested branches', () => {
    expect(check({ success: [opPut('a'), opPut('a')] })).toThrow(ErrDuplicateKey);
    expect(check({ success: [opPut('a'), opPut('b')] })).not.toThrow();
    expect(check({ success: [opDel('a', 'c'), opPut('b')] })).toThrow(ErrDuplicateKey);
    expect(check({ success: [opDel('a', 'c'), opPut('c')] })).not.toThrow();
    expect(check({ success: [opDel('b'), opPut('b')] })).toThrow(ErrDuplicateKey);
    expect(check({ success: [opDel('a', 'c'), opDel('b', 'd')] })).not.toThrow(); // overlapping deletes are fine
    expect(check({ success: [opPut('a')], failure: [opPut('a')] })).not.toThrow();
    expect(check({ success: [opPut('a'), { requestTxn: { success: [opPut('a')] } }] })).toThrow(ErrDuplicateKey);
    expect(check({ success: [{ requestTxn: { success: [opPut('a')], failure: [opPut('a')] } }] })).not.toThrow();
    expect(check({ success: [opDel('a', 'c'), { requestTxn: { failure: [opPut('b')] } }] })).toThrow(ErrDuplicateKey);
    expect(check({ success: [{ requestTxn: { success: [opDel('a', 'c')] } }, opPut('b')] })).toThrow(ErrDuplicateKey);
    // etcd's interval check treats a "\x00" range end literally, so it never overlaps a put
    expect(check({ success: [opDel('a', '\x00'), opPut('b')] })).not.toThrow();
  });
});

describe('compaction', () => {
  it('compacted and future revisions fail; header is the current revision', () => {
    put('a', '1');
    put('a', '2');
    put('a', '3'); // rev 4
    expect(() => applyCompaction(t.store, CompactionRequest.fromPartial({ revision: 5n }))).toThrow(ErrFutureRev);
    expect(applyCompaction(t.store, CompactionRequest.fromPartial({ revision: 3n })).response.header!.revision).toBe(4n);
    expect(() => applyCompaction(t.store, CompactionRequest.fromPartial({ revision: 3n }))).toThrow(ErrCompacted);
    expect(() => applyCompaction(t.store, CompactionRequest.fromPartial({ revision: 2n }))).toThrow(ErrCompacted);
    expect(range('a', { revision: 3n }).response.kvs[0]!.value.toString()).toBe('2');
  });
});
