// watch and exec-watch: long-poll watchers that print, or run a command per event.
import { spawn } from 'node:child_process';
import { V2AbortedError, type V2Response } from '../../v2';
import { EXIT_BAD_ARGS, EXIT_SERVER_ERROR, type V2Ctl } from './context';
import type { V2Command } from './command';
import { formatResponse } from './format';

/** Aborts on SIGINT (etcdctl exits 0 on Ctrl+C) or when the caller's signal fires. */
function interruptible(external: AbortSignal | undefined): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const onSigint = (): void => ac.abort();
  process.once('SIGINT', onSigint);
  external?.addEventListener('abort', onSigint, { once: true });
  if (external?.aborted) ac.abort();
  return {
    signal: ac.signal,
    dispose: () => {
      process.removeListener('SIGINT', onSigint);
      external?.removeEventListener('abort', onSigint);
    },
  };
}

/** Calls `onEvent` for each event until it returns false, Ctrl+C (exit 0) or an error (exit 4). */
async function watchLoop(
  ctl: V2Ctl,
  key: string,
  afterIndex: number,
  recursive: boolean,
  onEvent: (resp: V2Response) => boolean,
  stop?: AbortSignal,
): Promise<void> {
  const client = await ctl.client();
  const watcher = client.keys.watcher(key, { afterIndex: BigInt(Math.max(0, afterIndex)), recursive });
  const signals = [ctl.io.signal, stop].filter((s): s is AbortSignal => s !== undefined);
  const interrupt = interruptible(signals.length > 0 ? AbortSignal.any(signals) : undefined);
  try {
    for (;;) {
      let resp: V2Response;
      try {
        resp = await watcher.next(interrupt.signal);
      } catch (err) {
        if (err instanceof V2AbortedError && interrupt.signal.aborted) return;
        ctl.fail(EXIT_SERVER_ERROR, err);
      }
      if (!onEvent(resp)) return;
    }
  } finally {
    interrupt.dispose();
  }
}

export const watchCommand: V2Command = {
  name: 'watch',
  usage: 'watch a key for changes',
  argsUsage: '<key>',
  flags: [
    { name: 'forever, f', kind: 'bool', usage: 'forever watch a key until CTRL+C' },
    { name: 'after-index', kind: 'int', value: '0', usage: 'watch after the given index' },
    { name: 'recursive, r', kind: 'bool', usage: 'returns all values for key and child keys' },
  ],
  run: async (ctl) => {
    const key = ctl.args[0];
    if (key === undefined) return ctl.fail(EXIT_BAD_ARGS, new Error('key required'));
    const recursive = ctl.bool('recursive');
    const forever = ctl.bool('forever');
    await watchLoop(ctl, key, ctl.int('after-index'), recursive, (resp) => {
      if (resp.node?.dir) return true;
      if (recursive) ctl.io.out(`[${resp.action}] ${resp.node?.key ?? ''}\n`);
      const [out, err] = formatResponse(resp, ctl.output);
      if (out) ctl.io.out(out);
      if (err) ctl.io.err(err);
      return forever;
    });
  },
};

/** The environment etcdctl gives the command: its own (without ETCDCTL_API) plus the event. */
export function watchEnv(resp: V2Response, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  delete out.ETCDCTL_API;
  out.ETCD_WATCH_ACTION = resp.action;
  out.ETCD_WATCH_MODIFIED_INDEX = (resp.node?.modifiedIndex ?? 0n).toString();
  out.ETCD_WATCH_KEY = resp.node?.key ?? '';
  out.ETCD_WATCH_VALUE = resp.node?.value ?? '';
  return out;
}

/** exec-watch's argument split: `<key> -- <cmd…>` when a `--` follows the key, else the key is last. */
export function splitExecArgs(args: string[]): { key: string; command: string[] } {
  const sep = args.findIndex((a, i) => a === '--' && i !== 0);
  if (sep >= 0) return { key: args[0] ?? '', command: args.slice(2) };
  return { key: args[args.length - 1] ?? '', command: args.slice(0, -1) };
}

function startError(file: string, err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOENT' && !file.includes('/')) return `exec: ${JSON.stringify(file)}: executable file not found in $PATH`;
  if (err.code === 'ENOENT') return `fork/exec ${file}: no such file or directory`;
  if (err.code === 'EACCES') return `fork/exec ${file}: permission denied`;
  return err.message;
}

export const execWatchCommand: V2Command = {
  name: 'exec-watch',
  usage: 'watch a key for changes and exec an executable',
  argsUsage: '<key> <command> [args...]',
  flags: [
    { name: 'after-index', kind: 'int', value: '0', usage: 'watch after the given index' },
    { name: 'recursive, r', kind: 'bool', usage: 'watch all values for key and child keys' },
  ],
  run: async (ctl) => {
    if (ctl.args.length < 2) ctl.fail(EXIT_BAD_ARGS, new Error('key and command to exec required'));
    const { key, command } = splitExecArgs(ctl.args);
    let startFailure: string | undefined;
    let wake: (() => void) | undefined;
    const failed = new Promise<void>((resolve) => (wake = resolve));
    const stop = new AbortController();
    const watching = watchLoop(ctl, key, ctl.int('after-index'), ctl.bool('recursive'), (resp) => {
      if (startFailure !== undefined) return false;
      if (resp.node?.dir) {
        ctl.io.err(`Ignored dir ${resp.node.key} change\n`);
        return true;
      }
      const file = command[0] ?? '';
      const child = spawn(file, command.slice(1), { env: watchEnv(resp, ctl.io.env), stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (c: Buffer) => ctl.io.out(c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => ctl.io.err(c.toString('utf8')));
      child.once('error', (err) => {
        startFailure = startError(file, err);
        stop.abort();
        wake?.();
      });
      return true;
    }, stop.signal);
    await Promise.race([watching, failed]);
    await watching.catch(() => undefined);
    if (startFailure !== undefined) {
      ctl.io.err(startFailure);
      ctl.exit(1);
    }
  },
};
