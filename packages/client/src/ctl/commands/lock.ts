// lock <name> [exec-command arg…]: hold a concurrency mutex; print its key and wait for Ctrl-C, or run the command while holding it.
import { spawn } from 'node:child_process';
import { EXIT_BAD_ARGS, EXIT_ERROR, fail } from '../exit-codes';
import { callErrorMessage, type CtlContext } from '../global';
import { interruptSignal, lockMutex, newSession, type CtlMutex } from '../concurrency';
import { kvLines } from '../print-kv';
import { rangeJson } from './kv';
import { goMarshal } from '../go-json';
import { intFlag, type CtlCommand } from './types';

/** etcdctl lock --ttl default (seconds). */
export const LOCK_TTL_SECONDS_DEFAULT = 10;

/** Runs the command like Go's exec.Cmd.Run; resolves with Go's error text, or undefined on exit 0. */
function runHolding(argv: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    const [file, ...args] = argv;
    const child = spawn(file ?? '', args, { stdio: 'inherit', env });
    child.once('error', (err: NodeJS.ErrnoException) => {
      resolve(err.code === 'ENOENT' ? `exec: ${JSON.stringify(file)}: executable file not found in $PATH` : err.message);
    });
    child.once('exit', (code, signal) => {
      if (signal) resolve(`signal: ${signal === 'SIGINT' ? 'interrupt' : signal === 'SIGTERM' ? 'terminated' : signal === 'SIGKILL' ? 'killed' : signal}`);
      else resolve(code === 0 ? undefined : `exit status ${code ?? -1}`);
    });
  });
}

async function holdLock(ctx: CtlContext, name: string, command: string[], ttlSeconds: number): Promise<void> {
  const client = ctx.client();
  const session = await newSession(client, ttlSeconds);
  const interrupt = interruptSignal();
  try {
    let mutex: CtlMutex;
    try {
      mutex = await lockMutex(client, session, name, interrupt.signal);
    } catch (err) {
      fail(EXIT_ERROR, interrupt.signal.aborted ? 'context canceled' : callErrorMessage(err));
    }
    if (command.length > 0) {
      const env = { ...process.env, ETCD_LOCK_KEY: mutex.key, ETCD_LOCK_REV: String(mutex.header.revision) };
      const runErr = await runHolding(command, env);
      await mutex.unlock().catch((err: unknown) => fail(EXIT_ERROR, callErrorMessage(err)));
      if (runErr !== undefined) fail(EXIT_ERROR, runErr);
      return;
    }
    const r = await client.range({ key: mutex.key, signal: interrupt.signal }).catch((err: unknown) => fail(EXIT_ERROR, callErrorMessage(err)));
    if (r.kvs.length === 0) fail(EXIT_ERROR, 'lock lost on init');
    ctx.out(ctx.format === 'json' ? `${goMarshal(rangeJson(r))}\n` : r.kvs.map((kv) => kvLines(kv, ctx.isHex, false)).join(''));
    const released = await Promise.race([
      new Promise<true>((resolve) => interrupt.signal.addEventListener('abort', () => resolve(true), { once: true })),
      session.done.then(() => false as const),
    ]);
    if (!released) fail(EXIT_ERROR, 'session expired');
    await mutex.unlock().catch((err: unknown) => fail(EXIT_ERROR, callErrorMessage(err)));
  } finally {
    interrupt.dispose();
    session.keepAlive.close();
  }
}

export const lockCommand: CtlCommand = {
  path: ['lock'],
  flags: [intFlag('ttl', String(LOCK_TTL_SECONDS_DEFAULT))],
  async run(ctx) {
    const args = ctx.flags.args;
    if (args.length === 0 && ctx.flags.afterDash.length === 0) fail(EXIT_BAD_ARGS, 'lock takes a lock name argument and an optional command to execute');
    ctx.requireFormat('simple', 'json');
    await holdLock(ctx, args[0] ?? '', [...args.slice(1), ...ctx.flags.afterDash], Number(ctx.flags.int('ttl')));
  },
};
