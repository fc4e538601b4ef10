import { SimpleTokenProvider, createTokenProvider, isSimpleTokenFormat, SIMPLE_TOKEN_LENGTH } from './simple-token';

describe('simple tokens', () => {
  let now = 0;
  const provider = (ttlSeconds = 2): SimpleTokenProvider => {
    const p = new SimpleTokenProvider(ttlSeconds, () => now);
    p.enable();
    return p;
  };

  beforeEach(() => {
    now = 1_000;
  });

  test('format: 16 letters, a dot, the raft index', () => {
    const p = provider();
    const prefix = p.genTokenPrefix();
    expect(prefix).toMatch(new RegExp(`^[a-zA-Z]{${SIMPLE_TOKEN_LENGTH}}$`));
    expect(p.assign(prefix, 42, 'alice')).toBe(`${prefix}.42`);
    expect(isSimpleTokenFormat(`${prefix}.42`)).toBe(true);
    expect(isSimpleTokenFormat('abc')).toBe(false);
    expect(isSimpleTokenFormat('abc.x1')).toBe(false);
    expect(isSimpleTokenFormat('a.b.1')).toBe(false);
  });

  test('a token expires after the TTL without use; each use restarts the TTL', () => {
    const p = provider(2);
    const t = p.assign('x'.repeat(16), 1, 'alice');
    now += 1_500;
    expect(p.info(t)?.username).toBe('alice');
    now += 1_500; // 3 s after assignment, 1.5 s after last use
    expect(p.info(t)?.username).toBe('alice');
    now += 2_000;
    expect(p.info(t)).toBeUndefined();
    expect(p.size).toBe(0);
  });

  test('invalidating a user drops only its tokens; disabling drops all', () => {
    const p = provider();
    const a = p.assign('a'.repeat(16), 1, 'alice');
    const r = p.assign('r'.repeat(16), 2, 'root');
    p.invalidateUser('alice');
    expect(p.info(a)).toBeUndefined();
    expect(p.info(r)?.username).toBe('root');
    p.disable();
    expect(p.info(r)).toBeUndefined();
  });

  test('--auth-token: simple (the default) or jwt; anything else is refused', () => {
    expect(createTokenProvider('simple', 300)).toBeInstanceOf(SimpleTokenProvider);
    expect(createTokenProvider('', 300)).toBeInstanceOf(SimpleTokenProvider);
    expect(() => createTokenProvider('jwt,sign-method=RS256', 300)).toThrow(/neither pub-key nor priv-key/);
    expect(() => createTokenProvider('opaque', 300)).toThrow(/unknown token type/);
  });
});
