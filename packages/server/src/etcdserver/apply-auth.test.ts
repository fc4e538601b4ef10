import fc from 'fast-check';
import { InternalRaftRequest } from '@tsetcd/api';
import { hasAuthRequestField } from './apply-auth';

const encode = (partial: Partial<InternalRaftRequest>): Uint8Array =>
  InternalRaftRequest.encode(InternalRaftRequest.fromPartial({ header: { ID: 7n, username: 'u', authRevision: 3n }, ...partial } as never)).finish();

describe('hasAuthRequestField', () => {
  test('KV, lease and alarm requests have none; every Auth* request has one', () => {
    expect(hasAuthRequestField(encode({ put: { key: Buffer.from('k'), value: Buffer.alloc(300, 1) } as never }))).toBe(false);
    expect(hasAuthRequestField(encode({ ID: 2n ** 60n, txn: { compare: [], success: [], failure: [] } as never }))).toBe(false);
    expect(hasAuthRequestField(encode({ leaseGrant: { TTL: 5n, ID: 1n } as never }))).toBe(false);
    for (const partial of [
      { authEnable: {} },
      { authDisable: {} },
      { authenticate: { name: 'a', password: '', simpleToken: 'x' } },
      { authUserAdd: { name: 'a', password: 'b' } },
      { authUserList: {} },
      { authRoleList: {} },
      { authRoleRevokePermission: { role: 'r', key: Buffer.from('k') } },
    ]) {
      expect(hasAuthRequestField(encode(partial as never))).toBe(true);
    }
  });

  test('property: agrees with a full decode for puts of any key/value; truncated input says true', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.uint8Array({ maxLength: 64 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (value, key, id) => {
        const data = encode({ ID: id, put: { key: Buffer.from(key), value: Buffer.from(value) } as never });
        expect(hasAuthRequestField(data)).toBe(false);
        if (data.length > 3) expect(hasAuthRequestField(data.subarray(0, data.length - 1))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
