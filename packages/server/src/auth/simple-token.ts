// etcd's "simple" token provider: an opaque random token `<16 letters>.<raft index>` mapped to a
// user name in memory on every member (assigned when the Authenticate entry is applied). A token
// lives for the TTL (--auth-token-ttl, 300 s) after its last use; disabling auth forgets them all.

import { randomInt } from 'node:crypto';
import { JwtTokenProvider, parseJwtOptions } from './jwt-token';

export const SIMPLE_TOKEN_LENGTH = 16;
export const SIMPLE_TOKEN_TTL_DEFAULT_SECONDS = 300;
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** Expired tokens are swept on assignment at most this often. */
const SWEEP_INTERVAL_MS = 1000;

/** Who a token belongs to; `revision` only when the token carries it (jwt), else the store's. */
export interface TokenInfo {
  readonly username: string;
  readonly revision?: bigint;
}

export interface TokenProvider {
  enable(): void;
  disable(): void;
  /** Random part chosen before proposing Authenticate ('' when the provider needs none). */
  genTokenPrefix(): string;
  /** Makes the token of an applied Authenticate (raft `index`, auth `revision`); returns it. */
  assign(prefix: string, index: number, username: string, revision: bigint): string;
  /** The owner of a live token (a simple token's TTL restarts), or undefined. */
  info(token: string): TokenInfo | undefined;
  invalidateUser(username: string): void;
}

interface Entry {
  readonly username: string;
  expiresAtMs: number;
}

export class SimpleTokenProvider implements TokenProvider {
  private tokens = new Map<string, Entry>();
  private enabled = false;
  private lastSweepMs = 0;
  private readonly ttlMs: number;

  constructor(ttlSeconds: number = SIMPLE_TOKEN_TTL_DEFAULT_SECONDS, private readonly nowMs: () => number = () => performance.now()) {
    this.ttlMs = (ttlSeconds > 0 ? ttlSeconds : SIMPLE_TOKEN_TTL_DEFAULT_SECONDS) * 1000;
  }

  enable(): void {
    this.enabled = true;
  }

  disable(): void {
    this.enabled = false;
    this.tokens = new Map();
  }

  genTokenPrefix(): string {
    let s = '';
    for (let i = 0; i < SIMPLE_TOKEN_LENGTH; i++) s += LETTERS[randomInt(LETTERS.length)];
    return s;
  }

  assign(prefix: string, index: number, username: string, _revision?: bigint): string {
    const token = `${prefix}.${index}`;
    if (!this.enabled) return token;
    const now = this.nowMs();
    this.sweep(now);
    this.tokens.set(token, { username, expiresAtMs: now + this.ttlMs });
    return token;
  }

  info(token: string): TokenInfo | undefined {
    if (!isSimpleTokenFormat(token)) return undefined;
    const e = this.tokens.get(token);
    if (e === undefined) return undefined;
    const now = this.nowMs();
    if (e.expiresAtMs <= now) {
      this.tokens.delete(token);
      return undefined;
    }
    e.expiresAtMs = now + this.ttlMs;
    return { username: e.username };
  }

  invalidateUser(username: string): void {
    for (const [token, e] of this.tokens) if (e.username === username) this.tokens.delete(token);
  }

  /** Live tokens (for tests and metrics). */
  get size(): number {
    return this.tokens.size;
  }

  private sweep(now: number): void {
    if (now - this.lastSweepMs < SWEEP_INTERVAL_MS) return;
    this.lastSweepMs = now;
    for (const [token, e] of this.tokens) if (e.expiresAtMs <= now) this.tokens.delete(token);
  }
}

/** `<prefix>.<index>` with a decimal index, like etcd's isValidSimpleToken. */
export function isSimpleTokenFormat(token: string): boolean {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return false;
  return /^[0-9]+$/.test(token.slice(dot + 1));
}



/** Parses --auth-token: `simple`, or `jwt,sign-method=...,pub-key=...,priv-key=...,ttl=...`. */
export function createTokenProvider(authToken: string, ttlSeconds: number): TokenProvider {
  const [type = '', ...options] = authToken.split(',').map((s) => s.trim());
  if (type === 'simple' || type === '') return new SimpleTokenProvider(ttlSeconds);
  if (type === 'jwt') return new JwtTokenProvider(parseJwtOptions(options));
  throw new Error(`unknown token type: ${type}`);
}
