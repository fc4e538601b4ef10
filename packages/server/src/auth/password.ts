// Password hashes of auth users. Deviation from etcd: etcd stores bcrypt hashes; tsetcd stores
// scrypt hashes (node:crypto, no native dependency) in its own self-describing format
// `scrypt$N$r$p$<salt base64>$<hash base64>`. A data dir is therefore not interchangeable with
// etcd's for auth users (their passwords must be set again).

import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/** scrypt cost parameters (N = 2^14 is Node's default: ~tens of ms per hash). */
export const SCRYPT_COST_N = 16384;
export const SCRYPT_BLOCK_SIZE_R = 8;
export const SCRYPT_PARALLELISM_P = 1;
export const SCRYPT_KEY_BYTES = 32;
export const SCRYPT_SALT_BYTES = 16;
const PREFIX = 'scrypt';
/** Stored hashes are parsed; refuse absurd parameters (a corrupted or hostile record). */
const SCRYPT_MAX_COST_N = 1 << 20;
const utf8 = new TextEncoder();

export function hashPassword(password: string): Uint8Array {
  const salt = randomBytes(SCRYPT_SALT_BYTES);
  const key = scryptSync(password, salt, SCRYPT_KEY_BYTES, { N: SCRYPT_COST_N, r: SCRYPT_BLOCK_SIZE_R, p: SCRYPT_PARALLELISM_P });
  return utf8.encode(
    [PREFIX, SCRYPT_COST_N, SCRYPT_BLOCK_SIZE_R, SCRYPT_PARALLELISM_P, salt.toString('base64'), key.toString('base64')].join('$'),
  );
}

interface ParsedHash {
  readonly n: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly key: Buffer;
}

function parseHash(stored: Uint8Array): ParsedHash | undefined {
  const parts = Buffer.from(stored).toString('utf8').split('$');
  if (parts.length !== 6 || parts[0] !== PREFIX) return undefined;
  const [n, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![n, r, p].every((v) => Number.isSafeInteger(v) && v > 0) || n > SCRYPT_MAX_COST_N) return undefined;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const key = Buffer.from(parts[5] ?? '', 'base64');
  if (key.length === 0) return undefined;
  return { n, r, p, salt, key };
}

/** Constant-time check of `password` against a stored hash; false for an unreadable hash. */
export async function verifyPassword(password: string, stored: Uint8Array): Promise<boolean> {
  const h = parseHash(stored);
  if (h === undefined) return false;
  const derived = await new Promise<Buffer>((resolve, reject) => {
    scrypt(password, h.salt, h.key.length, { N: h.n, r: h.r, p: h.p, maxmem: 256 * h.n * h.r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
  return derived.length === h.key.length && timingSafeEqual(derived, h.key);
}
