import { checkGoPath, goCleanPath, goPathUnescape, goRedirect } from './go-path';

describe('Go request path rules', () => {
  it('cleans like ServeMux (trailing slash kept)', () => {
    expect(goCleanPath('/v2/keys//a')).toBe('/v2/keys/a');
    expect(goCleanPath('/v2/keys/./a/../b/')).toBe('/v2/keys/b/');
    expect(goCleanPath('/v2/keys/')).toBe('/v2/keys/');
    expect(goCleanPath('/')).toBe('/');
    expect(goCleanPath('')).toBe('/');
  });

  it('unescapes %XX as UTF-8 bytes and refuses malformed escapes', () => {
    expect(goPathUnescape('/a%20b%C3%A9')).toBe('/a bé');
    expect(goPathUnescape('/a%zz')).toBeUndefined();
    expect(goPathUnescape('/a%2')).toBeUndefined();
  });

  it('decides bad request, redirect (query kept) or pass', () => {
    expect(checkGoPath('GET', '/v2/keys/a%zz', undefined)).toEqual({ kind: 'bad-request' });
    expect(checkGoPath('GET', '/v2//keys/a', 'recursive=true')).toEqual({ kind: 'redirect', location: '/v2/keys/a?recursive=true' });
    expect(checkGoPath('PUT', '/v2/keys/a', 'x=1')).toBeUndefined();
  });

  it('writes the redirect like http.Redirect', () => {
    expect(goRedirect('GET', '/v2/keys/a')).toEqual({
      status: 301,
      headers: { location: '/v2/keys/a', 'content-type': 'text/html; charset=utf-8' },
      body: '<a href="/v2/keys/a">Moved Permanently</a>.\n\n',
    });
    expect(goRedirect('PUT', '/x').body).toBe('');
    expect(goRedirect('HEAD', '/x').headers).toEqual({ location: '/x', 'content-type': 'text/html; charset=utf-8' });
  });
});
