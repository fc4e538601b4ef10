import { GoFlagError, HELP_FLAG, goFlagParse, reorderArgs, type V2FlagSpec } from './go-flag';

const WATCH_FLAGS: V2FlagSpec[] = [
  { name: 'forever, f', kind: 'bool', usage: '' },
  { name: 'after-index', kind: 'int', value: '0', usage: '' },
  { name: 'recursive, r', kind: 'bool', usage: '' },
  HELP_FLAG,
];

function parseCommand(args: string[], specs = WATCH_FLAGS) {
  return goFlagParse(reorderArgs(specs, args), specs);
}

describe('urfave/cli v1 + Go flag parsing, as etcdctl v2 does it', () => {
  test('flags after the positional arguments are moved in front of them', () => {
    const p = parseCommand(['/k', '--forever', '--after-index', '7']);
    expect(p.args).toEqual(['/k']);
    expect(p.values.get('forever')).toBe(true);
    expect(p.values.get('after-index')).toBe(7);
  });

  test('a bool flag drags the next argument along, which ends flag parsing (`watch -r /k --forever` is not forever)', () => {
    const p = parseCommand(['-r', '/k', '--forever']);
    expect(p.values.get('recursive')).toBe(true);
    expect(p.values.get('forever')).toBe(false);
    expect(p.args).toEqual(['/k', '--forever']);
  });

  test('`--` is kept after the flags: exec-watch sees `<key> -- <cmd>`', () => {
    const specs: V2FlagSpec[] = [{ name: 'recursive, r', kind: 'bool', usage: '' }, HELP_FLAG];
    const p = parseCommand(['-r', '/k', '--', 'sh', '-c', 'echo hi'], specs);
    expect(p.args).toEqual(['/k', '--', 'sh', '-c', 'echo hi']);
    const q = parseCommand(['/k', '--', 'sh', '-c', 'x'], specs);
    expect(q.args).toEqual(['/k', 'sh', '-c', 'x']);
  });

  test('single and double dashes are the same, = values, long and short names share one value', () => {
    const p = parseCommand(['-after-index=3', '-f', '/k']);
    expect(p.values.get('after-index')).toBe(3);
    expect(p.values.get('forever')).toBe(true);
    expect(parseCommand(['--recursive=false', '/k']).values.get('recursive')).toBe(false);
  });

  test('errors carry Go flag wording', () => {
    expect(() => parseCommand(['--bogus', '/k'])).toThrow(new GoFlagError('flag provided but not defined: -bogus'));
    expect(() => parseCommand(['--after-index', 'abc', '/k'])).toThrow(new GoFlagError('invalid value "abc" for flag -after-index: parse error'));
    expect(() => parseCommand(['--after-index'])).toThrow(new GoFlagError('flag needs an argument: -after-index'));
    expect(() => parseCommand(['--recursive=maybe'])).toThrow(new GoFlagError('invalid boolean value "maybe" for -recursive: parse error'));
    expect(() => parseCommand(['---x'])).toThrow(new GoFlagError('bad flag syntax: ---x'));
  });

  test('a value flag takes the next argument even when it looks like a flag; -h is help', () => {
    const specs: V2FlagSpec[] = [{ name: 'swap-with-value', kind: 'string', usage: '' }, HELP_FLAG];
    expect(goFlagParse(['--swap-with-value', '-x', '/k'], specs).values.get('swap-with-value')).toBe('-x');
    expect(goFlagParse(['-h'], specs).help).toBe(true);
  });

  test('app-level parsing stops at the command name (global flags after it are arguments)', () => {
    const specs: V2FlagSpec[] = [{ name: 'output, o', kind: 'string', value: 'simple', usage: '' }];
    const p = goFlagParse(['-o', 'json', 'get', '/k', '-o', 'extended'], specs);
    expect(p.values.get('output')).toBe('json');
    expect(p.args).toEqual(['get', '/k', '-o', 'extended']);
  });

  test('ints accept Go base prefixes and durations Go units', () => {
    const specs: V2FlagSpec[] = [
      { name: 'ttl', kind: 'int', value: '0', usage: '' },
      { name: 'timeout', kind: 'duration', value: '2s', usage: '' },
    ];
    expect(goFlagParse([], specs).values.get('timeout')).toBe(2000);
    const p = goFlagParse(['--ttl', '0x10', '--timeout', '1m30s'], specs);
    expect(p.values.get('ttl')).toBe(16);
    expect(p.values.get('timeout')).toBe(90_000);
  });
});
