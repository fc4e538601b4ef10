import { generateKeyPairSync } from 'node:crypto';
import { JwtTokenProvider, parseGoDuration, parseJwtOptions, JWT_TTL_DEFAULT_MS } from './jwt-token';
import { createTokenProvider } from './simple-token';

const pem = (k: { export(o: { format: 'pem'; type: 'pkcs8' | 'spki' }): string | Buffer }, type: 'pkcs8' | 'spki'): Uint8Array =>
  Buffer.from(k.export({ format: 'pem', type }));
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const files: Record<string, Uint8Array> = {
  'rsa.key': pem(rsa.privateKey, 'pkcs8'),
  'rsa.pub': pem(rsa.publicKey, 'spki'),
  'ec.key': pem(ec.privateKey, 'pkcs8'),
  'ec.pub': pem(ec.publicKey, 'spki'),
  'hmac.secret': Buffer.from('a shared secret'),
};
const read = (path: string): Uint8Array => {
  const f = files[path];
  if (f === undefined) throw new Error(`no file ${path}`);
  return f;
};
const provider = (opts: string, now = () => 1_000_000): JwtTokenProvider => new JwtTokenProvider(parseJwtOptions(opts.split(','), read), now);

describe('jwt tokens', () => {
  test.each([
    ['RS256', 'sign-method=RS256,priv-key=rsa.key,pub-key=rsa.pub'],
    ['PS384', 'sign-method=PS384,priv-key=rsa.key'],
    ['ES256', 'sign-method=ES256,priv-key=ec.key,pub-key=ec.pub'],
    ['HS512', 'sign-method=HS512,priv-key=hmac.secret'],
  ])('%s: a token round-trips with user and revision; a tampered one is refused', (alg, opts) => {
    const p = provider(opts);
    const token = p.assign('', 5, 'alice', 42n);
    const [h, c] = token.split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg, typ: 'JWT' });
    expect(JSON.parse(Buffer.from(c, 'base64url').toString())).toEqual({ exp: 1000 + JWT_TTL_DEFAULT_MS / 1000, revision: 42, username: 'alice' });
    expect(p.info(token)).toEqual({ username: 'alice', revision: 42n });
    const forged = Buffer.from(JSON.stringify({ exp: 9e9, revision: 42, username: 'root' })).toString('base64url');
    expect(p.info(`${h}.${forged}.${token.split('.')[2]}`)).toBeUndefined();
    expect(p.info('not.a.token')).toBeUndefined();
    expect(p.info('abcdefghijklmnop.5')).toBeUndefined();
  });

  test('expiry follows ttl=; a token of another algorithm is refused', () => {
    let now = 1_000_000;
    const p = provider('sign-method=RS256,priv-key=rsa.key,ttl=10s', () => now);
    const token = p.assign('', 1, 'root', 1n);
    now += 9_000;
    expect(p.info(token)?.username).toBe('root');
    now += 2_000;
    expect(p.info(token)).toBeUndefined();
    const hs = provider('sign-method=HS256,priv-key=hmac.secret').assign('', 1, 'root', 1n);
    expect(p.info(hs)).toBeUndefined();
  });

  test('a public key only verifies: signing is refused', () => {
    const full = provider('sign-method=ES256,priv-key=ec.key');
    const verifier = provider('sign-method=ES256,pub-key=ec.pub');
    expect(verifier.info(full.assign('', 1, 'bob', 3n))).toEqual({ username: 'bob', revision: 3n });
    expect(() => verifier.assign('', 1, 'bob', 3n)).toThrow('auth: token signing attempted with verify-only key');
  });

  test('start-up errors: bad method, missing or mismatched keys, unknown options', () => {
    expect(() => provider('sign-method=XX256,priv-key=rsa.key')).toThrow(/invalid JWT sign-method/);
    expect(() => provider('sign-method=RS256')).toThrow(/neither pub-key nor priv-key/);
    expect(() => provider('sign-method=RS256,priv-key=ec.key')).toThrow(/needs RSA keys/);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    files['other.pub'] = pem(other.publicKey, 'spki');
    expect(() => provider('sign-method=RS256,priv-key=rsa.key,pub-key=other.pub')).toThrow(/do not match/);
    expect(() => provider('sign-method=RS256,priv-key=rsa.key,colour=blue')).toThrow(/unknown JWT options: colour/);
    expect(() => createTokenProvider('opaque', 300)).toThrow(/unknown token type/);
  });

  test('Go durations', () => {
    expect(parseGoDuration('5m')).toBe(300_000);
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('1.5s')).toBe(1_500);
    expect(parseGoDuration('300ms')).toBe(300);
    expect(() => parseGoDuration('5')).toThrow(/invalid duration/);
    expect(() => parseGoDuration('')).toThrow(/invalid duration/);
  });
});
