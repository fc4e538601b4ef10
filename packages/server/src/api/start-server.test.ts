// startServer end to end in-process: a real member on a temp data dir, its client port spoken to
// by the `etcd3` npm client (grpc-js) and plain HTTP, then a graceful close.

import { Etcd3 } from 'etcd3';
import http from 'node:http';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { defaultConfig } from '../config/parse-config';
import { startServer, type RunningServer } from '../main';

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('startServer', () => {
  let dir: string;
  let server: RunningServer;
  let client: Etcd3;
  let endpoint: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tsetcd-start-'));
    const config = defaultConfig({
      name: 'n1',
      dataDir: path.join(dir, 'n1.tsetcd'),
      listenClientUrls: ['http://127.0.0.1:0'],
      advertiseClientUrls: ['http://127.0.0.1:2379'],
      initialAdvertisePeerUrls: ['http://127.0.0.1:2380'],
      initialCluster: 'n1=http://127.0.0.1:2380',
    });
    server = await startServer(config, { logger: pino({ level: 'silent' }) });
    endpoint = server.clientUrls[0]!;
    client = new Etcd3({ hosts: endpoint.replace('http://', '') });
    await waitFor(async () => (await httpGet(`${endpoint}/health`)).status === 200);
  }, 20_000);

  afterAll(async () => {
    client?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('creates the data dir with mode 0700', async () => {
    const s = await stat(path.join(dir, 'n1.tsetcd'));
    expect(s.isDirectory()).toBe(true);
    expect(s.mode & 0o777).toBe(0o700);
  });

  it('serves Put / Range / DeleteRange to the etcd3 client', async () => {
    await client.put('greeting').value('hello');
    expect(await client.get('greeting').string()).toBe('hello');
    await client.delete().key('greeting');
    expect(await client.get('greeting').string()).toBeNull();
  });

  it('serves Maintenance.Status and Cluster.MemberList', async () => {
    const status = await client.maintenance.status();
    expect(status.version).toBe('3.4.23');
    const members = await client.cluster.memberList({});
    expect(members.members.map((m) => m.name)).toEqual(['n1']);
  });

  it('serves /health and /version on the same port', async () => {
    expect(await httpGet(`${endpoint}/health`)).toEqual({ status: 200, body: '{"health":"true"}' });
    expect(JSON.parse((await httpGet(`${endpoint}/version`)).body)).toEqual({ etcdserver: '3.4.23', etcdcluster: '3.4.0' });
  });

  it('a taken client port fails start-up before the data dir is created', async () => {
    const port = Number(new URL(endpoint).port);
    const otherDir = path.join(dir, 'other.tsetcd');
    const config = defaultConfig({
      name: 'n2',
      dataDir: otherDir,
      listenClientUrls: [`http://127.0.0.1:${port}`],
      advertiseClientUrls: ['http://127.0.0.1:2379'],
    });
    await expect(startServer(config, { logger: pino({ level: 'silent' }) })).rejects.toThrow(/EADDRINUSE/);
    await expect(stat(otherDir)).rejects.toThrow();
  });

  it('close() stops the listener and is idempotent', async () => {
    const url = endpoint;
    client.close();
    await Promise.all([server.close(), server.close()]);
    await expect(httpGet(`${url}/version`)).rejects.toThrow();
  });
});
