import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRouter } from './router';

function request(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function serve(router: HttpRouter): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => router.handleHttp1(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('HttpRouter', () => {
  it('exact routes beat prefixes; the longest prefix wins; /v3beta/ is /v3/', async () => {
    const router = new HttpRouter()
      .add('/v3/kv/range', () => ({ status: 200, body: 'exact' }))
      .addPrefix('/v3/', (req) => ({ status: 200, body: `v3:${req.path}` }))
      .addPrefix('/v3/watch/', () => ({ status: 200, body: 'watch' }));
    const s = await serve(router);
    try {
      expect((await request(s.port, '/v3/kv/range')).body).toBe('exact');
      expect((await request(s.port, '/v3/kv/put')).body).toBe('v3:/v3/kv/put');
      expect((await request(s.port, '/v3/watch/x')).body).toBe('watch');
      expect((await request(s.port, '/v3beta/kv/put')).body).toBe('v3:/v3/kv/put');
      expect((await request(s.port, '/v2/keys')).status).toBe(404);
    } finally {
      await s.close();
    }
  });

  it('a throwing handler is a 500, not a crash', async () => {
    const router = new HttpRouter().add('/boom', () => {
      throw new Error('x');
    });
    const s = await serve(router);
    try {
      const r = await request(s.port, '/boom');
      expect(r.status).toBe(500);
      expect(r.body).toBe('Internal Server Error\n');
      expect((await request(s.port, '/boom')).status).toBe(500);
    } finally {
      await s.close();
    }
  });

  it('hands the query and body to handlers', async () => {
    const router = new HttpRouter().add('/echo', async (req) => ({
      status: 201,
      headers: { 'content-type': 'text/plain' },
      body: `${req.method} ${req.query.getAll('a').join(',')} ${(await req.readBody()).toString()}`,
    }));
    const s = await serve(router);
    try {
      const r = await new Promise<string>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: s.port, path: '/echo?a=1&a=2', method: 'PUT', agent: false }, (res) => {
          let b = '';
          res.on('data', (c: Buffer) => (b += c.toString()));
          res.on('end', () => resolve(`${res.statusCode} ${b}`));
        });
        req.on('error', reject);
        req.end('payload');
      });
      expect(r).toBe('201 PUT 1,2 payload');
    } finally {
      await s.close();
    }
  });

  it('CORS: all three headers when the origin is allowed, none otherwise', async () => {
    const router = new HttpRouter({ cors: ['http://good'] }).add('/x', () => ({ status: 200, body: 'x' }));
    const s = await serve(router);
    try {
      const ok = await request(s.port, '/x', { origin: 'http://good' });
      expect(ok.headers['access-control-allow-origin']).toBe('http://good');
      expect(ok.headers['access-control-allow-methods']).toBe('POST, GET, OPTIONS, PUT, DELETE');
      expect(ok.headers['access-control-allow-headers']).toBe('accept, content-type, authorization');
      const bad = await request(s.port, '/x', { origin: 'http://evil' });
      expect(bad.headers['access-control-allow-origin']).toBeUndefined();
      expect(bad.headers['access-control-allow-methods']).toBeUndefined();
    } finally {
      await s.close();
    }
  });

  it('--host-whitelist: unknown Host on plain HTTP is 421 with etcd\'s explanation', async () => {
    const router = new HttpRouter({ hostWhitelist: ['example.com'] }).add('/version', () => ({ status: 200, body: 'v' }));
    const s = await serve(router);
    try {
      const bad = await request(s.port, '/version', { host: `evil.com:${s.port}` });
      expect(bad.status).toBe(421);
      expect(bad.body).toContain('etcd received your request, but the Host header was unrecognized.');
      expect(bad.body).toContain('etcd --host-whitelist "evil.com"');
      expect(bad.body.endsWith('(CVE-2018-5702).\n\n')).toBe(true);
      const good = await request(s.port, '/version', { host: `example.com:${s.port}` });
      expect(good.status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('raw prefixes get the node request/response (for streaming handlers)', async () => {
    const router = new HttpRouter().addRawPrefix('/stream/', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('a');
      res.end('b');
    });
    const s = await serve(router);
    try {
      expect((await request(s.port, '/stream/1')).body).toBe('ab');
    } finally {
      await s.close();
    }
  });

  it('CORS headers ride on plain, chunked, raw and OPTIONS responses, with the handler\'s own headers', async () => {
    const parts = ['x', 'y'];
    const router = new HttpRouter()
      .add('/plain', () => ({ status: 201, headers: { 'X-Etcd-Index': '7', 'Content-Type': 'application/json' }, body: '{}' }))
      .add('/chunked', () => ({
        status: 200,
        headers: { 'Content-Type': 'text/plain' },
        chunks: { next: async () => parts.shift(), close: () => undefined },
      }))
      .addRawPrefix('/raw/', (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('r');
      });
    const s = await serve(router);
    try {
      for (const [path, method, status, body] of [
        ['/plain', 'GET', 201, '{}'],
        ['/chunked', 'GET', 200, 'xy'],
        ['/raw/1', 'GET', 200, 'r'],
        ['/plain', 'OPTIONS', 200, ''],
      ] as const) {
        const got = await request(s.port, path, { origin: 'http://anywhere' }, method);
        expect({ path, method, status: got.status, body: got.body }).toEqual({ path, method, status, body });
        expect(got.headers['access-control-allow-origin']).toBe('*');
        expect(got.headers['access-control-allow-methods']).toBe('POST, GET, OPTIONS, PUT, DELETE');
        expect(got.headers['access-control-allow-headers']).toBe('accept, content-type, authorization');
      }
      const plain = await request(s.port, '/plain');
      expect(plain.headers['x-etcd-index']).toBe('7');
      expect(plain.headers['content-type']).toBe('application/json');
      expect(plain.headers['content-length']).toBe('2');
    } finally {
      await s.close();
    }
  });
});
