import { Compare_CompareResult, Compare_CompareTarget, TxnRequest } from '@tsetcd/api';
import { IDENTITY_MAPPER, prefixMapper } from './key-mapper';
import { Compare, Op, TxnBuilder, txnWrites } from './txn';

function build(mapper = IDENTITY_MAPPER): TxnBuilder {
  return new TxnBuilder(mapper, () => Promise.reject(new Error('not sent in unit tests')));
}

describe('txn builder encoding', () => {
  test('each compare target and operator maps to the wire enums and oneof member', () => {
    const request = build()
      .if(
        Compare.value('k', '=', 'v'),
        Compare.version('k', '>', 0n),
        Compare.createRevision('k', '<', 5n),
        Compare.modRevision('k', '!=', 7n),
        Compare.lease('k', '=', 0x10n),
      )
      .toRequest();
    const [value, version, create, mod, lease] = request.compare;
    expect(value).toMatchObject({ target: Compare_CompareTarget.VALUE, result: Compare_CompareResult.EQUAL, value: Buffer.from('v') });
    expect(version).toMatchObject({ target: Compare_CompareTarget.VERSION, result: Compare_CompareResult.GREATER, version: 0n });
    expect(create).toMatchObject({ target: Compare_CompareTarget.CREATE, result: Compare_CompareResult.LESS, createRevision: 5n });
    expect(mod).toMatchObject({ target: Compare_CompareTarget.MOD, result: Compare_CompareResult.NOT_EQUAL, modRevision: 7n });
    expect(lease).toMatchObject({ target: Compare_CompareTarget.LEASE, result: Compare_CompareResult.EQUAL, lease: 0x10n });
    // a zero version compare must still be on the wire (set oneof member)
    const decoded = TxnRequest.decode(TxnRequest.encode(request).finish());
    expect(decoded.compare[1]?.version).toBe(0n);
    expect(decoded.compare[0]?.version).toBeUndefined();
  });

  test('then/else ops encode as RequestOp members, including nested txns', () => {
    const request = build()
      .if(Compare.version('k', '=', 0n))
      .then(Op.put('k', 'v', { lease: 3n, prevKv: true }), Op.get('k', { keysOnly: true }))
      .else(Op.delete({ key: 'p/', prefix: true }), Op.txn([], [Op.get('x')]))
      .toRequest();
    expect(request.success[0]?.requestPut).toMatchObject({ key: Buffer.from('k'), value: Buffer.from('v'), lease: 3n, prevKv: true });
    expect(request.success[1]?.requestRange).toMatchObject({ key: Buffer.from('k'), keysOnly: true });
    expect(request.failure[0]?.requestDeleteRange).toMatchObject({ key: Buffer.from('p/'), rangeEnd: Buffer.from('p0') });
    expect(request.failure[1]?.requestTxn?.success[0]?.requestRange?.key).toEqual(Buffer.from('x'));
  });

  test('in a namespace every compare and op key is prefixed', () => {
    const request = build(prefixMapper('ns/'))
      .if(Compare.value('a', '=', '1'))
      .then(Op.put('b', '2'), Op.range({ key: '', prefix: true }))
      .toRequest();
    expect(request.compare[0]?.key.toString()).toBe('ns/a');
    expect(request.success[0]?.requestPut?.key.toString()).toBe('ns/b');
    expect(request.success[1]?.requestRange?.key.toString()).toBe('ns/');
    expect(request.success[1]?.requestRange?.rangeEnd.toString()).toBe('ns0');
  });

  test('if/then/else must come in order, once each', () => {
    expect(() => build().then(Op.get('a')).if(Compare.value('a', '=', 'b'))).toThrow(/if\(\) called after then\(\)/);
    expect(() => build().else().then()).toThrow(/then\(\) called after else\(\)/);
    expect(() => build().if().if()).toThrow();
  });

  test('read-only txns are recognised (and so retried like reads)', () => {
    expect(txnWrites([Op.get('a'), Op.txn([], [Op.get('b')])])).toBe(false);
    expect(txnWrites([Op.get('a'), Op.txn([], [], [Op.delete('b')])])).toBe(true);
    expect(txnWrites([Op.put('a', 'b')])).toBe(true);
  });
});
