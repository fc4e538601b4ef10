import { Request } from '@tsetcd/api';
import { V2Store, type V2Event } from '../../v2store';
import { applyV2Request } from '../../etcdserver/v2-apply';
import { V2SecurityStore } from '../../v2auth';
import type { HttpRequest, HttpResponse } from '../http/types';
import { authHandler } from './auth-handler';

const CLUSTER = 'c0ffee';

function setup() {
  const store = new V2Store({ namespaces: ['/0', '/1'] });
  const doer = {
    doV2: async (r: Request): Promise<V2Event> => {
      if (r.Method === 'GET') return store.get(r.Path, r.Recursive, r.Sorted);
      return applyV2Request(store, r) as V2Event;
    },
  };
  const handler = authHandler({ security: new V2SecurityStore(doer, { bcryptCost: 4 }), clusterIdHex: () => CLUSTER });
  const send = async (method: string, path: string, body?: string, user?: string): Promise<HttpResponse & { text: string }> => {
    const req: HttpRequest = {
      method,
      path,
      query: new URLSearchParams(),
      headers: user !== undefined ? { authorization: `Basic ${Buffer.from(user).toString('base64')}` } : {},
      readBody: async () => Buffer.from(body ?? ''),
    };
    const res = await handler(req);
    return { ...res, text: typeof res.body === 'string' ? res.body : Buffer.from(res.body ?? '').toString('utf8') };
  };
  return { store, send };
}

describe('/v2/auth handler', () => {
  it('answers like etcd while auth is off: lists, 404s, creates (201) and updates (200) users, creates roles', async () => {
    const { send, store } = setup();
    const enabled = await send('GET', '/v2/auth/enable');
    expect([enabled.status, enabled.text, enabled.headers?.['X-Etcd-Cluster-Id']]).toEqual([200, '{"enabled":false}\n', CLUSTER]);
    expect((await send('GET', '/v2/auth/users')).text).toBe('{"users":null}\n');
    expect((await send('GET', '/v2/auth/roles/')).text).toBe('{"roles":[{"role":"root","permissions":{"kv":{"read":["/*"],"write":["/*"]}}}]}\n');
    const missing = await send('GET', '/v2/auth/users/root');
    expect([missing.status, missing.text]).toEqual([404, '{"message":"auth: User root does not exist."}']);
    const created = await send('PUT', '/v2/auth/users/bob', '{"user":"bob","password":"b"}');
    expect([created.status, created.text]).toEqual([201, '{"user":"bob","roles":null}\n']);
    const updated = await send('PUT', '/v2/auth/users/bob', '{"user":"bob"}');
    expect([updated.status, updated.text]).toEqual([200, '{"user":"bob","roles":[]}\n']);
    const role = await send('PUT', '/v2/auth/roles/r1', '{"role":"r1","permissions":{"kv":{"read":["/a/*"]}}}');
    expect([role.status, role.text]).toEqual([201, '{"role":"r1","permissions":{"kv":{"read":["/a/*"],"write":null}}}\n']);
    expect(JSON.parse(store.get('/2/roles/r1', false, false).node.value ?? '')).toEqual({ role: 'r1', permissions: { kv: { read: ['/a/*'], write: null } } });
  });

  it('rejects bad methods, paths and bodies with etcd statuses', async () => {
    const { send } = setup();
    const post = await send('POST', '/v2/auth/users');
    expect([post.status, post.headers?.allow, post.text]).toEqual([405, 'GET', 'Method Not Allowed\n']);
    expect((await send('POST', '/v2/auth/enable')).headers?.allow).toBe('GET,PUT,DELETE');
    const deep = await send('GET', '/v2/auth/users/a/b');
    expect([deep.status, deep.text, deep.headers?.['X-Etcd-Cluster-Id']]).toEqual([400, '{"message":"Invalid path"}', undefined]);
    expect((await send('PUT', '/v2/auth/users/bob', 'xx')).text).toBe('{"message":"Invalid JSON in request body."}');
    expect((await send('PUT', '/v2/auth/users/bob', '{"user":"bobby","password":"x"}')).text).toBe('{"message":"User JSON name does not match the name in the URL"}');
    expect((await send('PUT', '/v2/auth/roles/r', '{"role":"r","grant":{"kv":{"read":["/c"]}},"permissions":{"kv":{"read":["/d"]}}}')).text).toBe(
      '{"message":"Role JSON contains both permissions and grant/revoke"}',
    );
  });

  it('once enabled: root only, 401 without the cluster id; GET /v2/auth/enable stays open', async () => {
    const { send } = setup();
    expect((await send('PUT', '/v2/auth/enable')).status).toBe(409);
    await send('PUT', '/v2/auth/users/root', '{"user":"root","password":"pw"}');
    await send('PUT', '/v2/auth/users/bob', '{"user":"bob","password":"b"}');
    const on = await send('PUT', '/v2/auth/enable');
    expect([on.status, on.text]).toEqual([200, '']);
    const denied = await send('GET', '/v2/auth/users');
    expect([denied.status, denied.text, denied.headers?.['X-Etcd-Cluster-Id']]).toEqual([401, '{"message":"Insufficient credentials"}', undefined]);
    expect((await send('GET', '/v2/auth/users', undefined, 'bob:b')).status).toBe(401);
    expect((await send('GET', '/v2/auth/users', undefined, 'root:bad')).status).toBe(401);
    expect((await send('GET', '/v2/auth/roles/guest', undefined, 'root:pw')).text).toBe('{"role":"guest","permissions":{"kv":{"read":["/*"],"write":["/*"]}}}\n');
    expect((await send('GET', '/v2/auth/enable')).text).toBe('{"enabled":true}\n');
    expect((await send('DELETE', '/v2/auth/enable', undefined, 'bob:b')).status).toBe(401);
    const rootDelete = await send('DELETE', '/v2/auth/users/root', undefined, 'root:pw');
    expect([rootDelete.status, rootDelete.text]).toEqual([403, '{"message":"auth: Cannot delete root user while auth is enabled."}']);
    const off = await send('DELETE', '/v2/auth/enable', undefined, 'root:pw');
    expect([off.status, off.text]).toEqual([200, '']);
    expect((await send('GET', '/v2/auth/users')).status).toBe(200);
  });
});
