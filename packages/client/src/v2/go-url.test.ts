import { canonicalUrlPath, goCleanPath, goEncodeValues, goPathEscape, goQueryEscape } from './go-url';

describe('Go net/url escaping (request lines must match the Go client byte for byte)', () => {
  test('QueryEscape keeps only A-Za-z0-9-_.~, turns a space into + and escapes UTF-8 bytes in upper-case hex', () => {
    expect(goQueryEscape('a b&c=d~*_.-')).toBe('a+b%26c%3Dd~%2A_.-');
    expect(goQueryEscape('é/?')).toBe('%C3%A9%2F%3F');
  });

  test('path escaping keeps / and the sub-delimiters Go keeps, escapes ? # % space', () => {
    expect(goPathEscape('/v2/keys/a b?c#d%e')).toBe('/v2/keys/a%20b%3Fc%23d%25e');
    expect(goPathEscape("/k$&+,:;=@!'()*")).toBe("/k$&+,:;=@%21%27%28%29%2A");
  });

  test('Values.Encode sorts by key', () => {
    expect(goEncodeValues(new Map([['value', 'x y'], ['ttl', '5']]))).toBe('ttl=5&value=x+y');
    expect(goEncodeValues(new Map([['sorted', 'false'], ['quorum', 'false'], ['recursive', 'true']]))).toBe(
      'quorum=false&recursive=true&sorted=false',
    );
  });

  test('path.Clean and CanonicalURLPath (a trailing slash survives, dot segments go)', () => {
    expect(goCleanPath('/a//b/./c/../d')).toBe('/a/b/d');
    expect(goCleanPath('/../a')).toBe('/a');
    expect(canonicalUrlPath('')).toBe('/');
    expect(canonicalUrlPath('v2/keys/')).toBe('/v2/keys/');
    expect(canonicalUrlPath('/v2/keys//a/')).toBe('/v2/keys/a/');
    expect(canonicalUrlPath('/v2/keys/a/..')).toBe('/v2/keys');
  });
});
