// Go's `flag` package parsing as urfave/cli v1 drives it (etcdctl 3.4's v2 command line): flags stop
// at the first non-flag argument, `--` ends them, `-x` and `--x` are the same, a value flag takes
// the next argument whatever it looks like, and commands first move their own flags before the
// positional arguments (reorderArgs), which is why `watch -r /k --forever` is not a forever watch.
import { parseGoDurationMs } from '../go-format';

export type FlagKind = 'bool' | 'string' | 'int' | 'duration';

export interface V2FlagSpec {
  /** urfave's name list: "recursive, r". */
  name: string;
  kind: FlagKind;
  usage: string;
  /** Default as urfave prints it: string value, int, or Go duration text ('2s'). */
  value?: string;
}

export type FlagValue = string | number | boolean;

export interface ParsedFlags {
  /** By canonical (first) name; defaults filled in. */
  values: Map<string, FlagValue>;
  /** Names set on the command line. */
  set: Set<string>;
  args: string[];
  /** -h / --help was given (when HELP_FLAG is among the specs). */
  help: boolean;
}

export class GoFlagError extends Error {}

/** urfave adds this to every command and app. */
export const HELP_FLAG: V2FlagSpec = { name: 'help, h', kind: 'bool', usage: 'show help' };
/** urfave adds this to the app. */
export const VERSION_FLAG: V2FlagSpec = { name: 'version, v', kind: 'bool', usage: 'print the version' };

export function flagNames(spec: V2FlagSpec): string[] {
  return spec.name.split(',').map((s) => s.trim());
}

export function canonicalName(spec: V2FlagSpec): string {
  return flagNames(spec)[0] ?? spec.name;
}

/** strconv.ParseBool */
export function goParseBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

function defaultValue(spec: V2FlagSpec): FlagValue {
  if (spec.kind === 'bool') return false;
  if (spec.kind === 'int') return Number(spec.value ?? '0');
  if (spec.kind === 'duration') return parseGoDurationMs(spec.value ?? '0') ?? 0;
  return spec.value ?? '';
}

/** strconv.ParseInt(s, 0, 64) as flag.IntVar uses it (base prefixes, sign). */
function goParseInt(s: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO]?[0-7_]+|[1-9][0-9_]*|0)$/.exec(s);
  if (!m) return undefined;
  let body = (m[2] ?? '').replace(/_/g, '');
  if (/^0[0-7]+$/.test(body)) body = `0o${body.slice(1)}`;
  const n = Number(BigInt(body));
  return m[1] === '-' ? -n : n;
}

/** flag.FlagSet.Parse over `specs` (plus the help flag urfave adds). */
export function goFlagParse(argv: string[], specs: V2FlagSpec[]): ParsedFlags {
  const byName = new Map<string, V2FlagSpec>();
  for (const spec of specs) for (const n of flagNames(spec)) byName.set(n, spec);
  const values = new Map<string, FlagValue>();
  for (const spec of specs) values.set(canonicalName(spec), defaultValue(spec));
  const set = new Set<string>();
  let args = [...argv];
  for (;;) {
    const s = args[0];
    if (s === undefined || s.length < 2 || s[0] !== '-') break;
    let minuses = 1;
    if (s[1] === '-') {
      minuses = 2;
      if (s.length === 2) {
        args = args.slice(1);
        break;
      }
    }
    let name = s.slice(minuses);
    if (name.length === 0 || name[0] === '-' || name[0] === '=') throw new GoFlagError(`bad flag syntax: ${s}`);
    args = args.slice(1);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq > 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const spec = byName.get(name);
    if (spec === undefined) throw new GoFlagError(`flag provided but not defined: -${name}`);
    const key = canonicalName(spec);
    if (spec.kind === 'bool') {
      if (value === undefined) {
        values.set(key, true);
      } else {
        const b = goParseBool(value);
        if (b === undefined) throw new GoFlagError(`invalid boolean value ${JSON.stringify(value)} for -${name}: parse error`);
        values.set(key, b);
      }
      set.add(key);
      continue;
    }
    if (value === undefined) {
      if (args.length === 0) throw new GoFlagError(`flag needs an argument: -${name}`);
      value = args[0] ?? '';
      args = args.slice(1);
    }
    if (spec.kind === 'int') {
      const n = goParseInt(value);
      if (n === undefined) throw new GoFlagError(`invalid value ${JSON.stringify(value)} for flag -${name}: parse error`);
      values.set(key, n);
    } else if (spec.kind === 'duration') {
      const ms = parseGoDurationMs(value);
      if (ms === undefined) throw new GoFlagError(`invalid value ${JSON.stringify(value)} for flag -${name}: parse error`);
      values.set(key, ms);
    } else {
      values.set(key, value);
    }
    set.add(key);
  }
  return { values, set, args, help: values.get('help') === true };
}

function argIsFlag(specs: V2FlagSpec[], arg: string): boolean {
  if (arg === '-' || arg === '--' || !arg.startsWith('-')) return false;
  let name = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
  name = name.split('=')[0] ?? '';
  return specs.some((spec) => flagNames(spec).includes(name));
}

/** urfave/cli v1 reorderArgs: the command's own flags (and the argument after each) go first. */
export function reorderArgs(specs: V2FlagSpec[], args: string[]): string[] {
  const reordered: string[] = [];
  let remaining: string[] = [];
  let nextMayBeValue = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (nextMayBeValue && !argIsFlag(specs, arg)) {
      nextMayBeValue = false;
      reordered.push(arg);
    } else if (arg === '--') {
      remaining = ['--', ...remaining, ...args.slice(i + 1)];
      break;
    } else if (argIsFlag(specs, arg)) {
      reordered.push(arg);
      nextMayBeValue = !arg.includes('=');
    } else {
      remaining.push(arg);
    }
  }
  return [...reordered, ...remaining];
}
