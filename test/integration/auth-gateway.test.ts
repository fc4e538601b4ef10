// The /v3 JSON gateway reaches the same Auth handlers as gRPC: user/role management, enable,
// authenticate, then the token in the Authorization header gates /v3/kv/* like metadata does.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunningServer } from '../../packages/server/src/main';
import { startServing } from './member-helpers';


const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('/v3/auth/* through the JSON gateway', () => {
  let dir: string;
  let server: RunningServer;
  let base: string;

  const post = async (route: string, body: unknown, token?: string): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${base}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token !== undefined ? { authorization: token } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tsetcd-auth-gw-'));
    server = await startServing(dir);
    base = server.clientUrls[0]!;
  }, 30_000);

  afterAll(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('manage, enable, authenticate, and use the token over HTTP', async () => {
    expect((await post('/v3/auth/enable', {})).json.message).toBe('etcdserver: root user does not exist');
    expect((await post('/v3/auth/user/add', { name: 'root', password: 'pw' })).status).toBe(200);
    expect((await post('/v3/auth/user/grant', { user: 'root', role: 'root' })).status).toBe(200);
    expect((await post('/v3/auth/role/add', { name: 'reader' })).status).toBe(200);
    expect((await post('/v3/auth/role/grant', { name: 'reader', perm: { permType: 'READ', key: b64('pub/'), range_end: b64('pub0') } })).status).toBe(200);
    expect((await post('/v3/auth/user/add', { name: 'alice', password: 'apw' })).status).toBe(200);
    expect((await post('/v3/auth/user/grant', { user: 'alice', role: 'reader' })).status).toBe(200);
    expect((await post('/v3/auth/user/get', { name: 'alice' })).json.roles).toEqual(['reader']);
    expect((await post('/v3/auth/enable', {})).status).toBe(200);

    expect((await post('/v3/kv/put', { key: b64('pub/a'), value: b64('1') })).json.message).toBe('etcdserver: user name is empty');
    const root = (await post('/v3/auth/authenticate', { name: 'root', password: 'pw' })).json.token as string;
    const alice = (await post('/v3/auth/authenticate', { name: 'alice', password: 'apw' })).json.token as string;
    expect(root).toMatch(/^[a-zA-Z]{16}\.[0-9]+$/);
    expect((await post('/v3/kv/put', { key: b64('pub/a'), value: b64('1') }, root)).status).toBe(200);
    expect(((await post('/v3/kv/range', { key: b64('pub/a') }, alice)).json.kvs as unknown[]).length).toBe(1);
    expect((await post('/v3/kv/put', { key: b64('pub/a'), value: b64('2') }, alice)).json.message).toBe('etcdserver: permission denied');
    expect((await post('/v3/auth/user/list', {}, alice)).json.message).toBe('etcdserver: permission denied');
    expect((await post('/v3/auth/user/list', {}, root)).json.users).toEqual(['alice', 'root']);
    expect((await post('/v3/auth/authenticate', { name: 'alice', password: 'nope' })).json.message).toBe(
      'etcdserver: authentication failed, invalid user ID or password',
    );
  });
});
