import { formatResponse, goRfc3339Nano, responseJson } from './format';
import type { V2Response } from '../../v2';

const resp: V2Response = {
  action: 'set',
  node: { key: '/a<b>', dir: false, value: 'x&y', createdIndex: 5n, modifiedIndex: 6n, ttlSeconds: 30, expiration: '2026-11-21T22:35:40.310660000Z' },
  prevNode: { key: '/a<b>', dir: false, value: 'old', createdIndex: 4n, modifiedIndex: 4n, ttlSeconds: 0 },
  index: 6n,
  clusterId: 'abc',
};

describe("etcdctl v2's printResponseKey", () => {
  test('json: Go field order, nodes null, omitempty dir/expiration/ttl, <>& escaped, time re-marshalled', () => {
    expect(responseJson(resp)).toBe(
      '{"action":"set","node":{"key":"/a\\u003cb\\u003e","value":"x\\u0026y","nodes":null,"createdIndex":5,"modifiedIndex":6,' +
        '"expiration":"2026-11-21T22:35:40.31066Z","ttl":30},"prevNode":{"key":"/a\\u003cb\\u003e","value":"old","nodes":null,"createdIndex":4,"modifiedIndex":4}}',
    );
    const dir: V2Response = { ...resp, action: 'get', prevNode: undefined, node: { key: '/d', dir: true, value: '', createdIndex: 1n, modifiedIndex: 1n, ttlSeconds: 0, nodes: [] } };
    expect(responseJson(dir)).toBe('{"action":"get","node":{"key":"/d","dir":true,"value":"","nodes":[],"createdIndex":1,"modifiedIndex":1},"prevNode":null}');
  });

  test('simple: the value, or PrevNode.Value for a delete', () => {
    expect(formatResponse(resp, 'simple')).toEqual(['x&y\n', '']);
    expect(formatResponse({ ...resp, action: 'delete' }, 'simple')).toEqual(['PrevNode.Value: old\n', '']);
    expect(formatResponse({ ...resp, action: 'compareAndDelete', node: { ...resp.node!, value: '' } }, 'simple')).toEqual(['\n', '']);
  });

  test('extended: rfc2822-style header lines, a blank line and the value (none for delete)', () => {
    expect(formatResponse(resp, 'extended')[0]).toBe('Key: /a<b>\nCreated-Index: 5\nModified-Index: 6\nPrevNode.Value: old\nTTL: 30\nIndex: 6\n\nx&y\n');
    expect(formatResponse({ ...resp, action: 'delete', prevNode: undefined }, 'extended')[0]).toBe(
      'Key: /a<b>\nCreated-Index: 5\nModified-Index: 6\nTTL: 30\nIndex: 6\n',
    );
  });

  test('an unknown format is reported on stderr only', () => {
    expect(formatResponse(resp, 'yaml')).toEqual(['', 'Unsupported output format: yaml\n']);
  });

  test('RFC3339Nano trimming', () => {
    expect(goRfc3339Nano('2026-01-01T00:00:00.500000000Z')).toBe('2026-01-01T00:00:00.5Z');
    expect(goRfc3339Nano('2026-01-01T00:00:00.000Z')).toBe('2026-01-01T00:00:00Z');
    expect(goRfc3339Nano('2026-01-01T00:00:00.123456789Z')).toBe('2026-01-01T00:00:00.123456789Z');
  });
});
