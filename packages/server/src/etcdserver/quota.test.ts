import { PutRequest, RequestOp, TxnRequest } from '@tsetcd/api';
import { BackendQuota, costPut, costTxn } from './quota';

const put = (k: string, v: string): PutRequest => PutRequest.fromPartial({ key: Buffer.from(k), value: Buffer.from(v) });

describe('backend quota', () => {
  it('costs a put at 256 bytes + key + value', () => {
    expect(costPut(put('ab', 'cde'))).toBe(261);
  });

  it('costs a txn at its larger branch, counting only puts', () => {
    const txn = TxnRequest.fromPartial({
      success: [RequestOp.fromPartial({ requestPut: put('a', 'b') }), RequestOp.fromPartial({ requestRange: { key: Buffer.from('x') } })],
      failure: [RequestOp.fromPartial({ requestPut: put('a', 'b') }), RequestOp.fromPartial({ requestPut: put('c', 'd') })],
    });
    expect(costTxn(txn)).toBe(2 * 258);
  });

  it('refuses a write that would reach the quota; negative quota disables it', () => {
    let size = 1000;
    const q = new BackendQuota(1300, () => size);
    expect(q.available(299)).toBe(true);
    expect(q.available(300)).toBe(false);
    expect(q.available(0)).toBe(true);
    size = 2000;
    expect(q.available(1)).toBe(false);
    expect(new BackendQuota(-1, () => 1e12).available(1e9)).toBe(true);
  });
});
