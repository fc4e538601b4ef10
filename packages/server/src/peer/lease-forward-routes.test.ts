import { LeaseTimeToLiveRequest, LeaseTimeToLiveResponse } from '@tsetcd/api';
import { isLeasePath, unwrapField1, wrapField1 } from './lease-forward-routes';

describe('lease peer routes', () => {
  it('wraps a LeaseTimeToLiveRequest as LeaseInternalRequest field 1 and back', () => {
    const inner = LeaseTimeToLiveRequest.encode({ ID: 0x1234567890abcdefn & ((1n << 63n) - 1n), keys: true }).finish();
    const wrapped = wrapField1(inner);
    expect(wrapped[0]).toBe(0x0a);
    expect(wrapped[1]).toBe(inner.length);
    expect(LeaseTimeToLiveRequest.decode(unwrapField1(wrapped))).toEqual({ ID: 0x1234567890abcdefn & ((1n << 63n) - 1n), keys: true });
  });

  it('uses a multi-byte length for bodies over 127 bytes and skips unknown fields', () => {
    const keys = Array.from({ length: 20 }, (_, i) => Buffer.from(`key-number-${i}`));
    const inner = LeaseTimeToLiveResponse.encode({ header: undefined, ID: 7n, TTL: 5n, grantedTTL: 10n, keys }).finish();
    expect(inner.length).toBeGreaterThan(127);
    const wrapped = wrapField1(inner);
    const withUnknown = new Uint8Array([0x10, 0x05, ...wrapped]);
    const back = LeaseTimeToLiveResponse.decode(unwrapField1(withUnknown));
    expect(back.TTL).toBe(5n);
    expect(back.keys.map((k) => Buffer.from(k).toString())).toEqual(keys.map((k) => k.toString()));
  });

  it('serves only etcd\'s two lease paths', () => {
    expect(isLeasePath('/leases')).toBe(true);
    expect(isLeasePath('/leases/internal')).toBe(true);
    expect(isLeasePath('/leases/x')).toBe(false);
  });
});
