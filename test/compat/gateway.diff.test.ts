// The HTTP side of the client port: etcd's /v3 JSON gateway, /version and /health, sent to real
// etcd (expected) and tsetcd (received); status, content type and body compared after masking
// ids, ports, names, sizes and hashes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEtcd, type ServerHandle } from '../support/server-process';
import { startAll, startTarget, targetKind } from './diff/harness';
import { normalizeText } from './etcdctl-output';

interface HttpStep {
  name: string;
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
}

interface HttpOutcome {
  status: number;
  contentType: string;
  body: string;
}

const b64 = (s: string): string => Buffer.from(s, 'latin1').toString('base64');
const HTTP_TIMEOUT_MS = 5_000;

const steps: HttpStep[] = [
  { name: 'GET /version', method: 'GET', path: '/version' },
  { name: 'GET /health', method: 'GET', path: '/health' },
  { name: 'put', method: 'POST', path: '/v3/kv/put', body: { key: b64('g/a'), value: b64('1') } },
  { name: 'put with prev_kv', method: 'POST', path: '/v3/kv/put', body: { key: b64('g/a'), value: b64('2'), prev_kv: true } },
  { name: 'put g/b (camelCase field names accepted)', method: 'POST', path: '/v3/kv/put', body: { key: b64('g/b'), value: b64('x'), prevKv: true } },
  { name: 'range one key', method: 'POST', path: '/v3/kv/range', body: { key: b64('g/a') } },
  { name: 'range prefix, sorted DESCEND by name, limit as a string', method: 'POST', path: '/v3/kv/range', body: { key: b64('g/'), range_end: b64('g0'), sort_order: 'DESCEND', limit: '1' } },
  { name: 'range count_only (numeric enum)', method: 'POST', path: '/v3/kv/range', body: { key: b64('g/'), range_end: b64('g0'), count_only: true, sort_target: 2 } },
  { name: 'range a missing key (defaults omitted)', method: 'POST', path: '/v3/kv/range', body: { key: b64('nope') } },
  { name: '/v3beta/ is an alias', method: 'POST', path: '/v3beta/kv/range', body: { key: b64('g/a'), keys_only: true } },
  { name: 'txn with compare and oneof ops', method: 'POST', path: '/v3/kv/txn', body: { compare: [{ key: b64('g/a'), target: 'VALUE', result: 'EQUAL', value: b64('2') }], success: [{ request_put: { key: b64('g/c'), value: b64('3') } }, { request_range: { key: b64('g/a') } }], failure: [] } },
  { name: 'deleterange with prev_kv', method: 'POST', path: '/v3/kv/deleterange', body: { key: b64('g/b'), prev_kv: true } },
  { name: 'compaction', method: 'POST', path: '/v3/kv/compaction', body: { revision: 3 } },
  { name: 'error: empty key (400, code 3)', method: 'POST', path: '/v3/kv/range', body: {} },
  { name: 'error: future revision (400, code 11)', method: 'POST', path: '/v3/kv/range', body: { key: b64('g/a'), revision: '1000' } },
  { name: 'error: compacted revision (400, code 11)', method: 'POST', path: '/v3/kv/range', body: { key: b64('g/a'), revision: '2' } },
  { name: 'error: unknown lease (404, code 5)', method: 'POST', path: '/v3/kv/put', body: { key: b64('g/l'), value: b64('v'), lease: '4242' } },
  { name: 'error: body is not JSON', method: 'POST', path: '/v3/kv/range', body: 'garbage' },
  { name: 'error: unpadded base64', method: 'POST', path: '/v3/kv/range', body: { key: 'Zm9vYg' } },
  { name: 'error: string for a bool', method: 'POST', path: '/v3/kv/range', body: { key: b64('g/a'), keys_only: 'true' } },
  { name: 'GET on a POST route (405)', method: 'GET', path: '/v3/kv/range' },
  { name: 'unknown /v3 path (404)', method: 'POST', path: '/v3/kv/nothing', body: {} },
  { name: '/v3alpha is not served (404)', method: 'POST', path: '/v3alpha/kv/range', body: { key: b64('g/a') } },
  { name: 'maintenance status', method: 'POST', path: '/v3/maintenance/status', body: {} },
  { name: 'maintenance hash (Hash, never HashKV)', method: 'POST', path: '/v3/maintenance/hash', body: {} },
  { name: 'maintenance alarm list', method: 'POST', path: '/v3/maintenance/alarm', body: { action: 'GET' } },
  { name: 'maintenance defragment', method: 'POST', path: '/v3/maintenance/defragment', body: {} },
  { name: 'cluster member list', method: 'POST', path: '/v3/cluster/member/list', body: {} },
];

async function send(server: ServerHandle, s: HttpStep): Promise<HttpOutcome> {
  const init: RequestInit = { method: s.method, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) };
  if (s.body !== undefined) init.body = typeof s.body === 'string' ? s.body : JSON.stringify(s.body);
  try {
    const response = await fetch(`${server.url}${s.path}`, init);
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: await response.text() };
  } catch (err) {
    return { status: -1, contentType: '', body: `request failed: ${(err as Error).message}` };
  }
}

const kind = targetKind();
const names = ['etcd', kind === 'etcd' ? 'etcd#2' : 'tsetcd'] as const;

describe(`gateway: ${names[0]} (expected) vs ${names[1]} (received)`, () => {
  let servers: ServerHandle[] = [];
  const results: HttpOutcome[][] = [[], []];

  beforeAll(async () => {
    servers = await startAll([() => startEtcd(), () => startTarget(kind)]);
    await Promise.all(
      servers.map(async (server, side) => {
        for (const s of steps) (results[side] as HttpOutcome[]).push(await send(server, s));
      }),
    );
    const dumpDir = process.env.COMPAT_DUMP_DIR;
    if (dumpDir !== undefined) {
      mkdirSync(dumpDir, { recursive: true });
      const entries = steps.map((s, i) => ({ step: s.name, [names[0]]: results[0]?.[i], [names[1]]: results[1]?.[i] }));
      writeFileSync(join(dumpDir, 'gateway.json'), JSON.stringify(entries, null, 1));
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  }, 30_000);

  test.each(steps.map((s, i) => [`#${String(i + 1).padStart(2, '0')} ${s.method} ${s.path}: ${s.name}`, i] as const))('%s', (_label, i) => {
    const s = steps[i] as HttpStep;
    const [reference, target] = servers;
    const expected = results[0]?.[i];
    const received = results[1]?.[i];
    if (reference === undefined || target === undefined || expected === undefined || received === undefined) {
      throw new Error('no HTTP result recorded (did both servers start?)');
    }
    const norm = (server: ServerHandle, r: HttpOutcome): HttpOutcome => ({ ...r, body: normalizeText(r.body, server) });
    try {
      expect(norm(target, received)).toEqual(norm(reference, expected));
    } catch (err) {
      throw new Error(`${s.method} ${s.path} ${JSON.stringify(s.body ?? '')} differs (Expected = ${names[0]}, Received = ${names[1]})\n${(err as Error).message}`);
    }
  });
});
