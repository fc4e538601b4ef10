import { ErrKeyNotFound, ErrLeaseNotFound, GrpcStatus } from '@tsetcd/api';
import { httpStatusOf, streamErrorChunk, unaryError } from './gateway-errors';
import { goJsonSyntaxError, JsonValueSplitter } from './json-stream';
import { canonicalGatewayPath, GATEWAY_ROUTES } from './routes';

describe('JsonValueSplitter', () => {
  test('splits whitespace-separated values across chunk boundaries, strings with braces and escapes included', () => {
    const s = new JsonValueSplitter();
    expect(s.push('{"a":"}{\\"x"}\n{"b":')).toEqual(['{"a":"}{\\"x"}']);
    expect(s.push('[1,{"c":2}]}')).toEqual(['{"b":[1,{"c":2}]}']);
    expect(s.push('  {"d":1}{"e":2}')).toEqual(['{"d":1}', '{"e":2}']);
    expect(s.rest()).toBeUndefined();
    s.push('{"f":');
    expect(s.rest()).toBe('{"f":');
  });

  test('a top-level scalar is handed over whole (for the decoder to reject)', () => {
    expect(new JsonValueSplitter().push('garbage')).toEqual(['garbage']);
  });
});

describe('goJsonSyntaxError', () => {
  test("Go's texts for the common syntax errors", () => {
    expect(goJsonSyntaxError('garbage')).toBe("invalid character 'g' looking for beginning of value");
    expect(goJsonSyntaxError('  ?')).toBe("invalid character '?' looking for beginning of value");
    expect(goJsonSyntaxError('{"a":1')).toBe('unexpected EOF');
    expect(goJsonSyntaxError('')).toBe('EOF');
  });
});

describe('gateway errors', () => {
  test('HTTP status follows grpc-gateway v1.9.5 for every code', () => {
    expect(Array.from({ length: 17 }, (_, c) => httpStatusOf(c))).toEqual([200, 408, 500, 400, 504, 404, 409, 403, 429, 412, 409, 400, 501, 500, 503, 500, 401]);
  });

  test('unary body and stream chunk shapes', () => {
    expect(unaryError(new ErrLeaseNotFound())).toEqual({
      status: 404,
      body: '{"error":"etcdserver: requested lease not found","message":"etcdserver: requested lease not found","code":5}',
    });
    expect(unaryError(new Error('election: no leader'))).toEqual({
      status: 500,
      body: '{"error":"election: no leader","message":"election: no leader","code":2}',
    });
    expect(streamErrorChunk(new ErrKeyNotFound())).toEqual({
      status: 400,
      line: `{"error":{"grpc_code":${GrpcStatus.INVALID_ARGUMENT},"http_code":400,"message":"etcdserver: key not found","http_status":"Bad Request"}}`,
    });
  });
});

describe('routes', () => {
  test('/v3beta is an alias, /v3alpha is not; aliases for lease paths; hash answers Hash', () => {
    expect(canonicalGatewayPath('/v3beta/kv/range')).toBe('/v3/kv/range');
    expect(GATEWAY_ROUTES.has(canonicalGatewayPath('/v3alpha/kv/range'))).toBe(false);
    expect(GATEWAY_ROUTES.get('/v3/kv/lease/revoke')?.methodKey).toBe('leaseRevoke');
    expect(GATEWAY_ROUTES.get('/v3/maintenance/hash')?.methodKey).toBe('hash');
  });
});
