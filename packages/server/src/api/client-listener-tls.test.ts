// https:// client URLs: gRPC (ALPN h2) and HTTP/1.1 (ALPN http/1.1) on one TLS port, and
// --client-cert-auth. Certificates are made with the openssl CLI (skipped if it is missing).

import * as grpcJs from '@grpc/grpc-js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { healthpb } from '@tsetcd/api';
import type { EtcdServerApi } from '../etcdserver/server-api';
import { createClientApi, serveClients, type ClientServing } from './client-api';
import { HAVE_OPENSSL, makeTestCerts } from '../../../../test/support/tls-certs';

const describeTls = HAVE_OPENSSL ? describe : describe.skip;

const member = {
  identity: { clusterId: 1n, memberId: 2n, name: 'tls' },
  isReady: () => true,
} as unknown as EtcdServerApi;

function healthCheck(port: number, creds: grpcJs.ChannelCredentials): Promise<number> {
  const client = new grpcJs.Client(`127.0.0.1:${port}`, creds, { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' });
  return new Promise<number>((resolve, reject) => {
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      () => Buffer.from(healthpb.HealthCheckRequest.encode({ service: '' }).finish()),
      (b: Buffer) => healthpb.HealthCheckResponse.decode(b),
      {},
      new grpcJs.Metadata(),
      { deadline: Date.now() + 5000 },
      (err, res) => (err ? reject(err) : resolve(res!.status)),
    );
  }).finally(() => client.close());
}

function httpsGet(port: number, pathname: string, options: https.RequestOptions & { ALPNProtocols?: string[] }): Promise<{ status: number; body: string; alpn: string | false | null }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', servername: 'localhost', port, path: pathname, agent: false, ...options }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, alpn: (res.socket as unknown as { alpnProtocol: string | false | null }).alpnProtocol }));
    });
    req.on('error', reject);
  });
}

describeTls('client listener over TLS', () => {
  let dir: string;
  let ca: Buffer;
  let clientKey: Buffer;
  let clientCert: Buffer;
  let plain: ClientServing;
  let mutual: ClientServing;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tsetcd-tls-'));
    await makeTestCerts(dir, ['server', 'client']);
    ca = await readFile(path.join(dir, 'ca.crt'));
    clientKey = await readFile(path.join(dir, 'client.key'));
    clientCert = await readFile(path.join(dir, 'client.crt'));
    const base = {
      listenClientUrls: ['https://127.0.0.1:0'],
      maxConcurrentStreams: 100,
      grpcKeepaliveIntervalMs: 0,
      grpcKeepaliveTimeoutMs: 0,
      certFile: path.join(dir, 'server.crt'),
      keyFile: path.join(dir, 'server.key'),
    };
    plain = await serveClients(createClientApi(member, { maxRequestBytes: 1024, cors: ['*'] }), base);
    mutual = await serveClients(createClientApi(member, { maxRequestBytes: 1024, cors: ['*'] }), {
      ...base,
      trustedCaFile: path.join(dir, 'ca.crt'),
      clientCertAuth: true,
    });
  }, 30_000);

  afterAll(async () => {
    await plain?.close();
    await mutual?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves gRPC over TLS (ALPN h2)', async () => {
    const status = await healthCheck(plain.listeners[0]!.port, grpcJs.credentials.createSsl(ca));
    expect(status).toBe(healthpb.HealthCheckResponse_ServingStatus.SERVING);
  });

  it('serves HTTP/1.1 over TLS on the same port', async () => {
    const r = await httpsGet(plain.listeners[0]!.port, '/version', { ca, ALPNProtocols: ['http/1.1'] });
    expect(r.status).toBe(200);
    expect(r.alpn).toBe('http/1.1');
    expect(JSON.parse(r.body)).toEqual({ etcdserver: '3.4.23', etcdcluster: '3.4.0' });
  });

  it('a TLS client without ALPN is sniffed', async () => {
    const r = await httpsGet(plain.listeners[0]!.port, '/version', { ca });
    expect(r.alpn).toBe(false);
    expect(r.status).toBe(200);
  });

  it('--client-cert-auth refuses clients without a certificate and accepts signed ones', async () => {
    const port = mutual.listeners[0]!.port;
    await expect(httpsGet(port, '/version', { ca })).rejects.toThrow();
    await expect(healthCheck(port, grpcJs.credentials.createSsl(ca))).rejects.toThrow();
    expect((await httpsGet(port, '/version', { ca, key: clientKey, cert: clientCert })).status).toBe(200);
    expect(await healthCheck(port, grpcJs.credentials.createSsl(ca, clientKey, clientCert))).toBe(healthpb.HealthCheckResponse_ServingStatus.SERVING);
  });

  it('an https URL without --cert-file/--key-file is refused like etcd', async () => {
    await expect(serveClients(createClientApi(member, { maxRequestBytes: 1024, cors: ['*'] }), {
      listenClientUrls: ['https://127.0.0.1:0'], maxConcurrentStreams: 1, grpcKeepaliveIntervalMs: 0, grpcKeepaliveTimeoutMs: 0,
    })).rejects.toThrow('TLS key/cert (--cert-file, --key-file) must be provided for client url https://127.0.0.1:0 with HTTPS scheme');
  });
});
