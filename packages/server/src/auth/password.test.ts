import { hashPassword, verifyPassword } from './password';

describe('password hashes', () => {
  test('a hash verifies its own password only, and is salted', async () => {
    const h = hashPassword('s3cret');
    expect(Buffer.from(h).toString()).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('s3cret', h)).toBe(true);
    expect(await verifyPassword('s3cret ', h)).toBe(false);
    expect(await verifyPassword('', h)).toBe(false);
    expect(Buffer.from(hashPassword('s3cret')).equals(Buffer.from(h))).toBe(false);
  });

  test('unreadable stored hashes (bcrypt from etcd, empty, hostile cost) never verify', async () => {
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
    expect(await verifyPassword('x', enc('$2a$10$abcdefghijklmnopqrstuv'))).toBe(false);
    expect(await verifyPassword('', new Uint8Array(0))).toBe(false);
    expect(await verifyPassword('x', enc('scrypt$1073741824$8$1$AAAA$AAAA'))).toBe(false);
  });
});
