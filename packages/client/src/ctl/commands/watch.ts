// watch [key] [range_end] (--prefix, --rev, --prev-kv; simple output). Interactive mode and `-- cmd` exec are not built.
import { WatchCompactedError, WatchCanceledError, type WatchOptions } from '../../index';
import { EXIT_BAD_ARGS, EXIT_BAD_FEATURE, EXIT_INTERRUPTED, fail } from '../exit-codes';
import { callErrorMessage } from '../global';
import { kvLines } from '../print-kv';
import { boolFlag, intFlag, type CtlCommand } from './types';

export const watchCommand: CtlCommand = {
  path: ['watch'],
  flags: [{ ...boolFlag('interactive'), short: 'i' }, boolFlag('prefix'), intFlag('rev'), boolFlag('prev-kv')],
  async run(ctx) {
    const fl = ctx.flags;
    const envKey = process.env.ETCDCTL_WATCH_KEY ?? '';
    const envRange = process.env.ETCDCTL_WATCH_RANGE_END ?? '';
    if (envKey === '' && envRange !== '') fail(EXIT_BAD_ARGS, `ETCDCTL_WATCH_KEY is empty but got ETCDCTL_WATCH_RANGE_END=${JSON.stringify(envRange)}`);
    if (fl.bool('interactive')) fail(EXIT_BAD_FEATURE, 'watch -i (interactive) is not implemented by tsetcdctl');
    if (fl.afterDash.length > 0) fail(EXIT_BAD_FEATURE, 'watch with an exec command is not implemented by tsetcdctl');
    let args = fl.args;
    if (envKey !== '') {
      if (args.length > 0) fail(EXIT_BAD_ARGS, 'bad number of arguments (found conflicting environment key)');
      args = envRange !== '' ? [envKey, envRange] : [envKey];
    }
    if (args.length < 1 || args.length > 2) fail(EXIT_BAD_ARGS, 'bad number of arguments');
    if (ctx.format !== 'simple') fail(EXIT_BAD_FEATURE, `watch -w ${ctx.format} is not implemented by tsetcdctl`);
    let key = args[0] ?? '';
    const options: WatchOptions = { prevKv: fl.bool('prev-kv') };
    const rev = fl.int('rev');
    if (rev > 0n) options.startRevision = rev;
    if (args.length === 2) {
      if (fl.bool('prefix')) fail(EXIT_BAD_ARGS, '`range_end` and `--prefix` are mutually exclusive');
      options.end = args[1] ?? '';
    }
    if (fl.bool('prefix')) {
      if (key === '') {
        key = '\x00';
        options.end = '\x00';
      } else options.prefix = true;
    }
    try {
      for await (const ev of ctx.client().watch(key, options)) {
        if (ev.kind === 'progress') {
          ctx.out(`progress notify: ${ev.revision}\n`);
          continue;
        }
        let text = ev.kind === 'put' ? 'PUT\n' : 'DELETE\n';
        if (ev.prevKv) text += kvLines(ev.prevKv, ctx.isHex, false);
        text += kvLines(ev.kv, ctx.isHex, false);
        ctx.out(text);
      }
    } catch (err) {
      if (err instanceof WatchCompactedError) ctx.err('watch was canceled (etcdserver: mvcc: required revision has been compacted)\n');
      else if (err instanceof WatchCanceledError) ctx.err(`watch was canceled (${err.message})\n`);
      else ctx.err(`watch was canceled (${callErrorMessage(err)})\n`);
    }
    fail(EXIT_INTERRUPTED, 'watch is canceled by the server');
  },
};
