// get, put, del, compaction.
import type { DeleteOptions, DeleteResult, KeyRange, KeyValue, PutOptions, PutResult, RangeOptions, RangeResult, SortOrder, SortTarget } from '../../index';
import type { FlagReader } from '../flags';
import { EXIT_BAD_ARGS, EXIT_BAD_FEATURE, EXIT_ERROR, fail } from '../exit-codes';
import { goMarshal } from '../go-json';
import { callErrorMessage, type CtlContext } from '../global';
import { parseHexInt64 } from '../go-format';
import { f, headerStruct, kvStruct, oe, struct } from '../pb-json';
import { fieldsDel, fieldsGet, fieldsPut } from '../print-fields';
import { kvLines } from '../print-kv';
import { pbDel, pbGet, pbPut } from '../print-protobuf';
import { boolFlag, intFlag, strFlag, type CtlCommand } from './types';

const FROM_KEY_ALL = '\x00';

export async function call<T>(p: Promise<T>, wrap: (m: string) => string = (m) => m, code = EXIT_ERROR): Promise<T> {
  try {
    return await p;
  } catch (err) {
    fail(code, wrap(callErrorMessage(err)));
  }
}

function kvsJson(kvs: KeyValue[]) {
  return kvs.map(kvStruct);
}

export function rangeJson(r: RangeResult) {
  return struct(oe('header', headerStruct(r.header)), oe('kvs', kvsJson(r.kvs)), oe('more', r.more), oe('count', r.count));
}

export function putJson(r: PutResult) {
  return struct(oe('header', headerStruct(r.header)), oe('prev_kv', r.prevKv ? kvStruct(r.prevKv) : null));
}

export function delJson(r: DeleteResult) {
  return struct(oe('header', headerStruct(r.header)), oe('deleted', r.deleted), oe('prev_kvs', kvsJson(r.prevKvs)));
}

export function rangeSimple(ctx: CtlContext, r: RangeResult, valueOnly = false): string {
  return r.kvs.map((kv) => kvLines(kv, ctx.isHex, valueOnly)).join('');
}

export function putSimple(ctx: CtlContext, r: PutResult): string {
  return `OK\n${r.prevKv ? kvLines(r.prevKv, ctx.isHex, false) : ''}`;
}

export function delSimple(ctx: CtlContext, r: DeleteResult): string {
  return `${r.deleted}\n${r.prevKvs.map((kv) => kvLines(kv, ctx.isHex, false)).join('')}`;
}

const SORT_TARGETS: Record<string, SortTarget> = { CREATE: 'create', KEY: 'key', MODIFY: 'mod', VALUE: 'value', VERSION: 'version' };

/** etcdctl's getGetOp: validates like etcdctl and builds the range request. */
export function getOp(args: string[], o: { prefix: boolean; fromKey: boolean; consistency: string; limit: bigint; rev: bigint; order: string; sortBy: string; keysOnly: boolean; countOnly: boolean }): RangeOptions {
  if (args.length === 0) fail(EXIT_BAD_ARGS, 'get command needs one argument as key and an optional argument as range_end');
  if (o.prefix && o.fromKey) fail(EXIT_BAD_ARGS, '`--prefix` and `--from-key` cannot be set at the same time, choose one');
  if (o.consistency !== 's' && o.consistency !== 'l') fail(EXIT_BAD_FEATURE, `unknown consistency flag ${JSON.stringify(o.consistency)}`);
  let key = args[0] ?? '';
  const req: RangeOptions = { key };
  if (args.length > 1) {
    if (o.prefix || o.fromKey) fail(EXIT_BAD_ARGS, 'too many arguments, only accept one argument when `--prefix` or `--from-key` is set');
    req.end = args[1] ?? '';
  }
  if (o.consistency === 's') req.serializable = true;
  req.limit = o.limit;
  if (o.rev > 0n) req.revision = o.rev;
  let order: SortOrder = 'none';
  const ord = o.order.toUpperCase();
  if (ord === 'ASCEND') order = 'ascend';
  else if (ord === 'DESCEND') order = 'descend';
  else if (ord !== '') fail(EXIT_BAD_FEATURE, `bad sort order ${o.order}`);
  const tgt = o.sortBy.toUpperCase();
  let target: SortTarget = 'key';
  if (tgt !== '') {
    const t = SORT_TARGETS[tgt];
    if (!t) fail(EXIT_BAD_FEATURE, `bad sort target ${o.sortBy}`);
    target = t;
  }
  // clientv3.WithSort(KEY, NONE) is no sort; an order with any target sorts.
  if (order !== 'none' || target !== 'key') req.sort = { target, order: order === 'none' && target !== 'key' ? 'ascend' : order };
  if (o.prefix) {
    if (key.length === 0) {
      key = FROM_KEY_ALL;
      req.key = key;
      req.fromKey = true;
    } else req.prefix = true;
  }
  if (o.fromKey) {
    if (key.length === 0) req.key = FROM_KEY_ALL;
    req.fromKey = true;
  }
  if (o.keysOnly) req.keysOnly = true;
  if (o.countOnly) req.countOnly = true;
  return req;
}

