// v2 auth (/v2/auth and its enforcement on /v2/keys and /v2/members): the same curl-like
// requests sent to Debian's etcd 3.4 (--enable-v2, expected) and to tsetcd (received), then
// Debian's etcdctl (ETCDCTL_API=2) user / role / auth commands against both. Compared: status,
// Content-Type, Allow, whether X-Etcd-Cluster-Id is present, X-Etcd-Index, and the body byte for
// byte (trailing newline included) after store indexes are masked. Password hashes never appear
// in answers (etcd omits them), so none need masking.
// COMPAT_TARGET=etcd compares two etcds (must show zero differences).

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, startEtcd, type ServerHandle } from '../support/server-process';
import { startAll, startTarget, targetKind } from './diff/harness';
import { v2Http, type V2HttpResponse } from './v2/v2-http';

const V2_ARGS = ['--enable-v2'];
const HTTP_TIMEOUT_MS = 10_000;
const ETCDCTL_BIN = process.env.ETCDCTL_BIN ?? '/usr/bin/etcdctl';
const TSETCDCTL_BIN = process.env.TSETCDCTL_BIN ?? join(REPO_ROOT, 'packages', 'client', 'dist', 'tsetcdctl.cjs');
/** [file, leading args] of each command line tool. */
type Tool = readonly [string, readonly string[]];
const ETCDCTL: Tool = [ETCDCTL_BIN, []];
const TSETCDCTL: Tool = [process.execPath, [TSETCDCTL_BIN]];
const kind = targetKind();
const targetName = kind === 'etcd' ? 'etcd#2' : 'tsetcd';

/** curl against the server: a form (or other) body, and credentials as user:password or a whole Authorization value. */
function http(port: number, method: string, path: string, body?: string, auth?: string, contentType?: string): Promise<V2HttpResponse> {
  const headers: Record<string, string> = auth === undefined ? {} : { Authorization: auth.includes(':') ? `Basic ${Buffer.from(auth).toString('base64')}` : auth };
  const raw = body === undefined ? {} : { raw: { body, contentType: contentType ?? 'application/x-www-form-urlencoded' } };
  return v2Http(`http://127.0.0.1:${port}`, { method, path, headers, ...raw }, HTTP_TIMEOUT_MS);
}

/** One request: [method, path, body?, credentials ("user:password" or a raw Authorization)?]. */
type Step = readonly [string, string, string?, string?];

const ROOT = 'root:pw';
const BOB = 'bob:b';

