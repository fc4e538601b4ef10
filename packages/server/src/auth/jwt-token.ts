// etcd's "jwt" token provider: `--auth-token jwt,pub-key=<pem>,priv-key=<pem>,sign-method=RS256,ttl=5m`.
// Stateless: the token is a signed JWT with claims {exp, revision, username} (the auth revision at
// issue time, so a token issued before a permission change is refused as "revision ... is old").
// RS*/PS*/ES* sign with the private key and verify with its public half; HS* use the priv-key
// file's bytes as the secret. With only a public key the member verifies but cannot issue.

import { createHmac, createPrivateKey, createPublicKey, sign, timingSafeEqual, verify, constants, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { EtcdError, GrpcStatus } from '@tsetcd/api';
import type { TokenInfo, TokenProvider } from './simple-token';

/** etcd's jwt DefaultTTL (5 minutes) when no `ttl=` option is given. */
export const JWT_TTL_DEFAULT_MS = 5 * 60 * 1000;
const KNOWN_OPTIONS = new Set(['sign-method', 'pub-key', 'priv-key', 'ttl']);

type Family = 'RS' | 'PS' | 'ES' | 'HS';

interface SignMethod {
  readonly alg: string;
  readonly family: Family;
  readonly hash: 'sha256' | 'sha384' | 'sha512';
}

function signMethod(alg: string): SignMethod | undefined {
  const m = /^(RS|PS|ES|HS)(256|384|512)$/.exec(alg);
  if (m === null) return undefined;
  return { alg, family: m[1] as Family, hash: `sha${m[2]}` as SignMethod['hash'] };
}

const DURATION_UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration for the forms etcd users write ("5m", "1h30m", "300ms"). */
export function parseGoDuration(text: string): number {
  const re = /([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * DURATION_UNITS_MS[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (text === '' || consumed !== text.length) throw new Error(`time: invalid duration "${text}"`);
  return total;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export interface JwtOptions {
  readonly method: SignMethod;
  readonly ttlMs: number;
  readonly privateKey?: Uint8Array;
  readonly publicKey?: Uint8Array;
}

/** Parses the options after `jwt,` (files are read here, at start-up). */
export function parseJwtOptions(parts: readonly string[], readFile: (path: string) => Uint8Array = readFileSync): JwtOptions {
  const opts = new Map<string, string>();
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq < 0) throw new Error(`invalid auth token option "${p}" (want key=value)`);
    opts.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim());
  }
  const unknown = [...opts.keys()].filter((k) => !KNOWN_OPTIONS.has(k));
  if (unknown.length > 0) throw new Error(`unknown JWT options: ${unknown.join(', ')}`);
  const method = signMethod(opts.get('sign-method') ?? '');
  if (method === undefined) throw new Error(`invalid JWT sign-method "${opts.get('sign-method') ?? ''}"`);
  const ttl = opts.get('ttl');
  const priv = opts.get('priv-key');
  const pub = opts.get('pub-key');
  return {
    method,
    ttlMs: ttl === undefined || ttl === '' ? JWT_TTL_DEFAULT_MS : parseGoDuration(ttl),
    ...(priv ? { privateKey: readFile(priv) } : {}),
    ...(pub ? { publicKey: readFile(pub) } : {}),
  };
}

export class JwtTokenProvider implements TokenProvider {
  private readonly method: SignMethod;
  private readonly ttlMs: number;
  private readonly signKey: KeyObject | Buffer | undefined;
  private readonly verifyKey: KeyObject | Buffer;

  constructor(opts: JwtOptions, private readonly nowMs: () => number = () => Date.now()) {
    this.method = opts.method;
    this.ttlMs = opts.ttlMs;
    if (opts.method.family === 'HS') {
      if (opts.privateKey === undefined || opts.privateKey.length === 0) throw new Error('JWT HMAC signing needs priv-key (the secret)');
      this.signKey = Buffer.from(opts.privateKey);
      this.verifyKey = this.signKey;
      return;
    }
    const priv = opts.privateKey !== undefined ? createPrivateKey(Buffer.from(opts.privateKey)) : undefined;
    const pub = opts.publicKey !== undefined ? createPublicKey(Buffer.from(opts.publicKey)) : undefined;
    const wantType = opts.method.family === 'ES' ? 'ec' : 'rsa';
    for (const k of [priv, pub]) {
      if (k !== undefined && k.asymmetricKeyType !== wantType) throw new Error(`JWT ${opts.method.alg} needs ${wantType.toUpperCase()} keys`);
    }
    if (priv === undefined && pub === undefined) throw new Error('JWT: neither pub-key nor priv-key given');
    if (priv !== undefined && pub !== undefined) {
      const derived = createPublicKey(priv).export({ format: 'der', type: 'spki' });
      if (!derived.equals(pub.export({ format: 'der', type: 'spki' }))) throw new Error('JWT: public and private keys do not match');
    }
    this.signKey = priv;
    this.verifyKey = pub ?? createPublicKey(priv!);
  }

  enable(): void {}
  disable(): void {}
  invalidateUser(): void {}

  genTokenPrefix(): string {
    return '';
  }

  assign(_prefix: string, _index: number, username: string, revision: bigint): string {
    if (this.signKey === undefined) throw new EtcdError(GrpcStatus.UNKNOWN, 'auth: token signing attempted with verify-only key');
    const header = b64url(JSON.stringify({ alg: this.method.alg, typ: 'JWT' }));
    const exp = Math.floor((this.nowMs() + this.ttlMs) / 1000);
    // Go's MapClaims marshal with sorted keys.
    const claims = b64url(`{"exp":${exp},"revision":${revision},"username":${JSON.stringify(username)}}`);
    const input = `${header}.${claims}`;
    return `${input}.${b64url(this.signature(input))}`;
  }

  info(token: string): TokenInfo | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [h, c, s] = parts as [string, string, string];
    let header: { alg?: unknown };
    let claims: { exp?: unknown; revision?: unknown; username?: unknown };
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as typeof header;
      claims = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return undefined;
    }
    if (header.alg !== this.method.alg) return undefined;
    if (!this.verifySignature(`${h}.${c}`, Buffer.from(s, 'base64url'))) return undefined;
    if (typeof claims.exp === 'number' && this.nowMs() > claims.exp * 1000) return undefined;
    if (typeof claims.username !== 'string' || typeof claims.revision !== 'number' || !Number.isSafeInteger(claims.revision)) return undefined;
    return { username: claims.username, revision: BigInt(claims.revision) };
  }

  private signature(input: string): Buffer {
    const { family, hash } = this.method;
    const key = this.signKey!;
    if (family === 'HS') return createHmac(hash, key as Buffer).update(input).digest();
    if (family === 'ES') return sign(hash, Buffer.from(input), { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
    if (family === 'PS') {
      return sign(hash, Buffer.from(input), { key: key as KeyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
    }
    return sign(hash, Buffer.from(input), key as KeyObject);
  }

  private verifySignature(input: string, sig: Buffer): boolean {
    const { family, hash } = this.method;
    const data = Buffer.from(input);
    try {
      if (family === 'HS') {
        const want = createHmac(hash, this.verifyKey as Buffer).update(input).digest();
        return want.length === sig.length && timingSafeEqual(want, sig);
      }
      const key = this.verifyKey as KeyObject;
      if (family === 'ES') return verify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, sig);
      if (family === 'PS') return verify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, sig);
      return verify(hash, data, key, sig);
    } catch {
      return false;
    }
  }
}
