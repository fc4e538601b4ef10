// check perf / check datascale: etcdctl's load checks (same loads, keys, thresholds and verdict lines).
// The progress bar etcdctl draws on stdout is not drawn.
import { randomBytes } from 'node:crypto';
import { Client, monotonicNow } from '../../index';
import { EXIT_ERROR, EXIT_INVALID_INPUT, EXIT_BAD_FEATURE, fail, CtlExit } from '../exit-codes';
import { callErrorMessage, type CtlContext } from '../global';
import { loadStats, perfVerdict, residentMemoryBytes, type LoadResult } from './check-report';
import { boolFlag, strFlag, type CtlCommand } from './types';

const LOAD_ALIASES: Record<string, 's' | 'm' | 'l' | 'xl'> = { s: 's', small: 's', m: 'm', medium: 'm', l: 'l', large: 'l', xl: 'xl', xLarge: 'xl' };

/** Writes per second, concurrent clients, seconds (etcdctl's checkPerfCfgMap). */
export const PERF_LOADS = {
  s: { limit: 150, clients: 50, durationS: 60 },
  m: { limit: 1000, clients: 200, durationS: 60 },
  l: { limit: 8000, clients: 500, durationS: 60 },
  xl: { limit: 15000, clients: 1000, durationS: 60 },
} as const;

/** Keys, bytes per key-value and concurrent clients (etcdctl's checkDatascaleCfgMap). */
export const DATASCALE_LOADS = {
  s: { limit: 10_000, kvSize: 1024, clients: 50 },
  m: { limit: 100_000, kvSize: 1024, clients: 200 },
  l: { limit: 1_000_000, kvSize: 1024, clients: 500 },
  xl: { limit: 3_000_000, kvSize: 1024, clients: 1000 },
} as const;

const PERF_KEY_BYTES = 256;
const PERF_VALUE_BYTES = 1024;
const DATASCALE_KEY_BYTES = 512;
const DATASCALE_VALUE_BYTES = 512;
const CLEANUP_TIMEOUT_MS = 30_000;
/**
 * Test hook: shortens check perf's 60 s run (the verdict is the same arithmetic). Not an etcdctl option;
 * the measured figures printed are always the ones of the run that happened.
 */
const PERF_DURATION_ENV = 'TSETCDCTL_CHECK_PERF_DURATION_S';

function loadOf(ctx: CtlContext): 's' | 'm' | 'l' | 'xl' {
  const load = ctx.flags.str('load');
  const model = LOAD_ALIASES[load];
  if (!model) fail(EXIT_BAD_FEATURE, `unknown load option ${load}`);
  return model;
}

