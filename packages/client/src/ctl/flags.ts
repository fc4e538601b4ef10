// A pflag-style parser: --flag=value, --flag value, -w json, -wjson, bool flags, `--` ends flags,
// flags anywhere among the arguments.
import { EXIT_ERROR, fail } from './exit-codes';

export type FlagKind = 'bool' | 'string' | 'int' | 'duration' | 'strings';

export interface FlagSpec {
  name: string;
  short?: string;
  kind: FlagKind;
  default: string;
}

export interface ParsedFlags {
  values: Map<string, string>;
  /** Flags explicitly given on the command line. */
  changed: Set<string>;
  args: string[];
  /** Arguments after `--` (e.g. the command of `lock`/`watch`). */
  afterDash: string[];
  /** A `--` was given (even with nothing after it). */
  dashSeen: boolean;
}

export function parseFlags(argv: string[], specs: FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short ?? '', s]));
  const values = new Map(specs.map((s) => [s.name, s.default]));
  const changed = new Set<string>();
  const args: string[] = [];
  let afterDash: string[] = [];
  let dashSeen = false;
  const set = (spec: FlagSpec, value: string): void => {
    if (spec.kind === 'strings' && changed.has(spec.name)) values.set(spec.name, `${values.get(spec.name) ?? ''},${value}`);
    else values.set(spec.name, value);
    changed.add(spec.name);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') {
      afterDash = argv.slice(i + 1);
      dashSeen = true;
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const spec = byName.get(name);
      if (!spec) fail(EXIT_ERROR, `unknown flag: --${name}`);
      if (eq >= 0) set(spec, a.slice(eq + 1));
      else if (spec.kind === 'bool') set(spec, 'true');
      else {
        if (i + 1 >= argv.length) fail(EXIT_ERROR, `flag needs an argument: --${name}`);
        set(spec, argv[++i] ?? '');
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      const short = a.slice(1, 2);
      const spec = byShort.get(short);
      if (!spec) fail(EXIT_ERROR, `unknown shorthand flag: '${short}' in ${a}`);
      const rest = a.slice(2);
      if (spec.kind === 'bool') set(spec, rest.startsWith('=') ? rest.slice(1) : 'true');
      else if (rest.length > 0) set(spec, rest.startsWith('=') ? rest.slice(1) : rest);
      else {
        if (i + 1 >= argv.length) fail(EXIT_ERROR, `flag needs an argument: '${short}' in -${short}`);
        set(spec, argv[++i] ?? '');
      }
      continue;
    }
    args.push(a);
  }
  return { values, changed, args, afterDash, dashSeen };
}

export class FlagReader {
  constructor(private readonly parsed: ParsedFlags) {}

  str(name: string): string {
    return this.parsed.values.get(name) ?? '';
  }

  bool(name: string): boolean {
    const v = this.str(name);
    if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
    if (['0', 'f', 'F', 'false', 'FALSE', 'False', ''].includes(v)) return false;
    fail(EXIT_ERROR, `invalid argument "${v}" for "--${name}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`);
  }

  int(name: string): bigint {
    const v = this.str(name);
    if (!/^[+-]?\d+$/.test(v)) fail(EXIT_ERROR, `invalid argument "${v}" for "--${name}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
    return BigInt(v);
  }

  list(name: string): string[] {
    const v = this.str(name);
    return v === '' ? [] : v.split(',');
  }

  get args(): string[] {
    return this.parsed.args;
  }

  get afterDash(): string[] {
    return this.parsed.afterDash;
  }

  get dashSeen(): boolean {
    return this.parsed.dashSeen;
  }

  changed(name: string): boolean {
    return this.parsed.changed.has(name);
  }
}
