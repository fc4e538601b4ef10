// The v2 normaliser masks what legitimately differs between two clusters and nothing else.

import { normalizeHeaders, normalizeJson, normalizeResponse, type IndexContext } from './v2-normalize';

const ctx = (): IndexContext => ({ base: 3, max: 20 });

describe('v2 normaliser', () => {
  it('maps indexes to deltas from the base, keeps 0 (parse errors) as 0', () => {
    const c = ctx();
    expect(normalizeJson({ action: 'set', node: { key: '/a', modifiedIndex: 7, createdIndex: 4 } }, c)).toEqual({
      action: 'set',
      node: { key: '/a', modifiedIndex: 'i+4', createdIndex: 'i+1' },
    });
    expect(normalizeJson({ errorCode: 209, index: 0 }, c)).toEqual({ errorCode: 209, index: 0 });
    // two servers whose bases differ give the same result for the same deltas
    expect(normalizeJson({ index: 12 }, { base: 8, max: 12 })).toEqual(normalizeJson({ index: 7 }, ctx()));
  });

  it('maps in-order key names and indexes inside [..] causes, not literals outside the range', () => {
    const c = ctx();
    expect(normalizeJson({ key: '/q/00000000000000000009' }, c)).toEqual({ key: '/q/<in-order i+6>' });
    expect(normalizeJson({ cause: 'the requested history has been cleared [5/4]' }, c)).toEqual({ cause: 'the requested history has been cleared [i+2/i+1]' });
    expect(normalizeJson({ cause: '[999999 != 12]' }, c)).toEqual({ cause: '[999999 != i+9]' });
    expect(normalizeJson({ cause: '/dir7' }, c)).toEqual({ cause: '/dir7' });
  });

  it('masks expirations (RFC 3339 checked), buckets TTLs, sorts unsorted children only', () => {
    const c = ctx();
    expect(normalizeJson({ expiration: '2026-11-21T18:34:43.859584804Z', ttl: 98 }, c)).toEqual({ expiration: '<time>', ttl: 'ttl~100' });
    expect(normalizeJson({ expiration: 'yesterday' }, c)).toEqual({ expiration: '<bad time yesterday>' });
    expect(normalizeJson({ ttl: 94 }, c)).not.toEqual(normalizeJson({ ttl: 100 }, c));
    const nodes = { nodes: [{ key: '/b', modifiedIndex: 4, createdIndex: 4 }, { key: '/a', modifiedIndex: 5, createdIndex: 5 }] };
    const sorted = normalizeJson(nodes, c) as { nodes: { key: string }[] };
    expect(sorted.nodes.map((n) => n.key)).toEqual(['/a', '/b']);
    const ordered = normalizeJson(nodes, c, { ordered: true }) as { nodes: { key: string }[] };
    expect(ordered.nodes.map((n) => n.key)).toEqual(['/b', '/a']);
  });

  it('compares raft headers and the cluster id by shape and keeps the rest as is', () => {
    const c = ctx();
    const h = normalizeHeaders(
      { 'x-etcd-index': '9', 'x-raft-index': '123', 'x-raft-term': '2', 'x-etcd-cluster-id': 'babc9795b64f03e3', 'content-type': 'application/json', date: 'x' },
      c,
    );
    expect(h).toEqual({ 'content-type': 'application/json', 'x-etcd-index': 'i+6', 'x-raft-index': '<uint>', 'x-raft-term': '<uint>', 'x-etcd-cluster-id': '<hex id>' });
    expect(normalizeHeaders({ 'x-raft-term': '-1', 'x-etcd-cluster-id': 'XYZ' }, c)).toEqual({ 'x-raft-term': '<bad -1>', 'x-etcd-cluster-id': '<bad XYZ>' });
  });

  it('parses JSON bodies (noting the trailing newline), keeps text bodies, raises max', () => {
    const c = ctx();
    const r = normalizeResponse({ status: 200, headers: { 'x-etcd-index': '30' }, body: '{"action":"get"}\n' }, c);
    expect(r).toEqual({ status: 200, headers: { 'x-etcd-index': 'i+27' }, body: { action: 'get' }, newline: true });
    expect(c.max).toBe(30);
    expect(normalizeResponse({ status: 404, headers: {}, body: '404 page not found\n' }, c).body).toBe('404 page not found\n');
    const long = normalizeJson({ value: 'x'.repeat(300) }, c) as { value: string };
    expect(long.value).toMatch(/^<300 chars, sha256 [0-9a-f]{16}>$/);
    expect(normalizeJson({ value: 'y'.repeat(300) }, c)).not.toEqual(long);
  });
});
