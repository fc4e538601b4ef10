// tsetcdctl with ETCDCTL_API=2: etcdctl 3.4's v2 command line (urfave/cli v1 behaviour: global
// flags before the command, usage errors with the help screen, exit codes 1-5 as etcdctl's).
import { KEY_COMMANDS } from './key-commands';
import { execWatchCommand, watchCommand } from './watch-commands';
import { memberCommand } from './member-commands';
import { clusterHealthCommand } from './cluster-health';
import { backupCommand } from './backup-command';
import { authCommand, roleCommand, userCommand } from './auth-commands';
import type { V2Command } from './command';
import { V2Ctl, V2Exit, type V2CtlIo } from './context';
import { GoFlagError, HELP_FLAG, VERSION_FLAG, goFlagParse, reorderArgs, type ParsedFlags, type V2FlagSpec } from './go-flag';
import { ETCDCTL_VERSION, appHelp, commandHelp, subcommandHelp } from './help';

export const V2_GLOBAL_FLAGS: V2FlagSpec[] = [
  { name: 'debug', kind: 'bool', usage: 'output cURL commands which can be used to reproduce the request' },
  { name: 'no-sync', kind: 'bool', usage: "don't synchronize cluster information before sending request" },
  { name: 'output, o', kind: 'string', value: 'simple', usage: 'output response in the given format (`simple`, `extended` or `json`)' },
  { name: 'discovery-srv, D', kind: 'string', usage: 'domain name to query for SRV records describing cluster endpoints' },
  { name: 'insecure-discovery', kind: 'bool', usage: 'accept insecure SRV records describing cluster endpoints' },
  { name: 'peers, C', kind: 'string', usage: 'DEPRECATED - "--endpoints" should be used instead' },
  { name: 'endpoint', kind: 'string', usage: 'DEPRECATED - "--endpoints" should be used instead' },
  {
    name: 'endpoints',
    kind: 'string',
    usage: 'a comma-delimited list of machine addresses in the cluster (default: "http://127.0.0.1:2379,http://127.0.0.1:4001")',
  },
  { name: 'cert-file', kind: 'string', usage: 'identify HTTPS client using this SSL certificate file' },
  { name: 'key-file', kind: 'string', usage: 'identify HTTPS client using this SSL key file' },
  { name: 'ca-file', kind: 'string', usage: 'verify certificates of HTTPS-enabled servers using this CA bundle' },
  { name: 'username, u', kind: 'string', usage: 'provide username[:password] and prompt if password is not supplied.' },
  { name: 'timeout', kind: 'duration', value: '2s', usage: 'connection timeout per request' },
  { name: 'total-timeout', kind: 'duration', value: '5s', usage: 'timeout for the command execution (except watch)' },
];


/** In etcdctl's order (the app help lists them so). */
export const V2_COMMANDS: V2Command[] = [
  backupCommand,
  clusterHealthCommand,
  ...KEY_COMMANDS,
  watchCommand,
  execWatchCommand,
  memberCommand,
  userCommand, // v2 auth (H9)
  roleCommand,
  authCommand,
];

const APP_FLAGS = [...V2_GLOBAL_FLAGS, HELP_FLAG, VERSION_FLAG];
const EXIT_NO_HELP_TOPIC = 3;

function findCommand(commands: V2Command[], name: string): V2Command | undefined {
  return commands.find((c) => c.name === name || (c.aliases ?? []).includes(name));
}

function noHelpTopic(io: V2CtlIo, name: string): number {
  io.err(`No help topic for '${name}'\n`);
  return EXIT_NO_HELP_TOPIC;
}

/** `help [command]` of the app. */
function helpCommand(io: V2CtlIo, args: string[]): number {
  const name = args[0];
  if (name === undefined) {
    io.out(appHelp(V2_COMMANDS, V2_GLOBAL_FLAGS));
    return 0;
  }
  const cmd = findCommand(V2_COMMANDS, name);
  if (cmd === undefined) return noHelpTopic(io, name);
  io.out(commandHelp(cmd));
  return 0;
}