export const getCommand: CtlCommand = {
  path: ['get'],
  flags: [
    strFlag('consistency', 'l'),
    strFlag('order'),
    strFlag('sort-by'),
    intFlag('limit'),
    boolFlag('prefix'),
    boolFlag('from-key'),
    intFlag('rev'),
    boolFlag('keys-only'),
    boolFlag('print-value-only'),
  ],
  async run(ctx) {
    const fl = ctx.flags;
    const req = buildGet(fl);
    const r = await call(ctx.client().range(req));
    const valueOnly = fl.bool('print-value-only');
    if (valueOnly && ctx.format !== 'simple') fail(EXIT_BAD_ARGS, 'print-value-only is only for `--write-out=simple`');
    if (ctx.format === 'protobuf') return ctx.outBytes(pbGet(r));
    ctx.requireFormat('simple', 'json', 'fields');
    ctx.out(ctx.format === 'json' ? `${goMarshal(rangeJson(r))}\n` : ctx.format === 'fields' ? fieldsGet(r) : rangeSimple(ctx, r, valueOnly));
  },
};

export function buildGet(fl: FlagReader): RangeOptions {
  const countOnly = false; // etcdctl 3.4 has no --count-only
  return getOp(fl.args, {
      prefix: fl.bool('prefix'),
      fromKey: fl.bool('from-key'),
      consistency: fl.str('consistency'),
      limit: fl.int('limit'),
    rev: fl.int('rev'),
    order: fl.str('order'),
    sortBy: fl.str('sort-by'),
    keysOnly: fl.bool('keys-only'),
    countOnly,
  });
}

export const putCommand: CtlCommand = {
  path: ['put'],
  flags: [strFlag('lease', '0'), boolFlag('prev-kv'), boolFlag('ignore-value'), boolFlag('ignore-lease')],
  async run(ctx) {
    const p = await buildPut(ctx.flags, ctx.stdin);
    const r = await call(ctx.client().put(p.key, p.value, p.options));
    if (ctx.format === 'protobuf') return ctx.outBytes(pbPut(r));
    ctx.requireFormat('simple', 'json', 'fields');
    ctx.out(ctx.format === 'json' ? `${goMarshal(putJson(r))}\n` : ctx.format === 'fields' ? fieldsPut(r) : putSimple(ctx, r));
  },
};

export async function buildPut(fl: FlagReader, stdin: () => Promise<string>): Promise<{ key: string; value: string; options: PutOptions }> {
    const args = fl.args;
    const usage = 'put command needs 1 argument and input from stdin or 2 arguments';
    if (args.length === 0) fail(EXIT_BAD_ARGS, usage);
    const key = args[0] ?? '';
    const ignoreValue = fl.bool('ignore-value');
    if (ignoreValue && args.length > 1) fail(EXIT_BAD_ARGS, "put command needs only 1 argument when 'ignore-value' is set");
    let value = '';
    if (!ignoreValue) {
      if (args.length > 1) value = args[1] ?? '';
      else {
        value = await stdin();
        if (value.length === 0) fail(EXIT_BAD_ARGS, usage);
      }
    }
    const leaseStr = fl.str('lease');
    const lease = parseHexInt64(leaseStr);
    if (lease === undefined) fail(EXIT_BAD_ARGS, `bad lease ID (strconv.ParseInt: parsing ${JSON.stringify(leaseStr)}: invalid syntax), expecting ID in Hex`);
    return { key, value, options: { lease, prevKv: fl.bool('prev-kv'), ignoreValue, ignoreLease: fl.bool('ignore-lease') } };
}

export const delCommand: CtlCommand = {
  path: ['del'],
  flags: [boolFlag('prefix'), boolFlag('prev-kv'), boolFlag('from-key')],
  async run(ctx) {
    const d = buildDel(ctx.flags);
    const r = await call(ctx.client().delete(d.target, d.options));
    if (ctx.format === 'protobuf') return ctx.outBytes(pbDel(r));
    ctx.requireFormat('simple', 'json', 'fields');
    ctx.out(ctx.format === 'json' ? `${goMarshal(delJson(r))}\n` : ctx.format === 'fields' ? fieldsDel(r) : delSimple(ctx, r));
  },
};

export function buildDel(fl: FlagReader): { target: KeyRange; options: DeleteOptions } {
    const args = fl.args;
    if (args.length === 0 || args.length > 2) fail(EXIT_BAD_ARGS, 'del command needs one argument as key and an optional argument as range_end');
    const prefix = fl.bool('prefix');
    const fromKey = fl.bool('from-key');
    if (prefix && fromKey) fail(EXIT_BAD_ARGS, '`--prefix` and `--from-key` cannot be set at the same time, choose one');
    let key = args[0] ?? '';
    let end: string | undefined;
    if (args.length > 1) {
      if (prefix || fromKey) fail(EXIT_BAD_ARGS, 'too many arguments, only accept one argument when `--prefix` or `--from-key` is set');
      end = args[1];
    }
    let asPrefix = false;
    let asFromKey = false;
    if (prefix) {
      if (key.length === 0) {
        key = FROM_KEY_ALL;
        asFromKey = true;
      } else asPrefix = true;
    }
    if (fromKey) {
      if (key.length === 0) key = FROM_KEY_ALL;
      asFromKey = true;
    }
    const target = { key, ...(end !== undefined ? { end } : {}), ...(asPrefix ? { prefix: true } : {}), ...(asFromKey ? { fromKey: true } : {}) };
    return { target, options: { prevKv: fl.bool('prev-kv') } };
}

export const compactionCommand: CtlCommand = {
  path: ['compaction'],
  flags: [boolFlag('physical')],
  async run(ctx) {
    const args = ctx.flags.args;
    if (args.length !== 1) fail(EXIT_BAD_ARGS, 'compaction command needs 1 argument');
    const s = args[0] ?? '';
    if (!/^[+-]?\d+$/.test(s)) fail(EXIT_ERROR, `strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
    const rev = BigInt(s);
    await call(ctx.client().compact(rev, { physical: ctx.flags.bool('physical') }));
    ctx.out(`compacted revision ${rev}\n`);
  },
};

export { f };
