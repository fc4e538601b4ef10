import { V2Error } from '../../v2store';
import { mergeForm, parseKeysRequest, unescapeKeysPath } from './keys-request';

const NOW = Date.UTC(2026, 0, 1);
const parse = (method: string, key: string, query: string, body?: string) => parseKeysRequest(method, key, mergeForm(query, body), NOW);
const err = (fn: () => unknown): [number, string] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof V2Error) return [e.errorCode, e.cause];
    throw e;
  }
  throw new Error('no error');
};

describe('parseKeysRequest', () => {
  it('maps the key under /1 with Go path cleaning; body value wins over the query', () => {
    const { request } = parse('PUT', '/a//b/', 'value=q&prevExist=false', 'value=body');
    expect(request).toMatchObject({ Method: 'PUT', Path: '/1/a/b', Val: 'body', PrevExist: false });
    expect(parse('GET', '/', '').request.Path).toBe('/1');
  });

  it('quorum GET becomes QGET; ttl becomes an absolute expiration in unix ns; empty ttl = none', () => {
    expect(parse('GET', '/k', 'quorum=true&recursive=1&sorted=T').request).toMatchObject({ Method: 'QGET', Recursive: true, Sorted: true });
    expect(parse('PUT', '/k', '', 'value=v&ttl=5').request.Expiration).toBe(BigInt(NOW + 5000) * 1_000_000n);
    expect(parse('PUT', '/k', 'ttl=', 'value=v').request.Expiration).toBe(0n);
  });

  it('answers etcd parse errors', () => {
    expect(err(() => parse('PUT', '/k', 'wait=true'))).toEqual([209, '"wait" can only be used with GET requests']);
    expect(err(() => parse('GET', '/k', 'recursive=yes'))).toEqual([209, 'invalid value for "recursive"']);
    expect(err(() => parse('PUT', '/k', 'prevIndex=x'))).toEqual([203, 'invalid value for "prevIndex"']);
    expect(err(() => parse('GET', '/k', 'wait=true&waitIndex=-1'))).toEqual([203, 'invalid value for "waitIndex"']);
    expect(err(() => parse('PUT', '/k', 'prevValue='))).toEqual([201, '"prevValue" cannot be empty']);
    expect(err(() => parse('PUT', '/k', 'ttl=abc'))).toEqual([202, 'invalid value for "ttl"']);
    expect(err(() => parse('PUT', '/k', 'prevExist=maybe'))).toEqual([209, 'invalid value for prevExist']);
    expect(err(() => parse('PUT', '/k', 'refresh=true'))).toEqual([212, 'No TTL value set']);
    expect(err(() => parse('PUT', '/k', 'refresh=true&ttl=3&value=x'))).toEqual([211, 'A value was provided on a refresh']);
  });

  it('reports the first failing check in etcd 3.4 order', () => {
    expect(err(() => parse('GET', '/k', 'waitIndex=x&prevIndex=y'))).toEqual([203, 'invalid value for "prevIndex"']);
    expect(err(() => parse('GET', '/k', 'quorum=x&dir=y'))).toEqual([209, 'invalid value for "dir"']);
    expect(err(() => parse('PUT', '/k', 'stream=x&wait=true'))).toEqual([209, 'invalid value for "stream"']);
    expect(err(() => parse('PUT', '/k', 'prevValue=&wait=true'))).toEqual([209, '"wait" can only be used with GET requests']);
    expect(err(() => parse('PUT', '/k', 'prevValue=&noValueOnSuccess=x'))).toEqual([201, '"prevValue" cannot be empty']);
    expect(err(() => parse('PUT', '/k', 'ttl=x&noValueOnSuccess=x'))).toEqual([209, 'invalid value for "noValueOnSuccess"']);
    expect(err(() => parse('PUT', '/k', 'prevExist=x&ttl=x'))).toEqual([202, 'invalid value for "ttl"']);
    expect(err(() => parse('PUT', '/k', 'refresh=x&prevExist=x'))).toEqual([209, 'invalid value for prevExist']);
    expect(err(() => parse('PUT', '/k', 'refresh=x', 'ttl=5'))).toEqual([209, 'invalid value for refresh']);
    expect(err(() => parse('PUT', '/k', 'refresh=true', 'value=x'))).toEqual([211, 'A value was provided on a refresh']);
  });

  it('reads a form body only for POST, PUT and PATCH, as Go does', () => {
    expect(mergeForm('a=q', 'a=b&c=d', 'PUT').get('a')).toEqual(['b', 'q']);
    expect(mergeForm('a=q', 'a=b&c=d', 'DELETE').get('a')).toEqual(['q']);
    expect(mergeForm('', 'prevValue=x', 'GET').has('prevValue')).toBe(false);
    expect(mergeForm('', 'prevValue=x').get('prevValue')).toEqual(['x']);
  });

  it('quorum wins over wait (a QGET through raft); HEAD reads locally and refuses wait', () => {
    expect(parse('GET', '/k', 'quorum=true&wait=true').request).toMatchObject({ Method: 'QGET', Wait: false });
    expect(parse('HEAD', '/k', 'quorum=true').request).toMatchObject({ Method: 'GET', Quorum: true });
    expect(err(() => parse('HEAD', '/k', 'wait=true'))).toEqual([209, '"wait" can only be used with GET requests']);
  });

  it('parses forms like Go: + is a space, %XX bytes as UTF-8, a semicolon or a bad escape is 210', () => {
    expect(mergeForm('value=a+b%20c%E2%9C%93&x', undefined).get('value')).toEqual(['a b c✓']);
    expect(mergeForm('value=a+b%20c%E2%9C%93&x', undefined).get('x')).toEqual(['']);
    expect(mergeForm('value=🙂+%F0%9F%99%82', undefined).get('value')).toEqual(['🙂 🙂']);
    expect(err(() => mergeForm('value=a;b', undefined))).toEqual([210, 'invalid semicolon separator in query']);
    expect(err(() => mergeForm('value=%zz', undefined))).toEqual([210, 'invalid URL escape "%zz"']);
    expect(err(() => mergeForm('ok=1', 'value=%z', 'PUT'))).toEqual([210, 'invalid URL escape "%z"']);
    // the body's error is reported first; a GET body is not read at all
    expect(err(() => mergeForm('a=%yy', 'b=%xx', 'PUT'))).toEqual([210, 'invalid URL escape "%xx"']);
    expect(mergeForm('a=1', 'b=%xx', 'GET').get('a')).toEqual(['1']);
    // what a URLSearchParams re-serialises parses back to the same values
    const params = new URLSearchParams({ value: 'a b+c;d%e✓' });
    expect(mergeForm(params.toString(), undefined).get('value')).toEqual(['a b+c;d%e✓']);
  });

  it('unescapes key paths like Go: %XX bytes (invalid UTF-8 as U+FFFD), + kept, bad escapes refused', () => {
    expect(unescapeKeysPath('/a%2Fb/c+d')).toBe('/a/b/c+d');
    expect(unescapeKeysPath('/%E2%9C%93')).toBe('/✓');
    expect(unescapeKeysPath('/%FF')).toBe('/\uFFFD');
    expect(unescapeKeysPath('/p%zz')).toBeUndefined();
    expect(unescapeKeysPath('/p%2')).toBeUndefined();
  });

  it('wait / waitIndex / stream and noValueOnSuccess', () => {
    const p = parse('GET', '/k', 'wait=true&waitIndex=7&stream=true');
    expect(p.request).toMatchObject({ Wait: true, Since: 7n, Stream: true });
    expect(parse('PUT', '/k', 'noValueOnSuccess=true', 'value=v').noValueOnSuccess).toBe(true);
  });
});
