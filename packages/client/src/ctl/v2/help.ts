// urfave/cli v1 help screens (app, command, subcommand group) as etcdctl 3.4 prints them with
// ETCDCTL_API=2, including text/tabwriter's column alignment (min width 1, padding 2).
import { HELP_FLAG, VERSION_FLAG, flagNames, type V2FlagSpec } from './go-flag';

export const APP_NAME = 'etcdctl';
export const APP_USAGE = 'A simple command line client for etcd.';
/** The etcd release whose etcdctl this mirrors (printed by --version and the app help). */
export const ETCDCTL_VERSION = '3.4.23';

export interface HelpEntry {
  name: string;
  aliases?: string[];
  usage: string;
  argsUsage?: string;
  description?: string;
  flags?: V2FlagSpec[];
  subcommands?: HelpEntry[];
}

/** The first back-quoted word of a usage becomes the value placeholder (and loses its quotes). */
function unquoteUsage(usage: string): [string, string] {
  const i = usage.indexOf('`');
  if (i < 0) return ['', usage];
  const j = usage.indexOf('`', i + 1);
  if (j < 0) return ['', usage];
  const name = usage.slice(i + 1, j);
  return [name, usage.slice(0, i) + name + usage.slice(j + 1)];
}

/** One flag's help line: `--name value, -n value<TAB>usage (default: …)`. */
export function flagHelpLine(spec: V2FlagSpec): string {
  let placeholder = '';
  let usage = spec.usage;
  if (spec.kind !== 'bool') {
    [placeholder, usage] = unquoteUsage(spec.usage);
    if (placeholder === '') placeholder = 'value';
  }
  const names = flagNames(spec)
    .map((n) => `${n.length === 1 ? '-' : '--'}${n}${placeholder ? ` ${placeholder}` : ''}`)
    .join(', ');
  let dflt = '';
  if (spec.kind === 'string' && (spec.value ?? '') !== '') dflt = ` (default: ${JSON.stringify(spec.value)})`;
  if (spec.kind === 'int') dflt = ` (default: ${spec.value ?? '0'})`;
  if (spec.kind === 'duration') dflt = ` (default: ${spec.value ?? '0s'})`;
  return `${names}\t${(usage + dflt).trim()}`;
}

/** text/tabwriter with one tab per line: a run of lines with a tab shares the first column's width. */
export function tabwrite(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let block: string[] = [];
  const flush = (): void => {
    const width = Math.max(...block.map((l) => [...(l.split('\t')[0] ?? '')].length)) + 2;
    for (const l of block) {
      const tab = l.indexOf('\t');
      const cell = l.slice(0, tab);
      out.push(cell + ' '.repeat(width - [...cell].length) + l.slice(tab + 1));
    }
    block = [];
  };
  for (const line of lines) {
    if (line.includes('\t')) {
      block.push(line);
      continue;
    }
    if (block.length > 0) flush();
    out.push(line);
  }
  if (block.length > 0) flush();
  return out.join('\n');
}

export function appHelp(commands: HelpEntry[], globalFlags: V2FlagSpec[]): string {
  const cmds = [...commands, { name: 'help', aliases: ['h'], usage: 'Shows a list of commands or help for one command' }];
  const flags = [...globalFlags, HELP_FLAG, VERSION_FLAG];
  let s = `NAME:\n   ${APP_NAME} - ${APP_USAGE}\n\nUSAGE:\n   ${APP_NAME} [global options] command [command options] [arguments...]\n\n`;
  s += `VERSION:\n   ${ETCDCTL_VERSION}\n\nCOMMANDS:`;
  for (const c of cmds) s += `\n   ${[c.name, ...(c.aliases ?? [])].join(', ')}\t${c.usage}`;
  s += `\n\nGLOBAL OPTIONS:\n   ${flags.map(flagHelpLine).join('\n   ')}\n`;
  return tabwrite(s);
}

export function commandHelp(cmd: HelpEntry, parent?: string): string {
  const helpName = `${APP_NAME} ${parent ? `${parent} ` : ''}${cmd.name}`;
  const flags = cmd.flags ?? [];
  let s = `NAME:\n   ${helpName} - ${cmd.usage}\n\nUSAGE:\n   ${helpName}${flags.length > 0 ? ' [command options]' : ''} ${cmd.argsUsage || '[arguments...]'}`;
  if (cmd.description) s += `\n\nDESCRIPTION:\n   ${cmd.description}`;
  if (flags.length > 0) s += `\n\nOPTIONS:\n   ${flags.map((f) => `${flagHelpLine(f)}\n   `).join('')}`;
  return tabwrite(`${s}\n`);
}

export function subcommandHelp(group: HelpEntry): string {
  const helpName = `${APP_NAME} ${group.name}`;
  let s = `NAME:\n   ${helpName} - ${group.description || group.usage}\n\nUSAGE:\n   ${helpName} command [command options] [arguments...]\n\nCOMMANDS:`;
  for (const c of group.subcommands ?? []) s += `\n   ${[c.name, ...(c.aliases ?? [])].join(', ')}\t${c.usage}`;
  s += `\n\nOPTIONS:\n   ${flagHelpLine(HELP_FLAG)}\n   \n`;
  return tabwrite(s);
}
