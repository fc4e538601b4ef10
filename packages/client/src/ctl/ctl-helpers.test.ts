import { parseCompare, argify } from './commands/txn';
import { CtlExit } from './exit-codes';
import { FlagReader, parseFlags } from './flags';
import { goDuration, hex016, hex16, humanizeBytes, parseGoDurationMs, parseHexInt64 } from './go-format';
import { goMarshal, oe, f, struct } from './go-json';
import { hexEscaped } from './print-kv';
import { renderTable } from './table';

describe('pflag-style parsing', () => {
  const specs = [
    { name: 'write-out', short: 'w', kind: 'string' as const, default: 'simple' },
    { name: 'prefix', kind: 'bool' as const, default: 'false' },
    { name: 'limit', kind: 'int' as const, default: '0' },
  ];
  test('--f=v, --f v, -w v, -wv, bools, args between flags, -- ends flags', () => {
    const p = parseFlags(['a', '--limit=3', '-w', 'json', 'b', '--prefix', '--', '--x', 'y'], specs);
    const r = new FlagReader(p);
    expect([r.args, r.str('write-out'), r.int('limit'), r.bool('prefix'), r.afterDash]).toEqual([['a', 'b'], 'json', 3n, true, ['--x', 'y']]);
    expect(new FlagReader(parseFlags(['-wjson', '--prefix=false', '--limit', '7'], specs)).str('write-out')).toBe('json');
    expect(new FlagReader(parseFlags(['--prefix=false'], specs)).bool('prefix')).toBe(false);
  });
  test('unknown flags are errors with etcdctl wording', () => {
    expect(() => parseFlags(['--bogus'], specs)).toThrow(new CtlExit(1, 'unknown flag: --bogus'));
    expect(() => parseFlags(['--limit'], specs)).toThrow('flag needs an argument: --limit');
  });
});

describe('Go formatting', () => {
  test('humanize.Bytes rounds like Go (half to even at %.0f)', () => {
    expect([humanizeBytes(5n), humanizeBytes(20480n), humanizeBytes(24576n), humanizeBytes(1_500_000n), humanizeBytes(999n)]).toEqual(['5 B', '20 kB', '25 kB', '1.5 MB', '999 B']);
  });
  test('ids as %016x / %16x, negative int64 as two-complement', () => {
    expect([hex016(0xabcn), hex16(0xabcn), hex016(-1n)]).toEqual(['0000000000000abc', '             abc', 'ffffffffffffffff']);
    expect([parseHexInt64('1f'), parseHexInt64('zz'), parseHexInt64('8000000000000000')]).toEqual([31n, undefined, undefined]);
  });
  test('durations', () => {
    expect([goDuration(2.5), goDuration(0.0015), goDuration(1500), parseGoDurationMs('2s'), parseGoDurationMs('1m30s'), parseGoDurationMs('x')]).toEqual(['2.5ms', '1.5µs', '1.5s', 2000, 90_000, undefined]);
  });
  test('encoding/json: numbers bare, bytes base64, omitempty drops zeros', () => {
    expect(goMarshal(struct(oe('a', 0n), oe('b', 7n), f('c', Buffer.from('k1')), oe('d', []), f('e', null), oe('s', '<')))).toBe('{"b":7,"c":"azE=","e":null,"s":"\\u003c"}');
  });
  test('--hex escapes every byte', () => {
    expect(hexEscaped(Buffer.from('ab'))).toBe('\\x61\\x62');
  });
  test('tablewriter layout: centred upper-case header, right-aligned cells', () => {
    expect(renderTable(['id', 'name'], [['1', 'alpha']])).toBe('+----+-------+\n| ID | NAME  |\n+----+-------+\n|  1 | alpha |\n+----+-------+\n');
  });
});

describe('txn grammar', () => {
  test('compares by target alias, quoted values', () => {
    expect(parseCompare('mod("k") > "5"')).toEqual({ target: 'mod', key: 'k', operator: '>', value: 5n });
    expect(parseCompare('val("a b") = "x \\"y\\""')).toEqual({ target: 'value', key: 'a b', operator: '=', value: 'x "y"' });
    expect(() => parseCompare('bogus')).toThrow('malformed comparison: bogus');
    expect(() => parseCompare('ver("a") = "x"')).toThrow('invalid txn compare request: ver("a") = "x"');
  });
  test('request lines split like etcdctl argify', () => {
    expect(argify(`put k "a b" --prev-kv 'c d'`)).toEqual(['put', 'k', 'a b', '--prev-kv', 'c d']);
  });
});