const STEPS: readonly Step[] = [
  // auth off: reads, errors, users and roles
  ['GET', '/v2/auth/enable'],
  ['GET', '/v2/auth/users'],
  ['GET', '/v2/auth/roles'],
  ['GET', '/v2/auth/users/root'],
  ['GET', '/v2/auth/roles/root'],
  ['GET', '/v2/auth/roles/guest'],
  ['PUT', '/v2/auth/enable'],
  ['POST', '/v2/auth/users'],
  ['POST', '/v2/auth/users/bob'],
  ['POST', '/v2/auth/enable'],
  ['GET', '/v2/auth/users/bob/x'],
  ['GET', '/v2/auth/roles/r1/x'],
  ['GET', '/v2/auth'],
  ['GET', '/v2/auth/'],
  ['PUT', '/v2/auth/users/root', '{"user":"root","password":"pw"}'],
  ['PUT', '/v2/auth/users/bob', '{"user":"bob","password":"b"}'],
  ['PUT', '/v2/auth/users/bob', '{"user":"bob"}'],
  ['PUT', '/v2/auth/users/carl', '{"user":"carl","roles":["x"]}'],
  ['PUT', '/v2/auth/users/carl', '{"user":"carl","password":"c","roles":["x"]}'],
  ['PUT', '/v2/auth/users/carl', '{"user":"carl","grant":["x"]}'],
  ['PUT', '/v2/auth/users/carl', '{"user":"carl","revoke":["y"]}'],
  ['PUT', '/v2/auth/users/bob', '{"user":"bobby","password":"b"}'],
  ['PUT', '/v2/auth/users/bob', 'xx'],
  ['PUT', '/v2/auth/users/bob', '{"user":"bob","grant":["r1"],"roles":["a"]}'],
  ['PUT', '/v2/auth/users/nobody', '{"user":"nobody","grant":["r1"]}'],
  ['PUT', '/v2/auth/roles/r1', '{"role":"r1"}'],
  ['PUT', '/v2/auth/roles/r1', '{"role":"r1"}'],
  ['PUT', '/v2/auth/roles/r2', '{"role":"r2","permissions":{"kv":{"read":["/foo/*"],"write":["/foo/bar"]}}}'],
  ['PUT', '/v2/auth/roles/r1', '{"role":"r1","grant":{"kv":{"read":["/a/*","/b"],"write":["/a/*"]}}}'],
  ['PUT', '/v2/auth/roles/r1', '{"role":"r1","grant":{"kv":{"read":["/a/*"]}}}'],
  ['PUT', '/v2/auth/roles/r1', '{"role":"r1","revoke":{"kv":{"read":["/zz"]}}}'],
  ['PUT', '/v2/auth/roles/r1', '{"role":"r1","revoke":{"kv":{"read":["/b"]}}}'],
  ['PUT', '/v2/auth/roles/r1', '{"role":"r1","grant":{"kv":{"read":["/c"]}},"permissions":{"kv":{"read":["/d"]}}}'],
  ['PUT', '/v2/auth/roles/r3', '{"role":"r3","grant":{}}'],
  ['PUT', '/v2/auth/roles/root', '{"role":"root"}'],
  ['PUT', '/v2/auth/roles/nope', '{"role":"nope","grant":{"kv":{"read":["/c"]}}}'],
  ['DELETE', '/v2/auth/roles/root'],
  ['DELETE', '/v2/auth/roles/nope'],
  ['DELETE', '/v2/auth/roles/r3'],
  ['PUT', '/v2/auth/users/bob', '{"user":"bob","grant":["r1","r2"]}'],
  ['PUT', '/v2/auth/users/bob', '{"user":"bob","grant":["r1"]}'],
  ['GET', '/v2/auth/users/bob'],
  ['GET', '/v2/auth/users/carl'],
  ['GET', '/v2/auth/roles'],
  ['GET', '/v2/auth/roles/'],
  ['GET', '/v2/auth/users'],
  ['GET', '/v2/auth/users/'],
  ['DELETE', '/v2/auth/users/nobody'],
  ['DELETE', '/v2/auth/enable'],
  ['GET', '/v2/keys/2/users/bob'],
  // auth on
  ['PUT', '/v2/auth/enable'],
  ['GET', '/v2/auth/roles/guest'],
  ['GET', '/v2/auth/roles/guest', undefined, ROOT],
  ['GET', '/v2/auth/enable'],
  ['PUT', '/v2/auth/enable'],
  ['PUT', '/v2/auth/enable', undefined, ROOT],
  ['GET', '/v2/auth/users'],
  ['GET', '/v2/auth/users', undefined, 'root:bad'],
  ['GET', '/v2/auth/users/bob', undefined, ROOT],
  ['GET', '/v2/auth/users/bob', undefined, BOB],
  ['DELETE', '/v2/auth/enable', undefined, BOB],
  ['DELETE', '/v2/auth/users/root', undefined, ROOT],
  ['PUT', '/v2/keys/x', 'value=1'],
  ['PUT', '/v2/keys/x', 'value=1', BOB],
  ['PUT', '/v2/keys/a/x', 'value=1', BOB],
  ['PUT', '/v2/keys/foo/bar', 'value=1', BOB],
  ['PUT', '/v2/keys/foo/baz', 'value=1', BOB],
  ['GET', '/v2/keys/foo/bar', undefined, BOB],
  ['GET', '/v2/keys/foo?recursive=true', undefined, BOB],
  ['GET', '/v2/keys/foo/?recursive=true', undefined, BOB],
  ['GET', '/v2/keys/a/?recursive=true', undefined, BOB],
  ['GET', '/v2/keys/foo/bar', undefined, 'bob:wrong'],
  ['GET', '/v2/keys/foo/bar', undefined, 'ghost:x'],
  ['GET', '/v2/keys/foo/bar', undefined, 'Bearer xx'],
  ['DELETE', '/v2/keys/a/x', undefined, BOB],
  ['DELETE', '/v2/members/1234'],
  ['DELETE', '/v2/members/1234', undefined, ROOT],
  // a guest role that can only read /pub/*
  ['PUT', '/v2/auth/roles/guest', '{"role":"guest","revoke":{"kv":{"read":["/*"],"write":["/*"]}}}', ROOT],
  ['PUT', '/v2/auth/roles/guest', '{"role":"guest","grant":{"kv":{"read":["/pub/*"]}}}', ROOT],
  ['PUT', '/v2/keys/pub/a', 'value=1', ROOT],
  ['GET', '/v2/keys/pub/a'],
  ['PUT', '/v2/keys/pub/a', 'value=2'],
  ['GET', '/v2/keys/x'],
  ['GET', '/v2/keys/x', undefined, ROOT],
  ['PUT', '/v2/auth/users/bob', '{"user":"bob","password":"b2"}', ROOT],
  ['GET', '/v2/keys/foo/bar', undefined, BOB],
  ['GET', '/v2/keys/foo/bar', undefined, 'bob:b2'],
  ['DELETE', '/v2/auth/users/carl', undefined, ROOT],
  ['DELETE', '/v2/auth/enable', undefined, ROOT],
  ['GET', '/v2/auth/enable'],
  ['DELETE', '/v2/auth/enable'],
  ['GET', '/v2/keys/x'],
  ['DELETE', '/v2/auth/users/root'],
  ['GET', '/v2/auth/users'],
];

/** Store indexes differ with each side's bookkeeping writes: compare them as "<n>". */
function maskIndexes(text: string): string {
  return text.replace(/"(index|modifiedIndex|createdIndex)":\d+/g, '"$1":"<n>"');
}