async function runLeaf(io: V2CtlIo, globals: ParsedFlags, cmd: V2Command, args: string[], parent?: string): Promise<number> {
  const specs = [...(cmd.flags ?? []), HELP_FLAG];
  let parsed: ParsedFlags;
  try {
    parsed = goFlagParse(reorderArgs(specs, args), specs);
  } catch (err) {
    if (!(err instanceof GoFlagError)) throw err;
    io.out(`Incorrect Usage: ${err.message}\n\n${commandHelp(cmd, parent)}`);
    io.err(`${err.message}\n`);
    return 1;
  }
  if (parsed.help) {
    io.out(commandHelp(cmd, parent));
    return 0;
  }
  if (cmd.run === undefined) {
    io.err(`Error: "${parent ? `${parent} ` : ''}${cmd.name}" is not implemented by tsetcdctl\n`);
    return 1;
  }
  const ctl = new V2Ctl(io, globals, parsed);
  try {
    await cmd.run(ctl);
    return 0;
  } catch (err) {
    if (err instanceof V2Exit) return err.code;
    throw err;
  } finally {
    ctl.close();
  }
}

async function runGroup(io: V2CtlIo, globals: ParsedFlags, group: V2Command, args: string[]): Promise<number> {
  let parsed: ParsedFlags;
  try {
    parsed = goFlagParse(args, [HELP_FLAG]);
  } catch (err) {
    if (!(err instanceof GoFlagError)) throw err;
    io.out(`Incorrect Usage. ${err.message}\n\n${subcommandHelp(group)}`);
    io.err(`${err.message}\n`);
    return 1;
  }
  const name = parsed.args[0];
  if (parsed.help || name === undefined) {
    io.out(subcommandHelp(group));
    return 0;
  }
  const sub = findCommand(group.subcommands ?? [], name);
  if (name === 'help' || name === 'h') {
    const topic = parsed.args[1];
    if (topic === undefined) {
      io.out(subcommandHelp(group));
      return 0;
    }
    const target = findCommand(group.subcommands ?? [], topic);
    if (target === undefined) return noHelpTopic(io, topic);
    io.out(commandHelp(target, group.name));
    return 0;
  }
  if (sub === undefined) return noHelpTopic(io, name);
  return runLeaf(io, globals, sub, parsed.args.slice(1), group.name);
}

/** Runs one `ETCDCTL_API=2 tsetcdctl …` invocation; resolves with the exit code. */
export async function runCtlV2(argv: string[], io: V2CtlIo): Promise<number> {
  let globals: ParsedFlags;
  try {
    globals = goFlagParse(argv, APP_FLAGS);
  } catch (err) {
    if (!(err instanceof GoFlagError)) throw err;
    io.out(`Incorrect Usage. ${err.message}\n\n${appHelp(V2_COMMANDS, V2_GLOBAL_FLAGS)}`);
    io.err(`${err.message}\n`);
    return 1;
  }
  if (globals.help) return helpCommand(io, []);
  if (globals.values.get('version') === true) {
    io.out(`etcdctl version: ${ETCDCTL_VERSION}\nAPI version: 2\n`);
    return 0;
  }
  const name = globals.args[0];
  if (name === undefined) return helpCommand(io, []);
  if (name === 'help' || name === 'h') return helpCommand(io, globals.args.slice(1));
  const cmd = findCommand(V2_COMMANDS, name);
  if (cmd === undefined) return noHelpTopic(io, name);
  if ((globals.values.get('discovery-srv') ?? '') !== '' || (io.env.ETCDCTL_DISCOVERY_SRV ?? '') !== '') {
    io.err('Error: --discovery-srv (DNS SRV endpoint discovery) is not implemented by tsetcdctl\n');
    return 1;
  }
  if (cmd.subcommands) return runGroup(io, globals, cmd, globals.args.slice(1));
  return runLeaf(io, globals, cmd, globals.args.slice(1));
}
