import type { HttpRequest, HttpResponse } from '../http/types';
import { statsHandler, type V2StatsBackend } from './stats-handler';

function request(method: string, path: string): HttpRequest {
  return { method, path, query: new URLSearchParams(), headers: {}, readBody: () => Promise.resolve(Buffer.alloc(0)) };
}

function backend(leader: string | undefined): V2StatsBackend & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    selfStatsJson: () => {
      calls.push('self');
      return '{"name":"n1"}';
    },
    leaderStatsJson: () => {
      calls.push('leader');
      return leader;
    },
    storeStatsJson: () => {
      calls.push('store');
      return '{"getsSuccess":3}';
    },
  };
}

async function call(b: V2StatsBackend, req: HttpRequest): Promise<HttpResponse> {
  return statsHandler(b)(req);
}

test('self, store and leader bodies are served as given, JSON without a newline or cluster id', async () => {
  const b = backend('{"leader":"1","followers":{}}');
  const self = await call(b, request('GET', '/v2/stats/self'));
  const store = await call(b, request('GET', '/v2/stats/store'));
  const leader = await call(b, request('GET', '/v2/stats/leader'));
  expect([self.status, self.body]).toEqual([200, '{"name":"n1"}']);
  expect([store.status, store.body]).toEqual([200, '{"getsSuccess":3}']);
  expect([leader.status, leader.body]).toEqual([200, '{"leader":"1","followers":{}}']);
  for (const res of [self, store, leader]) expect(res.headers).toEqual({ 'Content-Type': 'application/json' });
  expect(b.calls).toEqual(['self', 'store', 'leader']);
});

test('leader stats on a member that does not lead: 403 "not current leader"', async () => {
  const res = await call(backend(undefined), request('GET', '/v2/stats/leader'));
  expect([res.status, res.body]).toEqual([403, '{"message":"not current leader"}']);
  expect(res.headers?.['Content-Type']).toBe('application/json');
});

test('only GET: 405 with Allow: GET, and the backend is not asked', async () => {
  const b = backend('{}');
  for (const method of ['POST', 'HEAD', 'DELETE', 'PUT']) {
    const res = await call(b, request(method, '/v2/stats/self'));
    expect(res.status).toBe(405);
    expect(res.headers?.allow).toBe('GET');
    expect(res.body).toBe('Method Not Allowed\n');
  }
  expect(b.calls).toEqual([]);
});

test('anything else under /v2/stats is Go mux 404 text', async () => {
  for (const path of ['/v2/stats', '/v2/stats/', '/v2/stats/self/', '/v2/stats/foo', '/v2/statsx']) {
    const res = await call(backend('{}'), request('GET', path));
    expect([res.status, res.body]).toEqual([404, '404 page not found\n']);
  }
});
