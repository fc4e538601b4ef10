import { Request } from '@tsetcd/api';
import { V2Error, V2Store, type V2Event } from '../v2store';
import { applyV2Request, msToUnixNano, V2UnknownMethodError } from './v2-apply';

const req = (p: Partial<Request>): Request => Request.fromPartial(p);
const one = (e: V2Event | V2Event[]): V2Event => (Array.isArray(e) ? (e[0] as V2Event) : e);

describe('applyV2Request', () => {
  it('selects set / create / update / compareAndSwap for PUT like etcd', () => {
    const s = new V2Store();
    expect(one(applyV2Request(s, req({ Method: 'PUT', Path: '/k', Val: 'a' }))).action).toBe('set');
    expect(() => applyV2Request(s, req({ Method: 'PUT', Path: '/k', Val: 'b', PrevExist: false }))).toThrow(V2Error);
    expect(one(applyV2Request(s, req({ Method: 'PUT', Path: '/k', Val: 'b', PrevExist: true }))).action).toBe('update');
    expect(one(applyV2Request(s, req({ Method: 'PUT', Path: '/k', Val: 'c', PrevExist: true, PrevValue: 'b' }))).action).toBe('compareAndSwap');
    expect(one(applyV2Request(s, req({ Method: 'PUT', Path: '/k', Val: 'd', PrevIndex: 3n }))).action).toBe('compareAndSwap');
    expect(one(applyV2Request(s, req({ Method: 'PUT', Path: '/n', Val: 'x', PrevExist: false }))).action).toBe('create');
  });

  it('POST makes in-order keys, DELETE picks compareAndDelete with a condition, QGET reads', () => {
    const s = new V2Store();
    expect(one(applyV2Request(s, req({ Method: 'POST', Path: '/q', Val: 'j' }))).node.key).toBe('/q/00000000000000000001');
    applyV2Request(s, req({ Method: 'PUT', Path: '/k', Val: 'v' }));
    expect(one(applyV2Request(s, req({ Method: 'QGET', Path: '/k' }))).node.value).toBe('v');
    expect(one(applyV2Request(s, req({ Method: 'DELETE', Path: '/k', PrevValue: 'v' }))).action).toBe('compareAndDelete');
    expect(one(applyV2Request(s, req({ Method: 'DELETE', Path: '/q', Recursive: true }))).action).toBe('delete');
    expect(() => applyV2Request(s, req({ Method: 'BOGUS' }))).toThrow(V2UnknownMethodError);
  });

  it('carries expirations as unix nanoseconds and SYNC expires up to its time', () => {
    const now = Date.UTC(2026, 0, 1);
    const s = new V2Store({ now: () => now });
    const e = one(applyV2Request(s, req({ Method: 'PUT', Path: '/t', Val: 'v', Expiration: msToUnixNano(now + 3000) })));
    expect(e.node.ttl).toBe(3);
    expect(applyV2Request(s, req({ Method: 'SYNC', Time: msToUnixNano(now + 2999) }))).toEqual([]);
    const expired = applyV2Request(s, req({ Method: 'SYNC', Time: msToUnixNano(now + 3000) }));
    expect(Array.isArray(expired) && expired.map((x) => [x.action, x.node.key])).toEqual([['expire', '/t']]);
  });
});
