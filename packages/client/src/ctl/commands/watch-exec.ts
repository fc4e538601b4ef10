// `watch … -- cmd args`: run the command once per event with etcdctl's ETCD_WATCH_* environment.
import { spawn } from 'node:child_process';
import type { KeyValue } from '../../index';
import { goQuote } from '../go-format';
import type { CtlContext } from '../global';

export interface ExecEvent {
  kind: 'put' | 'delete';
  /** The watch response's header revision (etcdctl's ETCD_WATCH_REVISION). */
  revision: bigint;
  kv: KeyValue;
}

/** Go's %q of a []string: ["a" "b"]. */
export function goQuoteList(list: string[]): string {
  return `[${list.map(goQuote).join(' ')}]`;
}

export function watchExecEnv(base: NodeJS.ProcessEnv, ev: ExecEvent): NodeJS.ProcessEnv {
  return {
    ...base,
    ETCD_WATCH_REVISION: String(ev.revision),
    ETCD_WATCH_EVENT_TYPE: goQuote(ev.kind === 'put' ? 'PUT' : 'DELETE'),
    ETCD_WATCH_KEY: goQuote(ev.kv.key.toString('utf8')),
    ETCD_WATCH_VALUE: goQuote(ev.kv.value.toString('utf8')),
  };
}

/** Runs the command to its end, its output passed through; resolves with Go's exec error text, or '' on success. */
export function runWatchExec(ctx: CtlContext, execArgs: string[], ev: ExecEvent): Promise<string> {
  const [file = '', ...rest] = execArgs;
  return new Promise((resolve) => {
    const child = spawn(file, rest, { env: watchExecEnv(process.env, ev), stdio: ['ignore', 'pipe', 'pipe'] });
    let spawnError = '';
    child.stdout.on('data', (c: Buffer) => ctx.out(c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => ctx.err(c.toString('utf8')));
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') spawnError = file.includes('/') ? `fork/exec ${file}: no such file or directory` : `exec: ${goQuote(file)}: executable file not found in $PATH`;
      else spawnError = err.message;
    });
    child.once('close', (code, signal) => {
      if (spawnError !== '') resolve(spawnError);
      else if (signal) resolve(`signal: ${SIGNAL_NAMES[signal] ?? signal}`);
      else resolve(code === 0 ? '' : `exit status ${code ?? -1}`);
    });
  });
}

/** Go's syscall.Signal strings for the usual ones. */
const SIGNAL_NAMES: Record<string, string> = {
  SIGKILL: 'killed',
  SIGTERM: 'terminated',
  SIGINT: 'interrupt',
  SIGHUP: 'hangup',
  SIGSEGV: 'segmentation fault',
  SIGABRT: 'aborted',
  SIGPIPE: 'broken pipe',
};
