// Password hashes of auth users, as etcd stores them: bcrypt ("$2a$<cost>$..."), cost from
// --bcrypt-cost (etcd's default 10), so users move with a snapshot between etcd and tsetcd.

import { bcryptHash, BCRYPT_DEFAULT_COST } from '../pkg/bcrypt';
import { VerifiedPasswords } from '../pkg/verified-passwords';

const utf8 = new TextEncoder();
const verified = new VerifiedPasswords();

export function hashPassword(password: string, cost = BCRYPT_DEFAULT_COST): Uint8Array {
  return utf8.encode(bcryptHash(password, cost));
}

/** Whether `password` matches a stored hash; false for an unreadable hash. */
export function verifyPassword(password: string, stored: Uint8Array): boolean {
  return verified.check(Buffer.from(stored).toString('latin1'), password);
}
