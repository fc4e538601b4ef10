import { KeyValue, type WatchEvent } from '../../index';
import { CtlExit } from '../exit-codes';
import { FlagReader, parseFlags } from '../flags';
import { mirrorKey, opsByRevision } from './make-mirror';
import { parseInitialCluster, snapshotImage } from './snapshot-restore';
import { createHash } from 'node:crypto';
import { watchSpec } from './watch';
import { goQuoteList, watchExecEnv } from './watch-exec';
import { boolFlag, intFlag } from './types';

const kv = (key: string, value: string, modRevision: bigint): KeyValue => new KeyValue(Buffer.from(key), Buffer.from(value), 1n, modRevision, 1n, 0n);

describe('make-mirror helpers', () => {
  test('mirrorKey replaces the first occurrence of the prefix (strings.Replace n=1), an empty prefix inserts at the start', () => {
    expect(mirrorKey(Buffer.from('a/x/a/'), 'a/', 'b/').toString()).toBe('b/x/a/');
    expect(mirrorKey(Buffer.from('k'), '', 'dst/').toString()).toBe('dst/k');
    expect(mirrorKey(Buffer.from('a/k'), 'a/', '').toString()).toBe('k');
    expect(mirrorKey(Buffer.from('$&k'), '$&', 'x$&').toString()).toBe('x$&k');
  });

  test('opsByRevision: one txn per revision, in order, puts and deletes renamed', () => {
    const evs: WatchEvent[] = [
      { kind: 'put', revision: 5n, kv: kv('s/a', '1', 5n), prevKv: undefined },
      { kind: 'put', revision: 5n, kv: kv('s/b', '2', 5n), prevKv: undefined },
      { kind: 'progress', revision: 5n },
      { kind: 'delete', revision: 6n, kv: kv('s/a', '', 6n), prevKv: undefined },
    ];
    const groups = opsByRevision(evs, (k) => Buffer.from(k.toString().replace('s/', 'd/')));
    expect(groups).toHaveLength(2);
    expect(groups[0]?.map((o) => (o.op === 'put' ? `${String(o.key)}=${String(o.value)}` : o.op))).toEqual(['d/a=1', 'd/b=2']);
    expect(groups[1]?.map((o) => (o.op === 'delete' ? String(o.target) : o.op))).toEqual(['d/a']);
  });
});

describe('snapshot restore helpers', () => {
  test('--initial-cluster parses into name -> urls (a name may repeat)', () => {
    expect(parseInitialCluster('a=http://1,b=http://2,a=http://3')).toEqual(new Map([['a', ['http://1', 'http://3']], ['b', ['http://2']]]));
    expect(() => parseInitialCluster('nonsense')).toThrow(CtlExit);
  });

  test('the sha256 trailer is checked and cut off; without it --skip-hash-check is required', () => {
    const image = Buffer.alloc(4096, 7);
    const withHash = Buffer.concat([image, createHash('sha256').update(image).digest()]);
    expect(snapshotImage(withHash, false).equals(image)).toBe(true);
    const bad = Buffer.from(withHash);
    bad[10] = 0;
    expect(() => snapshotImage(bad, false)).toThrow(/^expected sha256 \[/);
    expect(snapshotImage(bad, true).length).toBe(4096);
    expect(() => snapshotImage(image, false)).toThrow('snapshot missing hash but --skip-hash-check=false');
    expect(snapshotImage(image, true).equals(image)).toBe(true);
  });
});

describe('watch helpers', () => {
  const flags = (argv: string[]): FlagReader => new FlagReader(parseFlags(argv, [boolFlag('prefix'), intFlag('rev'), boolFlag('prev-kv')]));

  test('watchSpec: key, range, prefix, empty prefix = every key, a third argument ignored like etcdctl', () => {
    expect(watchSpec(['a', 'b'], flags([]))).toEqual({ key: 'a', options: { prevKv: false, end: 'b' } });
    expect(watchSpec(['a'], flags(['--prefix', '--rev', '3', '--prev-kv']))).toEqual({ key: 'a', options: { prevKv: true, startRevision: 3n, prefix: true } });
    expect(watchSpec([''], flags(['--prefix']))).toEqual({ key: '\x00', options: { prevKv: false, end: '\x00' } });
    expect(watchSpec(['a', 'b', 'c'], flags(['--prefix']))).toEqual({ key: 'a', options: { prevKv: false, prefix: true } });
    expect(watchSpec(['a', 'b'], flags(['--prefix']))).toBe('`range_end` and `--prefix` are mutually exclusive');
    expect(watchSpec([], flags([]))).toBe('bad number of arguments');
  });

  test('exec environment: Go %q of type, key and value; the revision as a number', () => {
    const env = watchExecEnv({ KEEP: '1' }, { kind: 'put', revision: 9n, kv: kv('k "q"', 'two words\n', 9n) });
    expect(env).toEqual({ KEEP: '1', ETCD_WATCH_REVISION: '9', ETCD_WATCH_EVENT_TYPE: '"PUT"', ETCD_WATCH_KEY: '"k \\"q\\""', ETCD_WATCH_VALUE: '"two words\\n"' });
    expect(goQuoteList(['sh', '-c', 'echo "x"'])).toBe('["sh" "-c" "echo \\"x\\""]');
  });
});
