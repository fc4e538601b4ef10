import fc from 'fast-check';
import { bytesToRev, compareRev, isTombstoneKey, MARK_TOMBSTONE, REV_BYTES_LEN, revKeyForLookup, revToBytes, type Revision } from './revision';

const revision = fc.record({
  main: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
  sub: fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
});

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

describe('revision keys', () => {
  it('lays out etcd’s 17 bytes: big-endian main, "_", big-endian sub', () => {
    expect(hex(revToBytes({ main: 0x0102030405060708n, sub: 0x090a0b0c }))).toBe('0102030405060708' + '5f' + '00000000090a0b0c');
    expect(hex(revToBytes({ main: 5n, sub: 2 ** 40 + 3 }))).toBe('0000000000000005' + '5f' + '0000010000000003');
    const t = revToBytes({ main: 7n, sub: 1 }, true);
    expect(t.length).toBe(REV_BYTES_LEN + 1);
    expect(t[REV_BYTES_LEN]).toBe(MARK_TOMBSTONE);
    expect(isTombstoneKey(t)).toBe(true);
    expect(isTombstoneKey(revToBytes({ main: 7n, sub: 1 }))).toBe(false);
  });

  it('round-trips through bytesToRev, tombstone or not', () => {
    fc.assert(
      fc.property(revision, fc.boolean(), (rev, tomb) => {
        expect(bytesToRev(revToBytes(rev, tomb))).toEqual(rev);
      }),
    );
  });

  it('sorts bytewise in revision order', () => {
    fc.assert(
      fc.property(revision, revision, (a, b) => {
        expect(Math.sign(Buffer.compare(revToBytes(a), revToBytes(b)))).toBe(Math.sign(compareRev(a, b)));
      }),
    );
  });

  it('gives every revToBytes call its own buffer, and the lookup key the same bytes', () => {
    fc.assert(
      fc.property(revision, revision, (a, b) => {
        const first = revToBytes(a);
        const before = hex(first);
        const lookup = revKeyForLookup(b);
        expect(hex(lookup)).toBe(hex(revToBytes(b)));
        revToBytes(b, true);
        expect(hex(first)).toBe(before);
      }),
    );
  });

  it('reuses one lookup buffer (a kept lookup key changes with the next call)', () => {
    const a: Revision = { main: 1n, sub: 0 };
    const kept = revKeyForLookup(a);
    revKeyForLookup({ main: 2n, sub: 0 });
    expect(bytesToRev(kept)).toEqual({ main: 2n, sub: 0 });
  });
});
