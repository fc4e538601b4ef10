// A command: its path (`lease grant`), its own flags and what it does.
import type { FlagSpec } from '../flags';
import type { CtlContext } from '../global';

export interface CtlCommand {
  path: string[];
  flags: FlagSpec[];
  run(ctx: CtlContext): Promise<void>;
}

export function boolFlag(name: string): FlagSpec {
  return { name, kind: 'bool', default: 'false' };
}

export function strFlag(name: string, def = ''): FlagSpec {
  return { name, kind: 'string', default: def };
}

export function intFlag(name: string, def = '0'): FlagSpec {
  return { name, kind: 'int', default: def };
}
