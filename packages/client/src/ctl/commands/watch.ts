// watch [key] [range_end] [-- cmd args] (--prefix, --rev, --prev-kv) and watch -i (watch / progress lines on stdin).
import { WatchCompactedError, WatchCanceledError, type WatchEvent, type WatchOptions } from '../../index';
import { CtlExit, EXIT_BAD_ARGS, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_INVALID_INPUT, fail } from '../exit-codes';
import { FlagReader, parseFlags, type FlagSpec } from '../flags';
import { callErrorMessage, type CtlContext } from '../global';
import { kvLines } from '../print-kv';
import { goMarshal } from '../go-json';
import { watchResponseStruct, type WatchKvEvent } from '../pb-json';
import { fieldsWatch } from '../print-fields';
import { pbWatch } from '../print-protobuf';
import type { ResponseHeader } from '../../index';
import { argify } from './txn';
import { goQuoteList, runWatchExec } from './watch-exec';
import { boolFlag, intFlag, type CtlCommand } from './types';

const WATCH_FLAGS: FlagSpec[] = [{ ...boolFlag('interactive'), short: 'i' }, boolFlag('prefix'), intFlag('rev'), boolFlag('prev-kv')];

const ERR_ARGS_NUM = 'bad number of arguments';
const ERR_CONFLICT_ENV = 'bad number of arguments (found conflicting environment key)';
const ERR_SEPARATOR = 'bad number of arguments (found separator --, but no commands)';

interface WatchSpec {
  key: string;
  options: WatchOptions;
}

/** etcdctl's getWatchChan: the key and options, or the reason they are bad. */
export function watchSpec(args: string[], fl: FlagReader): WatchSpec | string {
  if (args.length < 1) return ERR_ARGS_NUM;
  let key = args[0] ?? '';
  const options: WatchOptions = { prevKv: fl.bool('prev-kv') };
  const rev = fl.int('rev');
  if (rev > 0n) options.startRevision = rev;
  const prefix = fl.bool('prefix');
  // only exactly two arguments name a range; a third one is ignored like etcdctl does
  if (args.length === 2) {
    if (prefix) return '`range_end` and `--prefix` are mutually exclusive';
    options.end = args[1] ?? '';
  }
  if (prefix) {
    if (key === '') {
      key = '\x00';
      options.end = '\x00';
    } else options.prefix = true;
  }
  return { key, options };
}

function envKeys(): { envKey: string; envRange: string } {
  return { envKey: process.env.ETCDCTL_WATCH_KEY ?? '', envRange: process.env.ETCDCTL_WATCH_RANGE_END ?? '' };
}

function withEnv(args: string[], envKey: string, envRange: string): string[] {
  if (envKey === '') return args;
  return [...(envRange !== '' ? [envKey, envRange] : [envKey]), ...args];
}

type Event = WatchEvent;
const NOT_READY = Symbol('not-ready');

/**
 * The watch's events grouped by the response that carried them: the events already queued behind
 * the first one that share its header object (the client pushes one response's events together,
 * with one header). Progress notices stand alone.
 */
export async function* batches(source: AsyncIterable<Event>): AsyncGenerator<Event[]> {
  const it = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<Event>> | undefined;
  for (;;) {
    const first = await (pending ?? it.next());
    pending = undefined;
    if (first.done) return;
    const batch = [first.value];
    let ended = false;
    while (first.value.kind !== 'progress') {
      const p = it.next();
      const r = await Promise.race([p, Promise.resolve(NOT_READY)]);
      if (r === NOT_READY) {
        pending = p;
        break;
      }
      if (r.done) {
        ended = true;
        break;
      }
      if (r.value.kind === 'progress' || r.value.header !== first.value.header) {
        pending = Promise.resolve(r);
        break;
      }
      batch.push(r.value);
    }
    yield batch;
    if (ended) return;
  }
}

const NO_HEADER: ResponseHeader = { clusterId: 0n, memberId: 0n, revision: 0n, raftTerm: 0n };

/** One response as etcdctl's printers show it (-w simple, json, fields, protobuf). */
function printResponse(ctx: CtlContext, batch: readonly Event[]): void {
  if (ctx.format === 'simple') return ctx.out(batch.map((ev) => eventText(ctx, ev)).join(''));
  const header = batch[0]?.header ?? NO_HEADER;
  const events = batch.filter((ev): ev is WatchKvEvent => ev.kind !== 'progress');
  // etcdctl announces a progress notice on its own line, then prints the (eventless) response
  if (events.length === 0) ctx.out(`progress notify: ${header.revision}\n`);
  if (ctx.format === 'json') ctx.out(`${goMarshal(watchResponseStruct(header, events))}\n`);
  else if (ctx.format === 'fields') ctx.out(fieldsWatch(header, events));
  else ctx.outBytes(pbWatch(header, events));
}

function eventText(ctx: CtlContext, ev: Event): string {
  if (ev.kind === 'progress') return `progress notify: ${ev.revision}\n`;
  let text = ev.kind === 'put' ? 'PUT\n' : 'DELETE\n';
  if (ev.prevKv) text += kvLines(ev.prevKv, ctx.isHex, false);
  return text + kvLines(ev.kv, ctx.isHex, false);
}

/**
 * Prints one watch's events until it ends; with execArgs, like etcdctl, prints a response's events and
 * then runs the command once per event of it (a failing command exits 1).
 */