function normalize(a: V2HttpResponse): unknown {
  const h = a.headers;
  return {
    status: a.status,
    contentType: h['content-type'],
    allow: h.allow,
    clusterId: h['x-etcd-cluster-id'] !== undefined,
    etcdIndex: h['x-etcd-index'] === undefined ? undefined : h['x-etcd-index'] === '0' ? '0' : '<n>',
    body: maskIndexes(a.body),
  };
}

async function runSteps(server: ServerHandle): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const [method, path, body, auth] of STEPS) {
    out.push({ step: `${method} ${path}${body !== undefined ? ` ${body}` : ''}${auth !== undefined ? ` as ${auth}` : ''}`, ...(normalize(await http(server.clientPort, method, path, body, auth)) as object) });
  }
  return out;
}

function ctl(tool: Tool, server: ServerHandle, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ETCDCTL_API: '2' };
    const child = spawn(tool[0], [...tool[1], '--endpoints', server.url, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

const CTL_STEPS: readonly string[][] = [
  ['auth', 'enable'],
  ['user', 'add', 'root:pw'],
  ['user', 'add', 'alice:a'],
  ['user', 'add', 'alice:a'],
  ['user', 'list'],
  ['role', 'add', 'app'],
  ['role', 'add', 'app'],
  ['role', 'grant', 'app', '--path', '/app/*', '--readwrite'],
  ['role', 'grant', 'app', '--path', '/ro', '--read'],
  ['role', 'get', 'app'],
  ['role', 'list'],
  ['user', 'grant', 'alice', '--roles', 'app'],
  ['user', 'get', 'alice'],
  ['set', '/app/k', 'v'],
  ['auth', 'enable'],
  ['set', '/app/k', 'v2'],
  ['--username', 'alice:a', 'set', '/app/k', 'v3'],
  ['--username', 'alice:a', 'get', '/app/k'],
  ['--username', 'alice:bad', 'get', '/app/k'],
  ['--username', 'alice:a', 'set', '/other', 'x'],
  ['user', 'list'],
  ['--username', 'root:pw', 'user', 'list'],
  ['--username', 'root:pw', 'role', 'revoke', 'app', '--path', '/ro', '--read'],
  ['--username', 'root:pw', 'user', 'revoke', 'alice', '--roles', 'app'],
  ['--username', 'root:pw', 'user', 'remove', 'alice'],
  ['--username', 'root:pw', 'role', 'remove', 'app'],
  ['--username', 'root:pw', 'auth', 'disable'],
  ['auth', 'disable'],
];

async function runCtl(tool: Tool, server: ServerHandle): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const args of CTL_STEPS) {
    const r = await ctl(tool, server, ['--no-sync', ...args]);
    out.push({ cmd: args.join(' '), code: r.code, stdout: maskIndexes(r.stdout), stderr: r.stderr.replace(/\[\d+\]/g, '[<n>]') });
  }
  return out;
}

describe(`v2 auth: etcd (expected) vs ${targetName}`, () => {
  let servers: ServerHandle[] = [];

  afterEach(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    servers = [];
  });

  it('curl sequence over /v2/auth, /v2/keys and /v2/members gives the same answers', async () => {
    servers = await startAll([() => startEtcd({ extraArgs: V2_ARGS }), () => startTarget(kind, { extraArgs: V2_ARGS })]);
    const [expected, received] = await Promise.all(servers.map(runSteps));
    if (process.env.COMPAT_DUMP === '1') process.stdout.write(`${JSON.stringify(expected, null, 1)}\n`);
    expect(received).toEqual(expected);
  }, 60_000);

  it('ETCDCTL_API=2 etcdctl user / role / auth and --username give the same output', async () => {
    servers = await startAll([() => startEtcd({ extraArgs: V2_ARGS }), () => startTarget(kind, { extraArgs: V2_ARGS })]);
    const [expected, received] = await Promise.all(servers.map((s) => runCtl(ETCDCTL, s)));
    if (process.env.COMPAT_DUMP === '1') process.stdout.write(`${JSON.stringify(expected, null, 1)}\n`);
    // The sequence really ran: users were made, auth went on, alice was refused outside /app.
    expect(JSON.stringify(expected)).toContain('User alice created');
    expect(JSON.stringify(expected)).toContain('Authentication Enabled');
    expect(JSON.stringify(expected)).toContain('Insufficient credentials');
    expect(received).toEqual(expected);
  }, 60_000);

  it('tsetcdctl user / role / auth (ETCDCTL_API=2) print what etcdctl prints, against etcd and against the target', async () => {
    const starters = [() => startEtcd({ extraArgs: V2_ARGS }), () => startEtcd({ extraArgs: V2_ARGS }), () => startTarget(kind, { extraArgs: V2_ARGS })];
    servers = await startAll(starters);
    const [etcdA, etcdB, target] = servers as [ServerHandle, ServerHandle, ServerHandle];
    const [expected, onEtcd, onTarget] = await Promise.all([runCtl(ETCDCTL, etcdA), runCtl(TSETCDCTL, etcdB), runCtl(TSETCDCTL, target)]);
    expect(onEtcd).toEqual(expected);
    expect(onTarget).toEqual(expected);
  }, 60_000);
});
