import type { Request } from '@tsetcd/api';
import { applyV2Request } from '../../etcdserver/v2-apply';
import { V2Store, type V2Event } from '../../v2store';
import type { HttpRequest } from '../http/types';
import { keysHandler, type V2KeysBackend } from './keys-handler';

// A local backend (no raft) for exercising the HTTP mapping only.
function localBackend(): V2KeysBackend {
  const store = new V2Store({ namespaces: ['/0', '/1'] });
  return {
    doV2: (r: Request) =>
      Promise.resolve((r.Method === 'GET' ? store.get(r.Path, r.Recursive, r.Sorted) : applyV2Request(store, r)) as V2Event),
    watch: (r: Request) => store.watch(r.Path, r.Recursive, r.Stream, Number(r.Since)),
    v2AuthEnabled: () => store.v2AuthEnabled(),
    clusterIdHex: () => 'cdf818194e3a8c32',
    raftIndex: () => 42,
    raftTerm: () => 2,
    now: () => Date.UTC(2026, 0, 1),
  };
}

function httpReq(method: string, url: string, form?: string): HttpRequest {
  const u = new URL(url, 'http://x');
  return {
    method,
    path: u.pathname,
    query: u.searchParams,
    headers: form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' },
    readBody: () => Promise.resolve(Buffer.from(form ?? '')),
  };
}

describe('keysHandler', () => {
  it('PUT / GET / DELETE bodies, statuses and headers like etcd (keys without the /1 prefix)', async () => {
    const h = keysHandler(localBackend());
    const put = await h(httpReq('PUT', '/v2/keys/foo', 'value=bar'));
    expect(put.status).toBe(201);
    expect(put.body).toBe('{"action":"set","node":{"key":"/foo","value":"bar","modifiedIndex":1,"createdIndex":1}}\n');
    expect(put.headers).toMatchObject({ 'X-Etcd-Index': '1', 'X-Raft-Index': '42', 'X-Raft-Term': '2', 'X-Etcd-Cluster-Id': 'cdf818194e3a8c32' });
    expect((await h(httpReq('PUT', '/v2/keys/foo', 'value=baz'))).status).toBe(200);
    const root = await h(httpReq('GET', '/v2/keys'));
    expect(root.body).toBe('{"action":"get","node":{"dir":true,"nodes":[{"key":"/foo","value":"baz","modifiedIndex":2,"createdIndex":2}]}}\n');
    const del = await h(httpReq('DELETE', '/v2/keys/foo'));
    expect(JSON.parse(String(del.body))).toMatchObject({ action: 'delete', node: { key: '/foo', modifiedIndex: 3 } });
  });

  it('errors carry the JSON body, status and trimmed cause; 405 for other methods', async () => {
    const h = keysHandler(localBackend());
    const miss = await h(httpReq('GET', '/v2/keys/missing'));
    expect(miss.status).toBe(404);
    expect(miss.body).toBe('{"errorCode":100,"message":"Key not found","cause":"/missing","index":0}\n');
    expect(miss.headers).toMatchObject({ 'X-Etcd-Index': '0' });
    const ro = await h(httpReq('PUT', '/v2/keys/', 'value=x'));
    expect(JSON.parse(String(ro.body))).toMatchObject({ errorCode: 107, cause: '/' });
    const bad = await h(httpReq('POST', '/v2/keys/q?wait=true'));
    expect(bad.body).toBe('{"errorCode":209,"message":"Invalid field","cause":"\\"wait\\" can only be used with GET requests","index":0}\n');
    const patch = await h(httpReq('PATCH', '/v2/keys/q'));
    expect([patch.status, patch.headers?.allow, patch.body]).toEqual([405, 'HEAD,GET,PUT,POST,DELETE', 'Method Not Allowed\n']);
  });

  it('POST makes in-order keys; CAS failure is 412', async () => {
    const h = keysHandler(localBackend());
    const post = await h(httpReq('POST', '/v2/keys/queue', 'value=job'));
    expect(post.status).toBe(201);
    expect(JSON.parse(String(post.body)).node.key).toBe('/queue/00000000000000000001');
    await h(httpReq('PUT', '/v2/keys/k', 'value=one'));
    const cas = await h(httpReq('PUT', '/v2/keys/k?prevValue=two', 'value=x'));
    expect(cas.status).toBe(412);
    expect(JSON.parse(String(cas.body))).toMatchObject({ errorCode: 101, cause: '[two != one]', index: 2 });
  });

  it('?wait=true: headers at once, then one event (long-poll) with keys trimmed; history is not mutated', async () => {
    const h = keysHandler(localBackend());
    await h(httpReq('PUT', '/v2/keys/dir/a', 'value=1'));
    const poll = await h(httpReq('GET', '/v2/keys/dir?wait=true&recursive=true'));
    expect(poll.status).toBe(200);
    expect(poll.headers).toMatchObject({ 'X-Etcd-Index': '1', 'Content-Type': 'application/json' });
    const pending = poll.chunks!.next();
    await h(httpReq('PUT', '/v2/keys/dir/b', 'value=2'));
    expect(await pending).toBe('{"action":"set","node":{"key":"/dir/b","value":"2","modifiedIndex":2,"createdIndex":2}}\n');
    expect(await poll.chunks!.next()).toBeUndefined();
    // The same event from history, trimmed again (the first rendering did not change the stored one).
    const again = await h(httpReq('GET', '/v2/keys/dir/b?wait=true&waitIndex=2'));
    expect(await again.chunks!.next()).toBe('{"action":"set","node":{"key":"/dir/b","value":"2","modifiedIndex":2,"createdIndex":2}}\n');
  });

  it('stream=true yields every event until closed; close() removes the watcher', async () => {
    const h = keysHandler(localBackend());
    const stream = await h(httpReq('GET', '/v2/keys/s?wait=true&stream=true'));
    await h(httpReq('PUT', '/v2/keys/s', 'value=1'));
    await h(httpReq('PUT', '/v2/keys/s', 'value=2'));
    expect(JSON.parse((await stream.chunks!.next())!).node.value).toBe('1');
    expect(JSON.parse((await stream.chunks!.next())!).node.value).toBe('2');
    const waiting = stream.chunks!.next();
    stream.chunks!.close();
    expect(await waiting).toBeUndefined();
  });

  it('a waitIndex older than the 1000-event history answers 401', async () => {
    const h = keysHandler(localBackend());
    for (let i = 0; i < 1002; i++) await h(httpReq('PUT', '/v2/keys/k', `value=${i}`));
    const old = await h(httpReq('GET', '/v2/keys/k?wait=true&waitIndex=1'));
    expect(old.status).toBe(400); // errorCode 401 (EventIndexCleared) is HTTP 400 in etcd
    expect(JSON.parse(String(old.body))).toMatchObject({ errorCode: 401, cause: 'the requested history has been cleared [3/1]', index: 1002 });
  });
});