async function printWatch(ctx: CtlContext, spec: WatchSpec, execArgs: string[], session = { ended: false }): Promise<void> {
  try {
    const watcher = ctx.client().watch(spec.key, spec.options);
    for await (const batch of batches(watcher)) {
      printResponse(ctx, batch);
      if (execArgs.length === 0) continue;
      // ETCD_WATCH_REVISION is the response header's revision
      const revision = batch[0]?.header?.revision ?? batch.reduce((max, ev) => (ev.revision > max ? ev.revision : max), 0n);
      for (const ev of batch) {
        if (ev.kind === 'progress') continue;
        const err = await runWatchExec(ctx, execArgs, { kind: ev.kind, kv: ev.kv, revision });
        if (err !== '') {
          ctx.err(`command ${goQuoteList(execArgs)} error (${err})\n`);
          throw new CtlExit(EXIT_ERROR, '');
        }
      }
    }
  } catch (err) {
    if (err instanceof CtlExit) throw err;
    if (session.ended) return; // the command is exiting: its client closed under the watch
    if (err instanceof WatchCompactedError) ctx.err('watch was canceled (etcdserver: mvcc: required revision has been compacted)\n');
    else if (err instanceof WatchCanceledError) ctx.err(`watch was canceled (${err.message})\n`);
    else ctx.err(`watch was canceled (${callErrorMessage(err)})\n`);
  }
}

export const watchCommand: CtlCommand = {
  path: ['watch'],
  flags: WATCH_FLAGS,
  async run(ctx) {
    const fl = ctx.flags;
    const { envKey, envRange } = envKeys();
    if (envKey === '' && envRange !== '') fail(EXIT_BAD_ARGS, `ETCDCTL_WATCH_KEY is empty but got ETCDCTL_WATCH_RANGE_END=${JSON.stringify(envRange)}`);
    ctx.requireFormat('simple', 'json', 'fields', 'protobuf');
    if (fl.bool('interactive')) return watchInteractive(ctx, envKey, envRange);
    const execArgs = fl.afterDash;
    if (fl.dashSeen && execArgs.length === 0) fail(EXIT_BAD_ARGS, ERR_SEPARATOR);
    if (envKey !== '' && fl.args.length > 0) fail(EXIT_BAD_ARGS, ERR_CONFLICT_ENV);
    const spec = watchSpec(withEnv(fl.args, envKey, envRange), fl);
    if (typeof spec === 'string') fail(EXIT_BAD_ARGS, spec);
    await printWatch(ctx, spec, execArgs);
    fail(EXIT_INTERRUPTED, 'watch is canceled by the server');
  },
};

/** bufio.Reader.ReadString('\n') over a stream: yields whole lines (with '\n'); ends at EOF (a partial last line is dropped). */
async function* streamLines(stream: NodeJS.ReadableStream): AsyncGenerator<string> {
  let buf = '';
  for await (const chunk of stream) {
    buf += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('latin1');
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      yield buf.slice(0, i + 1);
      buf = buf.slice(i + 1);
    }
  }
}

/** One `watch …` request line's flags and arguments (the command line's watch flags do not apply). */
function interactiveWatchArgs(args: string[], envKey: string, envRange: string): { spec: WatchSpec | string; execArgs: string[] } {
  const rest = args.slice(1);
  const dash = rest.indexOf('--');
  if (dash >= 0 && dash === rest.length - 1) fail(EXIT_BAD_ARGS, ERR_SEPARATOR);
  let fl: FlagReader;
  try {
    fl = new FlagReader(parseFlags(rest, WATCH_FLAGS));
  } catch (err) {
    if (err instanceof CtlExit) fail(EXIT_BAD_ARGS, err.message);
    throw err;
  }
  if (dash < 0 && envKey === '' && fl.args.length < 1) fail(EXIT_BAD_ARGS, ERR_ARGS_NUM);
  if (dash < 0 && envKey !== '' && fl.args.length > 0) fail(EXIT_BAD_ARGS, ERR_CONFLICT_ENV);
  return { spec: watchSpec(withEnv(fl.args, envKey, envRange), fl), execArgs: fl.afterDash };
}

async function watchInteractive(ctx: CtlContext, envKey: string, envRange: string): Promise<void> {
  let failed: unknown;
  const session = { ended: false };
  try {
    for await (const raw of streamLines(ctx.stdinStream)) {
      if (failed !== undefined) break;
      const line = raw.slice(0, -1);
      const args = argify(line);
      if (args.length < 1) {
        ctx.err(`Invalid command: ${line} (watch and progress supported)\n`);
        continue;
      }
      if (args[0] === 'watch') {
        if (args.length < 2 && envKey === '') {
          ctx.err(`Invalid command ${line} (command type or key is not provided)\n`);
          continue;
        }
        const { spec, execArgs } = interactiveWatchArgs(args, envKey, envRange);
        if (typeof spec === 'string') {
          ctx.err(`Invalid command ${line} (${spec})\n`);
          continue;
        }
        printWatch(ctx, spec, execArgs, session).catch((err: unknown) => {
          // a failing exec command ends etcdctl at once, whatever stdin is doing
          failed = err;
          (ctx.stdinStream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        });
      } else if (args[0] === 'progress') {
        ctx.client().requestWatchProgress();
      } else {
        ctx.err(`Invalid command ${line} (only support watch)\n`);
      }
    }
  } catch (err) {
    if (failed === undefined) throw err;
  }
  session.ended = true;
  if (failed !== undefined) throw failed;
  fail(EXIT_INVALID_INPUT, 'Error reading watch request line: EOF');
}
