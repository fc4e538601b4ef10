// make-mirror <destination>: copy the keys under --prefix to another cluster, then keep applying their changes.
import { Client, Op, type OpSpec, type WatchEvent } from '../../index';
import { CtlExit, EXIT_BAD_ARGS, EXIT_ERROR, fail } from '../exit-codes';
import { callErrorMessage, type CtlContext } from '../global';
import { batches } from './watch';
import { boolFlag, strFlag, type CtlCommand } from './types';

/** etcdctl prints the running count of mirrored keys this often. */
export const MIRROR_PROGRESS_INTERVAL_MS = 30_000;
/** Keys per Range page of the initial copy (clientv3/mirror's batchLimit). */
export const MIRROR_BATCH_LIMIT = 1000;

/** strings.Replace(key, prefix, dest, 1) on the key's bytes. */
export function mirrorKey(key: Buffer, prefix: string, destPrefix: string): Buffer {
  const k = key.toString('latin1');
  const i = k.indexOf(prefix);
  if (i < 0) return key;
  return Buffer.from(k.slice(0, i) + destPrefix + k.slice(i + prefix.length), 'latin1');
}

/** One watch batch as etcdctl sends it: one txn per revision, in order. */
export function opsByRevision(events: WatchEvent[], rename: (k: Buffer) => Buffer): OpSpec[][] {
  const groups: OpSpec[][] = [];
  let lastRev = 0n;
  for (const ev of events) {
    if (ev.kind === 'progress') continue;
    if (groups.length === 0 || ev.kv.modRevision > lastRev) groups.push([]);
    lastRev = ev.kv.modRevision;
    const op = ev.kind === 'put' ? Op.put(rename(ev.kv.key), ev.kv.value) : Op.delete(rename(ev.kv.key));
    groups[groups.length - 1]?.push(op);
  }
  return groups;
}

async function mirror(ctx: CtlContext, src: Client, dst: Client, counted: () => void): Promise<void> {
  const prefix = ctx.flags.str('prefix');
  let destPrefix = ctx.flags.str('dest-prefix');
  const noDestPrefix = ctx.flags.bool('no-dest-prefix');
  const baseRev = (await src.range({ key: 'foo' })).header.revision;
  if (noDestPrefix && destPrefix !== '') fail(EXIT_BAD_ARGS, '`--dest-prefix` and `--no-dest-prefix` cannot be set at the same time, choose one');
  if (!noDestPrefix && destPrefix === '') destPrefix = prefix;
  const rename = (k: Buffer): Buffer => mirrorKey(k, prefix, destPrefix);

  let key: Buffer = Buffer.from(prefix === '' ? '\x00' : prefix, 'latin1');
  for (;;) {
    const page = await src.range(prefix === '' ? { key, fromKey: true, limit: MIRROR_BATCH_LIMIT, revision: baseRev } : { key, end: prefixEndOf(prefix), limit: MIRROR_BATCH_LIMIT, revision: baseRev });
    for (const kv of page.kvs) {
      await dst.put(rename(kv.key), kv.value);
      counted();
    }
    const last = page.kvs[page.kvs.length - 1];
    if (!page.more || !last) break;
    key = Buffer.concat([last.key, Buffer.from([0])]);
  }

  for await (const batch of batches(src.watch(prefix, { prefix: true, startRevision: baseRev + 1n }))) {
    for (const ops of opsByRevision(batch, rename)) {
      await dst.txn().then(...ops).commit();
      for (let i = 0; i < ops.length; i++) counted();
    }
  }
}

function prefixEndOf(prefix: string): Buffer {
  const b = Buffer.from(prefix, 'latin1');
  for (let i = b.length - 1; i >= 0; i--) {
    if ((b[i] ?? 0) < 0xff) return Buffer.concat([b.subarray(0, i), Buffer.from([(b[i] ?? 0) + 1])]);
  }
  return Buffer.from([0]);
}

export const makeMirrorCommand: CtlCommand = {
  path: ['make-mirror'],
  flags: [strFlag('prefix'), strFlag('dest-prefix'), boolFlag('no-dest-prefix'), strFlag('dest-cert'), strFlag('dest-key'), strFlag('dest-cacert'), { ...boolFlag('dest-insecure-transport'), default: 'true' }],
  async run(ctx) {
    const args = ctx.flags.args;
    if (args.length !== 1) fail(EXIT_BAD_ARGS, 'make-mirror takes one destination argument');
    if (ctx.flags.str('dest-cert') !== '' || ctx.flags.str('dest-key') !== '' || ctx.flags.str('dest-cacert') !== '') fail(EXIT_BAD_ARGS, 'make-mirror --dest-cert/--dest-key/--dest-cacert (TLS) is not implemented by tsetcdctl');
    // the destination client has no credentials, like etcdctl's
    const dst = new Client({ endpoints: [args[0] ?? ''], dialTimeoutMs: ctx.dialTimeoutMs, callTimeoutMs: ctx.commandTimeoutMs });
    ctx.extraClients.push(dst);
    let total = 0;
    const ticker = setInterval(() => ctx.out(`${total}\n`), MIRROR_PROGRESS_INTERVAL_MS);
    try {
      await mirror(ctx, ctx.client(), dst, () => total++);
    } catch (err) {
      if (err instanceof CtlExit) throw err;
      fail(EXIT_ERROR, callErrorMessage(err));
    } finally {
      clearInterval(ticker);
    }
    fail(EXIT_ERROR, '<nil>');
  },
};