/** A key like etcdctl's: the prefix, then `keyBytes` bytes starting with a random varint. */
function randomKey(prefix: Buffer, keyBytes: number): Buffer {
  const k = Buffer.alloc(keyBytes);
  let v = randomBytes(8).readBigUInt64BE() >> 1n; // int63
  // binary.PutVarint: zig-zag, then 7 bits per byte
  v = v << 1n;
  let i = 0;
  while (v >= 0x80n) {
    k[i++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  k[i] = Number(v);
  return Buffer.concat([prefix, k]);
}

async function assertPrefixEmpty(c: Client, prefix: string): Promise<void> {
  let r;
  try {
    r = await c.range({ key: prefix, prefix: true, limit: 1 });
  } catch (err) {
    fail(EXIT_ERROR, callErrorMessage(err));
  }
  if (r.kvs.length > 0) fail(EXIT_INVALID_INPUT, `prefix ${JSON.stringify(prefix)} has keys. Delete with etcdctl del --prefix ${prefix} first`);
}

/** Runs puts from `next()` on `clients` workers until it returns undefined; every answer timed. */
async function runLoad(clients: Client[], next: () => Promise<Buffer | undefined>, value: Buffer): Promise<LoadResult> {
  const result: LoadResult = { latenciesS: [], errors: new Map(), totalS: 0 };
  const start = monotonicNow();
  await Promise.all(
    clients.map(async (c) => {
      for (let key = await next(); key !== undefined; key = await next()) {
        const st = monotonicNow();
        try {
          await c.put(key, value);
          result.latenciesS.push((monotonicNow() - st) / 1000);
        } catch (err) {
          const msg = callErrorMessage(err);
          result.errors.set(msg, (result.errors.get(msg) ?? 0) + 1);
        }
      }
    }),
  );
  result.totalS = (monotonicNow() - start) / 1000;
  return result;
}

async function cleanUp(ctx: CtlContext, c: Client, prefix: string): Promise<void> {
  let rev: bigint;
  try {
    rev = (await c.delete({ key: prefix, prefix: true }, { timeoutMs: CLEANUP_TIMEOUT_MS })).header.revision;
  } catch (err) {
    fail(EXIT_ERROR, callErrorMessage(err));
  }
  if (ctx.flags.bool('auto-compact')) {
    ctx.out(`Compacting with revision ${rev}\n`);
    try {
      await c.compact(rev, { physical: true, timeoutMs: CLEANUP_TIMEOUT_MS });
    } catch (err) {
      fail(EXIT_ERROR, callErrorMessage(err));
    }
    ctx.out(`Compacted with revision ${rev}\n`);
  }
  if (ctx.flags.bool('auto-defrag')) {
    for (const ep of ctx.endpoints) {
      ctx.out(`Defragmenting ${JSON.stringify(ep)}\n`);
      try {
        await ctx.client([ep]).maintenance.defragment({ timeoutMs: CLEANUP_TIMEOUT_MS });
      } catch (err) {
        fail(EXIT_ERROR, callErrorMessage(err));
      }
      ctx.out(`Defragmented ${JSON.stringify(ep)}\n`);
    }
  }
}

function makeClients(ctx: CtlContext, n: number): Client[] {
  const out: Client[] = [ctx.client()];
  for (let i = 1; i < n; i++) out.push(ctx.client([...ctx.endpoints]));
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const checkPerfCommand: CtlCommand = {
  path: ['check', 'perf'],
  flags: [strFlag('load', 's'), strFlag('prefix', '/etcdctl-check-perf/'), boolFlag('auto-compact'), boolFlag('auto-defrag')],
  async run(ctx) {
    const cfg = PERF_LOADS[loadOf(ctx)];
    const envS = Number(process.env[PERF_DURATION_ENV] ?? '');
    const durationS = envS > 0 ? envS : cfg.durationS;
    const prefix = ctx.flags.str('prefix');
    const clients = makeClients(ctx, cfg.clients);
    const first = clients[0] as Client;
    await assertPrefixEmpty(first, prefix);
    // a token bucket of one: one put every 1/limit s, for durationS
    const intervalMs = 1000 / cfg.limit;
    const start = monotonicNow();
    const endAt = start + durationS * 1000;
    let issued = 0;
    const prefixBytes = Buffer.from(prefix, 'latin1');
    const next = async (): Promise<Buffer | undefined> => {
      const at = start + issued * intervalMs;
      if (at >= endAt) return undefined;
      issued++;
      const wait = at - monotonicNow();
      if (wait > 0) await sleep(wait);
      return randomKey(prefixBytes, PERF_KEY_BYTES);
    };
    const result = await runLoad(clients, next, Buffer.alloc(PERF_VALUE_BYTES));
    await cleanUp(ctx, first, prefix);
    const verdict = perfVerdict(loadStats(result), cfg.limit);
    ctx.out(verdict.lines.map((l) => `${l}\n`).join(''));
    if (!verdict.ok) throw new CtlExit(EXIT_ERROR, '');
  },
};

async function memoryBytes(ctx: CtlContext, endpoint: string): Promise<number> {
  const host = /^https?:\/\//.test(endpoint) ? endpoint : `http://${endpoint}`;
  const url = `${host}/metrics`;
  let page: string;
  try {
    page = await (await fetch(url)).text();
  } catch (err) {
    ctx.out(`fetch error: Get ${JSON.stringify(url)}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}\n`);
    return 0;
  }
  const v = residentMemoryBytes(page);
  if (typeof v === 'string') {
    ctx.out(`${v}\n`);
    return 0;
  }
  return v;
}

export const checkDatascaleCommand: CtlCommand = {
  path: ['check', 'datascale'],
  flags: [strFlag('load', 's'), strFlag('prefix', '/etcdctl-check-datascale/'), boolFlag('auto-compact'), boolFlag('auto-defrag')],
  async run(ctx) {
    const cfg = DATASCALE_LOADS[loadOf(ctx)];
    const prefix = ctx.flags.str('prefix');
    const clients = makeClients(ctx, cfg.clients);
    const first = clients[0] as Client;
    await assertPrefixEmpty(first, prefix);
    const endpoint = ctx.endpoints[0] ?? '';
    const before = await memoryBytes(ctx, endpoint);
    if (before === 0) {
      ctx.out('FAIL: Could not read process_resident_memory_bytes before the put operations.\n');
      throw new CtlExit(EXIT_ERROR, '');
    }
    ctx.out(`Start data scale check for work load [${cfg.limit} key-value pairs, ${cfg.kvSize} bytes per key-value, ${cfg.clients} concurrent clients].\n`);
    let issued = 0;
    const prefixBytes = Buffer.from(prefix, 'latin1');
    const next = (): Promise<Buffer | undefined> => Promise.resolve(issued++ < cfg.limit ? randomKey(prefixBytes, DATASCALE_KEY_BYTES) : undefined);
    const result = await runLoad(clients, next, Buffer.alloc(DATASCALE_VALUE_BYTES));
    const after = await memoryBytes(ctx, endpoint);
    if (after === 0) {
      ctx.out('FAIL: Could not read process_resident_memory_bytes after the put operations.\n');
      throw new CtlExit(EXIT_ERROR, '');
    }
    await cleanUp(ctx, first, prefix);
    if (result.errors.size > 0) {
      ctx.out('FAIL: too many errors\n');
      for (const [k, v] of result.errors) ctx.out(`FAIL: ERROR(${k}) -> ${v}\n`);
      throw new CtlExit(EXIT_ERROR, '');
    }
    ctx.out(`PASS: Approximate system memory used : ${((after - before) / (1024 * 1024)).toFixed(2)} MB.\n`);
  },
};
