// bcrypt at etcd's cost 10 holds the event loop for ~100 ms, and clients present the same
// credentials again and again (v2 on every request, v3 on every Authenticate): a (hash, password)
// pair bcrypt accepted is remembered as a SHA-256 digest, in a bounded set, so repeats cost one
// hash. A changed password has a new hash, so it never hits an old entry.

import { createHash } from 'node:crypto';
import { bcryptCompare } from './bcrypt';

/** How many verified credentials are remembered. */
export const VERIFIED_CREDENTIALS_MAX = 1024;

export class VerifiedPasswords {
  /** Digests of accepted pairs, oldest first. */
  private readonly verified = new Set<string>();

  constructor(private readonly max = VERIFIED_CREDENTIALS_MAX) {}

  /** Whether `password` matches the bcrypt `hash`. */
  check(hash: string, password: string): boolean {
    const digest = createHash('sha256').update(hash).update('\0').update(password).digest('base64');
    if (this.verified.has(digest)) return true;
    if (!bcryptCompare(hash, password)) return false;
    if (this.verified.size >= this.max) this.verified.delete(this.verified.values().next().value as string);
    this.verified.add(digest);
    return true;
  }
}
