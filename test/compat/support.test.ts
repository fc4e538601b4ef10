// Unit tests of the comparison helpers: a normaliser that masked too much would hide real
// differences, one that masked too little would report false ones.
import { bytesToText, normalize, shapeOf, SET } from '../support/normalize';
import { prefixEnd } from './diff/steps';
import { normalizeText } from './etcdctl-output';
import type { ServerHandle } from '../support/server-process';

describe('normalize', () => {
  const header = { clusterId: 123n, memberId: 456n, revision: 7n, raftTerm: 2n };

  test('masks ids and terms but keeps the revision', () => {
    expect(normalize({ header })).toEqual({ header: { clusterId: SET, memberId: SET, raftTerm: SET, revision: 7 } });
  });

  test('keeps zero ids distinguishable from set ones', () => {
    expect(normalize({ header: { ...header, memberId: 0n } })).toMatchObject({ header: { memberId: 0 } });
  });

  test('keeps KeyValue.version (a bigint) but masks Status.version (a string)', () => {
    expect(normalize({ kvs: [{ key: Buffer.from('a'), version: 3n }] })).toEqual({ kvs: [{ key: 'a', version: 3 }] });
    expect(normalize({ version: '3.4.23' })).toEqual({ version: SET });
  });

  test('different values in kept fields stay different', () => {
    const a = normalize({ header, kvs: [{ key: Buffer.from('k'), value: Buffer.from('1'), modRevision: 5n }] });
    const b = normalize({ header: { ...header, clusterId: 99n }, kvs: [{ key: Buffer.from('k'), value: Buffer.from('2'), modRevision: 5n }] });
    expect(a).not.toEqual(b);
  });

  test('bytes print readably and unambiguously', () => {
    expect(bytesToText(Buffer.from([0x61, 0x00, 0xff, 0x5c]))).toBe('a\\x00\\xff\\x5c');
  });

  test('shapeOf reports set fields and their types, not values', () => {
    expect(shapeOf({ header, dbSize: 20480n, errors: [], isLearner: false, version: '3.4.23' })).toEqual({
      header: { clusterId: 'bigint', memberId: 'bigint', revision: 'bigint', raftTerm: 'bigint' },
      dbSize: 'bigint',
      errors: 'unset',
      isLearner: 'unset',
      version: 'string',
    });
  });
});

describe('prefixEnd (clientv3.GetPrefixRangeEnd)', () => {
  test.each([
    ['foo', 'fop'],
    ['a\xff', 'b'],
    ['\xff', '\x00'],
    ['\xff\xff', '\x00'],
    ['', '\x00'],
  ])('%j -> %j', (prefix, end) => {
    expect(prefixEnd(prefix)).toBe(end);
  });
});

describe('etcdctl output normalisation', () => {
  const server = { clientPort: 40001, peerPort: 40002, name: 'etcd-40001' } as ServerHandle;

  test('masks the server\'s own address, name and ids in a member table', () => {
    const table = [
      '+------------------+---------+------------+',
      '|        ID        | STATUS  |    NAME    |       PEER ADDRS       |',
      '+------------------+---------+------------+',
      '| bdae9bbc11dd390d | started | etcd-40001 | http://127.0.0.1:40002 |',
      '+------------------+---------+------------+',
    ].join('\n');
    expect(normalizeText(table, server)).toBe(['+-+', '| ID | STATUS | NAME | PEER ADDRS |', '+-+', '| <id> | started | <name> | http://<peer> |', '+-+'].join('\n'));
  });

  test('leaves a non-hex ID or a wrong version visible', () => {
    const table = '| ID | VERSION |\n| not-an-id | 9.9.9 |';
    expect(normalizeText(table, server)).toBe('| ID | VERSION |\n| not-an-id | 9.9.9 |');
  });

  test('masks JSON header ids but not revisions', () => {
    expect(normalizeText('{"header":{"cluster_id":1,"member_id":2,"revision":8,"raft_term":3}}', server)).toBe(
      '{"header":{"cluster_id":"<n>","member_id":"<n>","revision":8,"raft_term":"<n>"}}',
    );
  });
});
