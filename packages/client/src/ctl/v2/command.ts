// A v2 command: its help entry (name, usage, flags) and what it does.
import type { HelpEntry } from './help';
import type { V2Ctl } from './context';
import type { V2FlagSpec } from './go-flag';

export interface V2Command extends HelpEntry {
  flags?: V2FlagSpec[];
  subcommands?: V2Command[];
  run?: (ctl: V2Ctl) => Promise<void>;
}

export const TTL_FLAG: V2FlagSpec = { name: 'ttl', kind: 'int', value: '0', usage: 'key time-to-live in seconds' };
