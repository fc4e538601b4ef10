// bcrypt (Provos & Mazières' EksBlowfish) as etcd's v2 auth stores passwords: "$2a$10$" + 22
// characters of salt + 31 of hash, bcrypt's own base64 alphabet. Written from the published
// algorithm; synchronous like Go's (cost 10 takes tens of milliseconds).

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { blowfishInitialWords, P_WORDS, S_BOX_WORDS } from './blowfish-state';

/** golang.org/x/crypto/bcrypt.DefaultCost, which etcd's v2 auth uses. */
export const BCRYPT_DEFAULT_COST = 10;
export const BCRYPT_MIN_COST = 4;
export const BCRYPT_MAX_COST = 31;
const SALT_BYTES = 16;
const HASH_BYTES = 23;
const ENCODED_SALT_CHARS = 22;
const MIN_HASH_CHARS = 59;
/** The 24-byte plaintext bcrypt encrypts 64 times. */
const MAGIC = Buffer.from('OrpheanBeholderScryDoubt', 'latin1');
const ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const STD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function toBcryptBase64(bytes: Uint8Array): string {
  const std = Buffer.from(bytes).toString('base64').replace(/=+$/, '');
  let out = '';
  for (const ch of std) out += ALPHABET[STD_ALPHABET.indexOf(ch)];
  return out;
}

function fromBcryptBase64(text: string): Buffer | undefined {
  let std = '';
  for (const ch of text) {
    const i = ALPHABET.indexOf(ch);
    if (i < 0) return undefined;
    std += STD_ALPHABET[i];
  }
  return Buffer.from(std, 'base64');
}

/** The expanded cipher state: P then S0..S3 in one array. */
class EksBlowfish {
  readonly w = new Uint32Array(blowfishInitialWords());
  private readonly lr = new Uint32Array(2);

  private f(x: number): number {
    const w = this.w;
    const s0 = w[P_WORDS + (x >>> 24)]!;
    const s1 = w[P_WORDS + S_BOX_WORDS + ((x >>> 16) & 0xff)]!;
    const s2 = w[P_WORDS + 2 * S_BOX_WORDS + ((x >>> 8) & 0xff)]!;
    const s3 = w[P_WORDS + 3 * S_BOX_WORDS + (x & 0xff)]!;
    return ((((s0 + s1) >>> 0) ^ s2) + s3) >>> 0;
  }

  /** Encrypts (l, r) in place into this.lr. */
  encrypt(l: number, r: number): Uint32Array {
    const w = this.w;
    l = (l ^ w[0]!) >>> 0;
    for (let i = 1; i < 16; i += 2) {
      r = (r ^ this.f(l) ^ w[i]!) >>> 0;
      l = (l ^ this.f(r) ^ w[i + 1]!) >>> 0;
    }
    this.lr[0] = (r ^ w[17]!) >>> 0;
    this.lr[1] = l;
    return this.lr;
  }

  /** Blowfish's key schedule, with bcrypt's salt folded in when given. */
  expand(key: Uint8Array, salt: Uint8Array | undefined): void {
    const w = this.w;
    let keyPos = 0;
    for (let i = 0; i < P_WORDS; i++) {
      let word = 0;
      for (let b = 0; b < 4; b++) {
        word = ((word << 8) | key[keyPos]!) >>> 0;
        keyPos = (keyPos + 1) % key.length;
      }
      w[i] = (w[i]! ^ word) >>> 0;
    }
    let saltPos = 0;
    const saltWord = (): number => {
      if (salt === undefined) return 0;
      let word = 0;
      for (let b = 0; b < 4; b++) {
        word = ((word << 8) | salt[saltPos]!) >>> 0;
        saltPos = (saltPos + 1) % salt.length;
      }
      return word;
    };
    let l = 0;
    let r = 0;
    for (let i = 0; i < w.length; i += 2) {
      l = (l ^ saltWord()) >>> 0;
      r = (r ^ saltWord()) >>> 0;
      const out = this.encrypt(l, r);
      l = out[0]!;
      r = out[1]!;
      w[i] = l;
      w[i + 1] = r;
    }
  }
}

function rawHash(password: Uint8Array, cost: number, salt: Uint8Array): Buffer {
  const key = Buffer.concat([password, Buffer.from([0])]);
  const bf = new EksBlowfish();
  bf.expand(key, salt);
  const rounds = 2 ** cost;
  for (let i = 0; i < rounds; i++) {
    bf.expand(key, undefined);
    bf.expand(salt, undefined);
  }
  const out = Buffer.from(MAGIC);
  for (let i = 0; i < out.length; i += 8) {
    let l = out.readUInt32BE(i);
    let r = out.readUInt32BE(i + 4);
    for (let j = 0; j < 64; j++) {
      const lr = bf.encrypt(l, r);
      l = lr[0]!;
      r = lr[1]!;
    }
    out.writeUInt32BE(l, i);
    out.writeUInt32BE(r, i + 4);
  }
  return out.subarray(0, HASH_BYTES);
}

function checkCost(cost: number): void {
  if (!Number.isInteger(cost) || cost < BCRYPT_MIN_COST || cost > BCRYPT_MAX_COST) {
    throw new Error(`crypto/bcrypt: cost ${cost} is outside allowed range (${BCRYPT_MIN_COST},${BCRYPT_MAX_COST})`);
  }
}

/** A "$2a$<cost>$<salt><hash>" string for the password (salt from the system CSPRNG unless given). */
export function bcryptHash(password: string | Uint8Array, cost = BCRYPT_DEFAULT_COST, salt?: Uint8Array): string {
  checkCost(cost);
  const saltBytes = salt ?? randomBytes(SALT_BYTES);
  if (saltBytes.length !== SALT_BYTES) throw new Error(`bcrypt: salt must be ${SALT_BYTES} bytes`);
  const pw = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  const encodedSalt = toBcryptBase64(saltBytes);
  return `$2a$${String(cost).padStart(2, '0')}$${encodedSalt}${toBcryptBase64(rawHash(pw, cost, saltBytes))}`;
}

/** Whether `password` matches a bcrypt hash ($2$, $2a$, $2b$, $2y$); false for a malformed hash. */
export function bcryptCompare(hash: string, password: string | Uint8Array): boolean {
  const m = /^\$2([a-z]?)\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/.exec(hash);
  if (m === null || hash.length < MIN_HASH_CHARS) return false;
  const cost = Number(m[2]);
  if (cost < BCRYPT_MIN_COST || cost > BCRYPT_MAX_COST) return false;
  const salt = fromBcryptBase64(m[3]!);
  const expected = fromBcryptBase64(m[4]!);
  if (salt === undefined || expected === undefined || salt.length !== SALT_BYTES || m[3]!.length !== ENCODED_SALT_CHARS) return false;
  const pw = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  const got = rawHash(pw, cost, salt);
  return got.length === expected.length && timingSafeEqual(got, expected);
}
