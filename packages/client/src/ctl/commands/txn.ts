// txn [-i]: compares, blank line, success ops, blank line, failure ops, blank line (etcdctl's stdin grammar).
import { Compare, Op, type CompareOperator, type CompareSpec, type OpResult, type OpSpec, type TxnResult } from '../../index';
import { EXIT_BAD_ARGS, EXIT_INVALID_INPUT, fail, CtlExit } from '../exit-codes';
import { FlagReader, parseFlags } from '../flags';
import { goMarshal, type GoStruct } from '../go-json';
import type { CtlContext } from '../global';
import { headerStruct, oe, struct } from '../pb-json';
import { fieldsTxn } from '../print-fields';
import { buildDel, buildGet, buildPut, call, delCommand, delJson, delSimple, getCommand, putCommand, putJson, putSimple, rangeJson, rangeSimple } from './kv';
import { boolFlag, type CtlCommand } from './types';

/** bufio.Reader.ReadString('\n') over the whole stdin: a line without '\n' is an EOF error. */
class LineReader {
  #pos = 0;
  constructor(private readonly text: string) {}

  next(): string {
    const i = this.text.indexOf('\n', this.#pos);
    if (i < 0) fail(EXIT_INVALID_INPUT, 'EOF');
    const line = this.text.slice(this.#pos, i + 1);
    this.#pos = i + 1;
    return line.trim();
  }
}

/** Go's %q-or-bare-token splitting of a request line. */
export function argify(s: string): string[] {
  const re = /"(?:[^"\\]|\\.)*"|'[^']*'|[^'"\s]\S*[^'"\s]?/g;
  return (s.match(re) ?? []).map((a) => {
    if (a.startsWith("'")) return a.slice(1, -1);
    if (a.startsWith('"')) return JSON.parse(a) as string;
    return a;
  });
}

const OPERATORS = new Set(['=', '!=', '<', '>']);

export function parseCompare(line: string): CompareSpec {
  const lp = line.indexOf('(');
  if (lp < 0) fail(EXIT_INVALID_INPUT, `malformed comparison: ${line}`);
  const target = line.slice(0, lp);
  const m = /^"((?:[^"\\]|\\.)*)"\)\s+(\S+)\s+"((?:[^"\\]|\\.)*)"/.exec(line.slice(lp + 1));
  if (!m) fail(EXIT_INVALID_INPUT, `malformed comparison: ${line}`);
  const key = JSON.parse(`"${m[1] ?? ''}"`) as string;
  const op = m[2] ?? '';
  const val = JSON.parse(`"${m[3] ?? ''}"`) as string;
  if (!OPERATORS.has(op)) fail(EXIT_INVALID_INPUT, `invalid txn compare request: ${line}`);
  const operator = op as CompareOperator;
  const int = (): bigint => {
    if (!/^[+-]?\d+$/.test(val)) fail(EXIT_INVALID_INPUT, `invalid txn compare request: ${line}`);
    return BigInt(val);
  };
  switch (target) {
    case 'ver':
    case 'version':
      return Compare.version(key, operator, int());
    case 'c':
    case 'create':
      return Compare.createRevision(key, operator, int());
    case 'm':
    case 'mod':
      return Compare.modRevision(key, operator, int());
    case 'val':
    case 'value':
      return Compare.value(key, operator, val);
    case 'lease':
      return Compare.lease(key, operator, int());
    default:
      fail(EXIT_INVALID_INPUT, `malformed comparison: ${line} (unknown target ${target})`);
  }
}

async function parseRequest(line: string): Promise<OpSpec> {
  const args = argify(line);
  const invalid = (): never => fail(EXIT_INVALID_INPUT, `invalid txn request: ${line}`);
  if (args.length < 2) fail(EXIT_INVALID_INPUT, `invalid txn compare request: ${line}`);
  const cmd = [getCommand, putCommand, delCommand].find((c) => c.path[0] === args[0]);
  if (!cmd) return invalid();
  let fl: FlagReader;
  try {
    fl = new FlagReader(parseFlags(args.slice(1), cmd.flags));
  } catch (err) {
    if (err instanceof CtlExit) return invalid();
    throw err;
  }
  if (cmd === getCommand) {
    const { key, ...options } = buildGet(fl);
    return Op.get(key, options);
  }
  if (cmd === putCommand) {
    const p = await buildPut(fl, () => Promise.resolve(''));
    return Op.put(p.key, p.value, p.options);
  }
  const d = buildDel(fl);
  return Op.delete(d.target, d.options);
}

async function readOps(r: LineReader): Promise<OpSpec[]> {
  const ops: OpSpec[] = [];
  for (let line = r.next(); line !== ''; line = r.next()) ops.push(await parseRequest(line));
  return ops;
}

function opJson(r: OpResult): GoStruct {
  switch (r.kind) {
    case 'range':
      return struct(oe('Response', struct(oe('ResponseRange', rangeJson(r)))));
    case 'put':
      return struct(oe('Response', struct(oe('ResponsePut', putJson(r)))));
    case 'delete':
      return struct(oe('Response', struct(oe('ResponseDeleteRange', delJson(r)))));
    case 'txn':
      return struct(oe('Response', struct(oe('ResponseTxn', txnJson(r)))));
  }
}

function txnJson(r: TxnResult): GoStruct {
  return struct(oe('header', headerStruct(r.header)), oe('succeeded', r.succeeded), oe('responses', r.responses.map(opJson)));
}

function txnSimple(ctx: CtlContext, r: TxnResult): string {
  let out = r.succeeded ? 'SUCCESS\n' : 'FAILURE\n';
  for (const op of r.responses) {
    out += '\n';
    if (op.kind === 'range') out += rangeSimple(ctx, op);
    else if (op.kind === 'put') out += putSimple(ctx, op);
    else if (op.kind === 'delete') out += delSimple(ctx, op);
  }
  return out;
}

export const txnCommand: CtlCommand = {
  path: ['txn'],
  flags: [{ ...boolFlag('interactive'), short: 'i' }],
  async run(ctx) {
    if (ctx.flags.args.length !== 0) fail(EXIT_BAD_ARGS, 'txn command does not accept argument');
    const interactive = ctx.flags.bool('interactive');
    const reader = new LineReader(await ctx.stdin());
    const prompt = (s: string): void => {
      if (interactive) ctx.out(`${s}\n`);
    };
    prompt('compares:');
    const compares: CompareSpec[] = [];
    for (let line = reader.next(); line !== ''; line = reader.next()) compares.push(parseCompare(line));
    prompt('success requests (get, put, del):');
    const success = await readOps(reader);
    prompt('failure requests (get, put, del):');
    const failure = await readOps(reader);
    const r = await call(ctx.client().txn().if(...compares).then(...success).else(...failure).commit());
    ctx.requireFormat('simple', 'json', 'fields');
    ctx.out(ctx.format === 'json' ? `${goMarshal(txnJson(r))}\n` : ctx.format === 'fields' ? fieldsTxn(r) : txnSimple(ctx, r));
  },
};
