// The client listener's h2c hand-off goes through the :authority filter: a gRPC request whose
// :authority is a URL (grpc-go passthrough dialing `http://host:port`) reaches the gRPC server,
// and a rewritten authority still passes the router's Host check.

import http from 'node:http';
import http2 from 'node:http2';
import { bindClientUrl, type ClientListener } from '../client-listener';
import type { GrpcServer } from '../grpc/server';
import { HttpRouter } from '../http/router';

/** A gRPC stand-in that records each stream's :authority and answers 200. */
function recordingGrpc(seen: string[]): GrpcServer {
  return {
    handleStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
      seen.push(String(headers[':authority']));
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '0' }, { endStream: true });
    },
  } as unknown as GrpcServer;
}

function grpcCall(port: number, authority: string): Promise<number> {
  const client = http2.connect(`http://127.0.0.1:${port}`);
  client.on('error', () => {});
  return new Promise<number>((resolve, reject) => {
    const req = client.request({ ':method': 'POST', ':path': '/etcdserverpb.Maintenance/Status', ':authority': authority, 'content-type': 'application/grpc' });
    req.on('response', (h) => resolve(Number(h[':status'])));
    req.on('error', reject);
    req.end();
  }).finally(() => client.close());
}

describe('client listener h2c hand-off', () => {
  const listeners: ClientListener[] = [];
  afterAll(async () => {
    await Promise.all(listeners.map((l) => l.close(100)));
  });

  async function listen(filter: boolean | undefined, seen: string[], router = new HttpRouter()): Promise<ClientListener> {
    const bound = await bindClientUrl({ url: 'http://127.0.0.1:0', ...(filter === undefined ? {} : { h2cAuthorityFilter: filter }) });
    const listener = bound.serve(recordingGrpc(seen), router);
    listeners.push(listener);
    return listener;
  }

  it('delivers a URL :authority to the gRPC server rewritten (filter on by default)', async () => {
    const seen: string[] = [];
    const listener = await listen(undefined, seen);
    const url = `http://127.0.0.1:${listener.port}`;
    expect(await grpcCall(listener.port, url)).toBe(200);
    expect(await grpcCall(listener.port, `127.0.0.1:${listener.port}`)).toBe(200);
    expect(seen).toEqual([`http:--127.0.0.1:${listener.port}`, `127.0.0.1:${listener.port}`]);
  });

  it('without the filter the same request is reset by nghttp2', async () => {
    const seen: string[] = [];
    const listener = await listen(false, seen);
    await expect(grpcCall(listener.port, `http://127.0.0.1:${listener.port}`)).rejects.toThrow();
    expect(seen).toHaveLength(0);
  });

  it('still serves HTTP/1.1 on the same port', async () => {
    const router = new HttpRouter().add('/ping', async () => ({ status: 200, body: 'pong' }));
    const listener = await listen(true, [], router);
    const body = await new Promise<string>((resolve, reject) => {
      http.get(`http://127.0.0.1:${listener.port}/ping`, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(body).toBe('pong');
  });

  it("a rewritten authority passes the router's Host whitelist by its host name", () => {
    const router = new HttpRouter({ hostWhitelist: ['127.0.0.1', 'example.com'] });
    expect(router.hostAllowed('http:--127.0.0.1:2379')).toBe(true);
    expect(router.hostAllowed('https:--example.com')).toBe(true);
    expect(router.hostAllowed('http:--evil.test:2379')).toBe(false);
    expect(router.hostAllowed('127.0.0.1:2379')).toBe(true);
    expect(router.hostAllowed('evil.test')).toBe(false);
  });
});
