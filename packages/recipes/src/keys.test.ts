import { leaseHex, sessionKey } from './keys';
import { linkedSignal } from './signals';

describe('Go key naming', () => {
  test('lease ids print like Go %x: lowercase, unpadded, signed', () => {
    expect(leaseHex(0x3ceea1ff629ab74dn)).toBe('3ceea1ff629ab74d');
    expect(leaseHex(0xan)).toBe('a');
    expect(leaseHex(-255n)).toBe('-ff');
  });
  test('prefix always gets a slash appended (a trailing slash doubles)', () => {
    expect(sessionKey('l2', 0x3ceea1ff629ab74dn)).toBe('l2/3ceea1ff629ab74d');
    expect(sessionKey('a/', 1n)).toBe('a//1');
  });
});

describe('linkedSignal', () => {
  test('aborts with the source reason and removes its listener from long-lived sources once disposed', () => {
    const source = new AbortController();
    let added = 0;
    let removed = 0;
    const add = source.signal.addEventListener.bind(source.signal);
    const remove = source.signal.removeEventListener.bind(source.signal);
    source.signal.addEventListener = ((...args: Parameters<typeof add>) => (added++, add(...args))) as typeof add;
    source.signal.removeEventListener = ((...args: Parameters<typeof remove>) => (removed++, remove(...args))) as typeof remove;
    for (let i = 0; i < 20; i++) linkedSignal(source.signal).dispose();
    expect(added).toBe(20);
    expect(removed).toBe(20);
    const link = linkedSignal(source.signal, undefined);
    source.abort('gone');
    expect(link.signal.aborted).toBe(true);
    expect(link.signal.reason).toBe('gone');
  });
  test('abort() aborts the linked signal only', () => {
    const source = new AbortController();
    const link = linkedSignal(source.signal);
    link.abort('released');
    expect(link.signal.aborted).toBe(true);
    expect(source.signal.aborted).toBe(false);
  });
});
