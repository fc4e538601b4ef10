import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { V2Client } from './client';
import { V2ClusterError, V2ConnectionError, V2Error, V2HeaderTimeoutError, V2ServerError, isConnectionError } from './errors';

interface Seen {
  method: string;
  url: string;
  body: string;
  contentType: string | undefined;
}

type Handler = (req: Seen, res: http.ServerResponse) => void;

/** A fake v2 server on 127.0.0.1 recording every request. */
async function fakeServer(handler: Handler): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', body, contentType: req.headers['content-type'] };
      seen.push(s);
      handler(s, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function json(res: http.ServerResponse, status: number, body: string, index = '7'): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'X-Etcd-Index': index, 'X-Etcd-Cluster-Id': 'abc123' });
  res.end(`${body}\n`);
}

const SET_BODY = '{"action":"set","node":{"key":"/a","value":"v","modifiedIndex":9007199254740993,"createdIndex":5},"prevNode":{"key":"/a","value":"old","modifiedIndex":4,"createdIndex":4}}';

describe('V2Client', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
  });

  async function server(handler: Handler) {
    const s = await fakeServer(handler);
    closers.push(s.close);
    return s;
  }

  test('set sends the Go client request shape and decodes indexes beyond 2^53 exactly', async () => {
    const s = await server((_req, res) => json(res, 200, SET_BODY, '18446744073709551615'));
    const client = new V2Client({ endpoints: [s.url] });
    const resp = await client.keys.set('a b', 'x&y', { ttlSeconds: 5, prevValue: 'old', prevIndex: 4n });
    client.close();
    expect(s.seen[0]).toEqual({
      method: 'PUT',
      url: '/v2/keys/a%20b?prevIndex=4&prevValue=old',
      body: 'ttl=5&value=x%26y',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(resp.node?.modifiedIndex).toBe(9007199254740993n);
    expect(resp.prevNode?.value).toBe('old');
    expect(resp.index).toBe(18446744073709551615n);
    expect(resp.clusterId).toBe('abc123');
  });

  test('get, mkdir, update, createInOrder and delete request shapes', async () => {
    const s = await server((_req, res) => json(res, 200, SET_BODY));
    const client = new V2Client({ endpoints: [s.url] });
    await client.keys.get('/d', { recursive: true });
    await client.keys.set('/d', '', { dir: true, prevExist: 'noexist' });
    await client.keys.update('/k', 'v');
    await client.keys.createInOrder('/q', 'job', { ttlSeconds: 10 });
    await client.keys.delete('/d', { recursive: true, dir: true });
    client.close();
    expect(s.seen.map((r) => `${r.method} ${r.url} ${r.body}`)).toEqual([
      'GET /v2/keys/d?quorum=false&recursive=true&sorted=false ',
      'PUT /v2/keys/d?dir=true&prevExist=false ',
      'PUT /v2/keys/k?prevExist=true value=v',
      'POST /v2/keys/q ttl=10&value=job',
      'DELETE /v2/keys/d?dir=true&recursive=true ',
    ]);
  });

  test('an error body becomes a V2Error with etcdctl wording', async () => {
    const s = await server((_req, res) => json(res, 404, '{"errorCode":100,"message":"Key not found","cause":"/x","index":12}', '12'));
    const client = new V2Client({ endpoints: [s.url] });
    const err = await client.keys.get('/x').catch((e: unknown) => e);
    client.close();
    expect(err).toBeInstanceOf(V2Error);
    expect(err).toMatchObject({ errorCode: 100, errorMessage: 'Key not found', cause: '/x', index: 12n, message: '100: Key not found (/x) [12]' });
  });

  test('a refused endpoint is skipped for the next one, and the answering one stays pinned', async () => {
    const s = await server((_req, res) => json(res, 200, SET_BODY));
    const dead = await closedPort();
    const client = new V2Client({ endpoints: [`http://127.0.0.1:${dead}`, s.url] });
    await client.keys.get('/a');
    await client.keys.get('/b');
    client.close();
    expect(s.seen).toHaveLength(2);
    expect(client.endpoints()).toEqual([`http://127.0.0.1:${dead}`, s.url]);
  });

  test('all endpoints refused: a cluster error listing each, counted as a connection error', async () => {
    const dead = await closedPort();
    const client = new V2Client({ endpoints: [`http://127.0.0.1:${dead}`] });
    const err = await client.keys.get('/a').catch((e: unknown) => e);
    client.close();
    expect(err).toBeInstanceOf(V2ClusterError);
    expect((err as V2ClusterError).errors[0]).toBeInstanceOf(V2ConnectionError);
    expect((err as Error).message).toBe(
      `client: etcd cluster is unavailable or misconfigured; error #0: dial tcp 127.0.0.1:${dead}: connect: connection refused\n`,
    );
    expect(isConnectionError(err)).toBe(true);
  });

  test('a one-shot write (create, delete) is not retried on the next endpoint after a 5xx', async () => {
    const failing = await server((_req, res) => json(res, 500, '{"errorCode":300,"message":"Raft Internal Error","index":0}'));
    const healthy = await server((_req, res) => json(res, 201, SET_BODY));
    const client = new V2Client({ endpoints: [failing.url, healthy.url] });
    const err = await client.keys.create('/a', 'v').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(V2ServerError);
    expect((err as Error).message).toBe(`client: etcd member ${failing.url} has no leader`);
    expect(healthy.seen).toHaveLength(0);
    // a plain set moves on to the next endpoint
    await client.keys.set('/a', 'v');
    client.close();
    expect(healthy.seen).toHaveLength(1);
  });

  test('the header timeout ends a request that gets no answer (not a watch)', async () => {
    const s = await server(() => undefined);
    const client = new V2Client({ endpoints: [s.url], headerTimeoutMs: 100 });
    const err = await client.keys.get('/a').catch((e: unknown) => e);
    client.close();
    expect(err).toBeInstanceOf(V2ClusterError);
    expect((err as V2ClusterError).errors[0]).toBeInstanceOf(V2HeaderTimeoutError);
    expect(isConnectionError(err)).toBe(false);
  });

  test('a watcher waits from afterIndex+1, skips empty answers, then follows the last modifiedIndex', async () => {
    let n = 0;
    const s = await server((_req, res) => {
      n++;
      if (n === 1) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end();
        return;
      }
      json(res, 200, `{"action":"set","node":{"key":"/w","value":"v${n}","modifiedIndex":${40 + n},"createdIndex":${40 + n}}}`);
    });
    const client = new V2Client({ endpoints: [s.url], headerTimeoutMs: 1 });
    const watcher = client.keys.watcher('/w', { afterIndex: 10n, recursive: true });
    const first = await watcher.next();
    const second = await watcher.next();
    client.close();
    expect(first.node?.value).toBe('v2');
    expect(second.node?.value).toBe('v3');
    expect(s.seen.map((r) => r.url)).toEqual([
      '/v2/keys/w?recursive=true&wait=true&waitIndex=11',
      '/v2/keys/w?recursive=true&wait=true&waitIndex=11',
      '/v2/keys/w?recursive=true&wait=true&waitIndex=43',
    ]);
  });

  test('members: list, leader, add (409 message), remove, sync to the published client URLs', async () => {
    const s = await server((req, res) => {
      if (req.method === 'GET' && req.url === '/v2/members') {
        json(res, 200, `{"members":[{"id":"628170c800dbcee","name":"n1","peerURLs":["http://127.0.0.1:2380"],"clientURLs":["${s.url}"]}]}`);
      } else if (req.url === '/v2/members/leader') {
        json(res, 200, `{"id":"628170c800dbcee","name":"n1","peerURLs":["http://127.0.0.1:2380"],"clientURLs":["${s.url}"]}`);
      } else if (req.method === 'POST') {
        res.writeHead(409, { 'Content-Type': 'application/json' });
        res.end('{"message":"etcdserver: Peer URLs already exists"}');
      } else {
        res.writeHead(204);
        res.end();
      }
    });
    const client = new V2Client({ endpoints: ['http://127.0.0.1:1', s.url] });
    await client.sync();
    expect(client.endpoints()).toEqual([s.url]);
    const members = await client.members.list();
    expect(members[0]?.id).toBe(0x628170c800dbceen);
    expect((await client.members.leader()).name).toBe('n1');
    await expect(client.members.add('http://127.0.0.1:2380')).rejects.toThrow('etcdserver: Peer URLs already exists');
    await expect(client.members.add('foo')).rejects.toThrow('URL scheme must be http, https, unix, or unixs: foo');
    await client.members.remove('628170c800dbcee');
    client.close();
    const post = s.seen.find((r) => r.method === 'POST');
    expect(post).toMatchObject({ body: '{"peerURLs":["http://127.0.0.1:2380"]}', contentType: 'application/json' });
    expect(s.seen[s.seen.length - 1]).toMatchObject({ method: 'DELETE', url: '/v2/members/628170c800dbcee' });
  });
});
