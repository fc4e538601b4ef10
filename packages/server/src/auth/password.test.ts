import { hashPassword, verifyPassword } from './password';

/** The lowest cost bcrypt allows keeps these tests fast; the format and the check are the same. */
const TEST_COST = 4;

describe('password hashes (bcrypt, as etcd stores them)', () => {
  test('a hash verifies its own password only, and is salted', () => {
    const h = hashPassword('s3cret', TEST_COST);
    expect(Buffer.from(h).toString()).toMatch(/^\$2a\$04\$[./A-Za-z0-9]{53}$/);
    expect(verifyPassword('s3cret', h)).toBe(true);
    expect(verifyPassword('s3cret', h)).toBe(true); // remembered
    expect(verifyPassword('s3cret ', h)).toBe(false);
    expect(verifyPassword('', h)).toBe(false);
    expect(Buffer.from(hashPassword('s3cret', TEST_COST)).equals(Buffer.from(h))).toBe(false);
  });

  test("etcd's default cost is 10", () => {
    expect(Buffer.from(hashPassword('x')).toString()).toMatch(/^\$2a\$10\$/);
  });

  test('a hash written by Go (etcd) verifies; unreadable stored hashes never do', () => {
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
    // golang.org/x/crypto/bcrypt's test vector
    expect(verifyPassword('allmine', enc('$2a$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga'))).toBe(true);
    expect(verifyPassword('x', enc('$2a$10$abcdefghijklmnopqrstuv'))).toBe(false);
    expect(verifyPassword('', new Uint8Array(0))).toBe(false);
    expect(verifyPassword('x', enc('scrypt$16384$8$1$AAAA$AAAA'))).toBe(false);
  });
});
