import { ALL_KEYS_FROM, prefixEnd } from './bytes';
import { IDENTITY_MAPPER, prefixMapper } from './key-mapper';
import { encodeKeyRange } from './kv-codec';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const text = (x: Buffer): string => x.toString('latin1');

describe('prefixEnd', () => {
  test('increments the last byte below 0xff and drops trailing 0xff bytes', () => {
    expect(text(prefixEnd('abc'))).toBe('abd');
    expect([...prefixEnd(Uint8Array.from([0x61, 0xff, 0xff]))]).toEqual([0x62]);
    expect([...prefixEnd(Uint8Array.from([0xff]))]).toEqual([0]);
    expect([...prefixEnd('')]).toEqual([0]);
  });
});

describe('namespace key mapping', () => {
  const ns = prefixMapper('/app/');

  test('keys gain the prefix and lose it on the way back', () => {
    expect(text(ns.toServerKey(b('k')))).toBe('/app/k');
    expect(text(ns.fromServerKey(b('/app/k')))).toBe('k');
    expect(ns.owns(b('/app/x'))).toBe(true);
    expect(ns.owns(b('/ap'))).toBe(false);
    expect(ns.owns(b('/other/x'))).toBe(false);
  });

  test('range ends: empty stays a single key, "\\0" becomes the end of the namespace, others are prefixed', () => {
    expect(ns.toServerEnd(Buffer.alloc(0)).length).toBe(0);
    expect(text(ns.toServerEnd(Buffer.from(ALL_KEYS_FROM)))).toBe('/app0');
    expect(text(ns.toServerEnd(b('z')))).toBe('/app/z');
  });

  test('a prefix range in a namespace is the namespace-prefixed prefix range', () => {
    const whole = encodeKeyRange({ key: '', prefix: true }, ns);
    expect([text(whole.key), text(whole.rangeEnd)]).toEqual(['/app/', '/app0']);
    const sub = encodeKeyRange({ key: 'a/', prefix: true }, ns);
    expect([text(sub.key), text(sub.rangeEnd)]).toEqual(['/app/a/', '/app/a0']);
    const fromKey = encodeKeyRange({ key: 'm', fromKey: true }, ns);
    expect([text(fromKey.key), text(fromKey.rangeEnd)]).toEqual(['/app/m', '/app0']);
  });

  test('namespaces nest by concatenating prefixes', () => {
    const nested = prefixMapper('n/', ns);
    expect(text(nested.toServerKey(b('k')))).toBe('/app/n/k');
    expect(text(nested.fromServerKey(b('/app/n/k')))).toBe('k');
    expect(text(nested.toServerEnd(Buffer.from(ALL_KEYS_FROM)))).toBe('/app/n0');
  });

  test('the root view sends "\\0" for an empty key with a range end (every key)', () => {
    const all = encodeKeyRange({ key: '', prefix: true }, IDENTITY_MAPPER);
    expect([[...all.key], [...all.rangeEnd]]).toEqual([[0], [0]]);
    const single = encodeKeyRange({ key: 'k' }, IDENTITY_MAPPER);
    expect([text(single.key), single.rangeEnd.length]).toEqual(['k', 0]);
  });
});
