// tsetcdctl's entry: parse global + command flags, run the command, print `Error: …` and exit like etcdctl.
import { readFileSync } from 'node:fs';
import { compactionCommand, delCommand, getCommand, putCommand } from './commands/kv';
import { txnCommand } from './commands/txn';
import { watchCommand } from './commands/watch';
import { moveLeaderCommand } from './commands/move-leader';
import { makeMirrorCommand } from './commands/make-mirror';
import { snapshotRestoreCommand } from './commands/snapshot-restore';
import { checkDatascaleCommand, checkPerfCommand } from './commands/check';
import { AUTH_COMMANDS } from './commands/auth';
import { snapshotSaveCommand } from './commands/snapshot';
import { snapshotStatusCommand } from './commands/snapshot-status';
import { lockCommand } from './commands/lock';
import { electCommand } from './commands/elect';
import { leaseGrantCommand, leaseKeepAliveCommand, leaseListCommand, leaseRevokeCommand, leaseTimeToLiveCommand } from './commands/lease';
import { memberAddCommand, memberListCommand, memberPromoteCommand, memberRemoveCommand, memberUpdateCommand } from './commands/cluster';
import {
  alarmDisarmCommand,
  alarmListCommand,
  defragCommand,
  endpointHashKVCommand,
  endpointHealthCommand,
  endpointStatusCommand,
  versionCommand,
} from './commands/maintenance';
import type { CtlCommand } from './commands/types';
import { CtlExit, EXIT_ERROR } from './exit-codes';
import { FlagReader, parseFlags } from './flags';
import { CtlContext, GLOBAL_FLAGS, globalEnvArgs } from './global';

export const COMMANDS: CtlCommand[] = [
  getCommand,
  putCommand,
  delCommand,
  compactionCommand,
  txnCommand,
  watchCommand,
  leaseGrantCommand,
  leaseRevokeCommand,
  leaseTimeToLiveCommand,
  leaseListCommand,
  leaseKeepAliveCommand,
  memberListCommand,
  memberAddCommand,
  memberRemoveCommand,
  memberUpdateCommand,
  memberPromoteCommand,
  endpointStatusCommand,
  endpointHealthCommand,
  endpointHashKVCommand,
  alarmListCommand,
  alarmDisarmCommand,
  defragCommand,
  versionCommand,
  ...AUTH_COMMANDS,
  snapshotSaveCommand,
  snapshotStatusCommand,
  lockCommand,
  electCommand,
  moveLeaderCommand,
  makeMirrorCommand,
  snapshotRestoreCommand,
  checkPerfCommand,
  checkDatascaleCommand,
];

/** etcdctl commands not built here: they fail clearly instead of pretending. */
const NOT_BUILT = new Set(['migrate']);

export interface CtlIo {
  out(s: string): void;
  err(s: string): void;
  stdin(): Promise<string>;
  /** stdin as a stream, for commands that read it line by line as it arrives (watch -i). */
  stdinStream?: NodeJS.ReadableStream;
  /** Raw bytes on stdout (-w protobuf); process.stdout when omitted. */
  outBytes?: (b: Uint8Array) => void;
  env: NodeJS.ProcessEnv;
}

/** Finds the command named by the leading non-flag words of argv. */
function findCommand(argv: string[]): { cmd: CtlCommand | undefined; words: string[] } {
  const valued = valueFlagNames([...GLOBAL_FLAGS, ...COMMANDS.flatMap((c) => c.flags)]);
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const a = argv[i] ?? '';
    if (a === '--') break;
    if (a.startsWith('-') && a.length > 1) {
      if (valued.has(a)) i++;
      continue;
    }
    words.push(a);
  }
  for (const cmd of COMMANDS) {
    if (cmd.path.every((p, i) => words[i] === p)) return { cmd, words: cmd.path };
  }
  return { cmd: undefined, words };
}

/** Drops the command words (the first occurrences that are not flag values). */
function removeWords(argv: string[], words: string[], valueFlags: Set<string>): string[] {
  const out: string[] = [];
  let next = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (a.startsWith('-') && a.length > 1) {
      out.push(a);
      if (valueFlags.has(a) && i + 1 < argv.length) out.push(argv[++i] ?? '');
      continue;
    }
    if (next < words.length && a === words[next]) {
      next++;
      continue;
    }
    out.push(a);
  }
  return out;
}

function valueFlagNames(specs: { name: string; short?: string; kind: string }[]): Set<string> {
  const out = new Set<string>();
  for (const spec of specs) {
    if (spec.kind === 'bool') continue;
    out.add(`--${spec.name}`);
    if (spec.short) out.add(`-${spec.short}`);
  }
  return out;
}

/** Runs one tsetcdctl invocation; resolves with the exit code. */
export async function runCtl(argv: string[], io: CtlIo): Promise<number> {
  let ctx: CtlContext | undefined;
  try {
    const { cmd, words } = findCommand(argv);
    if (!cmd) {
      const first = words[0];
      if (first === undefined) {
        io.err('Error: no command given (try `tsetcdctl version`)\n');
        return EXIT_ERROR;
      }
      const name = words.join(' ');
      if (first === 'migrate') {
        // etcd 3.4's migrate rewrites an offline etcd v2 data dir into v3 keys: tsetcd keeps its v2 store apart and has no such converter
        io.err('Error: "migrate" is not implemented by tsetcdctl (it converts an etcd v2 data dir to v3 keys offline; tsetcd keeps the v2 store separate)\n');
        return EXIT_ERROR;
      }
      if (NOT_BUILT.has(first) || NOT_BUILT.has(name)) {
        io.err(`Error: "${name}" is not implemented by tsetcdctl\n`);
        return EXIT_ERROR;
      }
      io.err(`Error: unknown command ${JSON.stringify(first)} for "etcdctl"\nRun 'etcdctl --help' for usage.\n`);
      return EXIT_ERROR;
    }
    const rest = removeWords(argv, words, valueFlagNames([...GLOBAL_FLAGS, ...cmd.flags]));
    const parsed = parseFlags(rest, [...GLOBAL_FLAGS, ...cmd.flags]);
    for (const [name, value] of globalEnvArgs(io.env)) {
      if (!parsed.changed.has(name)) parsed.values.set(name, value);
    }
    ctx = new CtlContext(new FlagReader(parsed), io.out, io.err, io.stdin, io.stdinStream, io.outBytes);
    await cmd.run(ctx);
    return 0;
  } catch (err) {
    if (err instanceof CtlExit) {
      if (err.message !== '') io.err(`Error: ${err.message}\n`);
      return err.code;
    }
    io.err(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_ERROR;
  } finally {
    ctx?.close();
  }
}

export function readStdin(): Promise<string> {
  return Promise.resolve(readFileSync(0, 'latin1'));
}
