// elect <name> <proposal>: campaign, print the leader key once elected, resign on Ctrl-C.
// elect -l <name>: print each leader (and each value it proclaims) until Ctrl-C.
import type { KeyValue, ResponseHeader } from '../../index';
import { EXIT_BAD_ARGS, EXIT_ERROR, fail } from '../exit-codes';
import { callErrorMessage, type CtlContext } from '../global';
import { campaign, interruptSignal, newSession, observe } from '../concurrency';
import { goMarshal } from '../go-json';
import { kvLines } from '../print-kv';
import { rangeJson } from './kv';
import { boolFlag, type CtlCommand } from './types';

function printLeader(ctx: CtlContext, header: ResponseHeader, kvs: KeyValue[]): void {
  ctx.out(ctx.format === 'json' ? `${goMarshal(rangeJson({ header, kvs, more: false, count: BigInt(kvs.length) }))}\n` : kvs.map((kv) => kvLines(kv, ctx.isHex, false)).join(''));
}

async function observeLeaders(ctx: CtlContext, name: string): Promise<void> {
  const client = ctx.client();
  const session = await newSession(client);
  const interrupt = interruptSignal();
  try {
    await observe(client, name, interrupt.signal, (kv, header) => printLeader(ctx, header, [kv])).catch(() => undefined);
    if (!interrupt.signal.aborted) fail(EXIT_ERROR, 'elect: observer lost');
  } finally {
    interrupt.dispose();
    session.keepAlive.close();
  }
}

async function campaignUntilSignal(ctx: CtlContext, name: string, proposal: string): Promise<void> {
  const client = ctx.client();
  const session = await newSession(client);
  const interrupt = interruptSignal();
  try {
    let resign: () => Promise<void>;
    let key: string;
    try {
      ({ resign, key } = await campaign(client, session, name, proposal, interrupt.signal));
    } catch (err) {
      fail(EXIT_ERROR, interrupt.signal.aborted ? 'context canceled' : callErrorMessage(err));
    }
    const r = await client.range({ key, signal: interrupt.signal }).catch((err: unknown) => fail(EXIT_ERROR, callErrorMessage(err)));
    printLeader(ctx, r.header, r.kvs);
    const released = await Promise.race([
      new Promise<true>((resolve) => {
        if (interrupt.signal.aborted) resolve(true);
        interrupt.signal.addEventListener('abort', () => resolve(true), { once: true });
      }),
      session.done.then(() => false as const),
    ]);
    if (!released) fail(EXIT_ERROR, 'elect: session expired');
    await resign().catch((err: unknown) => fail(EXIT_ERROR, callErrorMessage(err)));
  } finally {
    interrupt.dispose();
    session.keepAlive.close();
  }
}

export const electCommand: CtlCommand = {
  path: ['elect'],
  flags: [{ ...boolFlag('listen'), short: 'l' }],
  async run(ctx) {
    const args = ctx.flags.args;
    if (args.length !== 1 && args.length !== 2) fail(EXIT_BAD_ARGS, 'elect takes one election name argument and an optional proposal argument');
    const listen = ctx.flags.bool('listen');
    ctx.requireFormat('simple', 'json');
    if (args.length === 1) {
      if (!listen) fail(EXIT_BAD_ARGS, 'no proposal argument but -l not set');
      await observeLeaders(ctx, args[0] ?? '');
      return;
    }
    if (listen) fail(EXIT_BAD_ARGS, 'proposal given but -l is set');
    await campaignUntilSignal(ctx, args[0] ?? '', args[1] ?? '');
  },
};
