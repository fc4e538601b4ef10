// One client port serves gRPC (h2c) and HTTP/1.1, sniffed per connection like etcd's cmux; the
// HTTP routes answer like etcd 3.4 (/health, /version, /metrics, 404, 405, OPTIONS, CORS).

import * as grpcJs from '@grpc/grpc-js';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import {
  AlarmResponse,
  AlarmType,
  MemberAddRequest,
  MemberAddResponse,
  healthpb,
  MemberListResponse,
  RangeRequest,
  RangeResponse,
  StatusResponse,
  type AlarmRequest,
} from '@tsetcd/api';
import type { EtcdServerApi, RequestContext } from '../etcdserver/server-api';
import { createClientApi, serveClients, type ClientServing } from './client-api';
import { isHttp2Preface } from './client-listener';

const { HealthCheckRequest, HealthCheckResponse, HealthCheckResponse_ServingStatus } = healthpb;

const MEMBER_ID = 0xbdae9bbc11dd390dn;

/** A scriptable stand-in for the member (tests only): answers from fields the tests set. */
class TestMember implements Partial<EtcdServerApi> {
  readonly identity = { clusterId: 0x1234n, memberId: MEMBER_ID, name: 'test' };
  ready = true;
  alarms: AlarmType[] = [];
  rangeDelayMs = 0;
  rangeCalls = 0;
  isReady(): boolean {
    return this.ready;
  }
  async alarm(_req: AlarmRequest, _ctx: RequestContext): Promise<AlarmResponse> {
    return AlarmResponse.fromPartial({ alarms: this.alarms.map((alarm) => ({ memberID: MEMBER_ID, alarm })) });
  }
  async range(req: RangeRequest, ctx: RequestContext): Promise<RangeResponse> {
    this.rangeCalls++;
    if (this.rangeDelayMs > 0) await new Promise((r) => setTimeout(r, this.rangeDelayMs));
    void ctx;
    return RangeResponse.fromPartial({ header: { memberId: MEMBER_ID, revision: 7n }, count: req.key.length > 0 ? 1n : 0n });
  }
  async status(): Promise<StatusResponse> {
    return StatusResponse.fromPartial({ header: { memberId: MEMBER_ID, revision: 9n }, leader: MEMBER_ID, dbSize: 4096n, dbSizeInUse: 2048n, version: '3.4.23' });
  }
  stats(): { appliedIndex: number; committedIndex: number } {
    return { appliedIndex: 11, committedIndex: 12 };
  }
  async memberList(): Promise<MemberListResponse> {
    return MemberListResponse.fromPartial({ members: [{ ID: MEMBER_ID, name: 'test', peerURLs: ['http://127.0.0.1:2380'], clientURLs: ['http://127.0.0.1:2379'] }] });
  }
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(port: number, path: string, method = 'GET', agent?: http.Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('client listener: gRPC and HTTP/1.1 on one port', () => {
  const member = new TestMember();
  let serving: ClientServing;
  let port: number;
  let client: grpcJs.Client;

  beforeAll(async () => {
    const api = createClientApi(member as unknown as EtcdServerApi, { maxRequestBytes: 1572864, cors: ['*'] });
    serving = await serveClients(api, { listenClientUrls: ['http://127.0.0.1:0'], maxConcurrentStreams: 1000, grpcKeepaliveIntervalMs: 0, grpcKeepaliveTimeoutMs: 0 });
    port = serving.listeners[0]!.port;
    client = new grpcJs.Client(`127.0.0.1:${port}`, grpcJs.credentials.createInsecure());
  });

  afterAll(async () => {
    client.close();
    await serving.close();
  });

  beforeEach(() => {
    member.ready = true;
    member.alarms = [];
    member.rangeDelayMs = 0;
  });

  function grpcUnary<Res>(path: string, encode: () => Uint8Array, decode: (b: Buffer) => Res): Promise<Res> {
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest(path, () => Buffer.from(encode()), decode, {}, new grpcJs.Metadata(), {}, (err, res) => (err ? reject(err) : resolve(res as Res)));
    });
  }

  it('recognises the HTTP/2 connection preface from its first bytes', () => {
    expect(isHttp2Preface(Buffer.from('PRI * HTTP/2.0\r\n'))).toBe(true);
    expect(isHttp2Preface(Buffer.from('PRI'))).toBe(true);
    expect(isHttp2Preface(Buffer.from('GET / HTTP/1.1\r\n'))).toBe(false);
    expect(isHttp2Preface(Buffer.from('PUT /v2/keys/a'))).toBe(false);
  });

  it('serves grpc.health.v1.Health/Check SERVING over gRPC', async () => {
    const res = await grpcUnary('/grpc.health.v1.Health/Check', () => HealthCheckRequest.encode(HealthCheckRequest.fromPartial({})).finish(), (b) => HealthCheckResponse.decode(b));
    expect(res.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });

  it('Health/Check of a named service is NOT_FOUND "unknown service" like grpc-go', async () => {
    const err = await grpcUnary('/grpc.health.v1.Health/Check', () => HealthCheckRequest.encode(HealthCheckRequest.fromPartial({ service: 'foo' })).finish(), (b) => HealthCheckResponse.decode(b)).catch((e: grpcJs.ServiceError) => e);
    expect((err as grpcJs.ServiceError).code).toBe(grpcJs.status.NOT_FOUND);
    expect((err as grpcJs.ServiceError).details).toBe('unknown service');
  });

  it('serves KV and Cluster over gRPC on the same port', async () => {
    const res = await grpcUnary('/etcdserverpb.KV/Range', () => RangeRequest.encode(RangeRequest.fromPartial({ key: Buffer.from('a') })).finish(), (b) => RangeResponse.decode(b));
    expect(res.header?.revision).toBe(7n);
    const members = await grpcUnary('/etcdserverpb.Cluster/MemberList', () => new Uint8Array(0), (b) => MemberListResponse.decode(b));
    expect(members.members[0]?.name).toBe('test');
  });

  it('Watch, Lease, Auth, Election, Lock are registered but UNIMPLEMENTED', async () => {
    for (const path of ['/etcdserverpb.Lease/LeaseGrant', '/etcdserverpb.Auth/AuthEnable', '/etcdserverpb.Watch/Watch', '/v3electionpb.Election/Leader', '/v3lockpb.Lock/Lock', '/etcdserverpb.Maintenance/MoveLeader', '/etcdserverpb.Cluster/MemberAdd']) {
      const err = await grpcUnary(path, () => new Uint8Array(0), (b) => b).catch((e: grpcJs.ServiceError) => e);
      expect((err as grpcJs.ServiceError).code).toBe(grpcJs.status.UNIMPLEMENTED);
      expect((err as grpcJs.ServiceError).details).toMatch(/^method \w+ not implemented$/);
    }
  });

  it('GET /health: 200 {"health":"true"} like etcd', async () => {
    const r = await get(port, '/health');
    expect(r.status).toBe(200);
    expect(r.body).toBe('{"health":"true"}');
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.headers['access-control-allow-origin']).toBe('*');
  });

  it('GET /health: 503 {"health":"false"}\\n when not ready or an alarm is active', async () => {
    member.ready = false;
    const r1 = await get(port, '/health');
    expect(r1.status).toBe(503);
    expect(r1.body).toBe('{"health":"false"}\n');
    member.ready = true;
    member.alarms = [AlarmType.NOSPACE];
    expect((await get(port, '/health')).status).toBe(503);
    expect((await get(port, '/health?exclude=NOSPACE')).status).toBe(200);
    expect((await get(port, '/health?exclude=CORRUPT')).status).toBe(503);
  });

  it('GET /health: 503 when the linearizable read takes over 1 s', async () => {
    member.rangeDelayMs = 1500;
    const r = await get(port, '/health');
    expect(r.status).toBe(503);
  });

  it('/health with another method is 405 with Allow: GET', async () => {
    const r = await get(port, '/health', 'POST');
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('GET');
    expect(r.body).toBe('Method Not Allowed\n');
  });

  it('GET /version: etcd versions as JSON', async () => {
    const r = await get(port, '/version');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body)).toEqual({ etcdserver: '3.4.23', etcdcluster: '3.4.0' });
  });

  it('unknown paths are 404 "404 page not found\\n"; OPTIONS is 200 empty', async () => {
    const r = await get(port, '/nope');
    expect(r.status).toBe(404);
    expect(r.body).toBe('404 page not found\n');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    const o = await get(port, '/anything', 'OPTIONS');
    expect(o.status).toBe(200);
    expect(o.body).toBe('');
    expect(o.headers['access-control-allow-methods']).toBe('POST, GET, OPTIONS, PUT, DELETE');
  });

  it('GET /metrics: prometheus text with etcd metric names', async () => {
    await grpcUnary('/etcdserverpb.KV/Range', () => RangeRequest.encode(RangeRequest.fromPartial({ key: Buffer.from('a') })).finish(), (b) => RangeResponse.decode(b));
    const r = await get(port, '/metrics');
    expect(r.status).toBe(200);
    expect(r.body).toContain('etcd_server_has_leader 1');
    expect(r.body).toContain('etcd_server_is_leader 1');
    expect(r.body).toContain('etcd_server_version{server_version="3.4.23"} 1');
    expect(r.body).toContain(`etcd_server_id{server_id="${MEMBER_ID.toString(16)}"} 1`);
    expect(r.body).toContain('etcd_mvcc_db_total_size_in_bytes 4096');
    expect(r.body).toContain('etcd_server_proposals_committed_total 12');
    expect(r.body).toContain('etcd_server_proposals_applied_total 11');
    expect(r.body).toMatch(/grpc_server_handled_total\{grpc_type="unary",grpc_service="etcdserverpb.KV",grpc_method="Range",grpc_code="OK"\} [1-9]/);
    expect(r.body).toMatch(/grpc_server_started_total\{grpc_type="unary",grpc_service="etcdserverpb.KV",grpc_method="Range"\} [1-9]/);
  });

  it('HTTP/1.1 keep-alive: several requests on one connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<net.Socket>();
    agent.on('free', (s: net.Socket) => sockets.add(s));
    for (let i = 0; i < 3; i++) expect((await get(port, '/version', 'GET', agent)).status).toBe(200);
    expect(sockets.size).toBe(1);
    agent.destroy();
  });

  it('a request line arriving one byte at a time is still sniffed', async () => {
    const text = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let out = '';
      socket.on('data', (c) => (out += c.toString()));
      socket.on('end', () => resolve(out));
      socket.on('error', reject);
      const request = 'GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
      let i = 0;
      const tick = (): void => {
        if (i < request.length) {
          socket.write(request[i++]!);
          setTimeout(tick, 1);
        }
      };
      tick();
    });
    expect(text).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(text).toContain('"etcdserver":"3.4.23"');
  });

  it('non-gRPC HTTP/2 requests reach the HTTP routes too', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const session = http2.connect(`http://127.0.0.1:${port}`);
      session.on('error', reject);
      const req = session.request({ ':path': '/version' });
      let s = 0;
      let b = '';
      req.on('response', (h) => (s = h[':status'] as number));
      req.setEncoding('utf8');
      req.on('data', (c: string) => (b += c));
      req.on('end', () => {
        session.close();
        resolve({ status: s, body: b });
      });
      req.end();
    });
    expect(status).toBe(200);
    expect(JSON.parse(body)).toEqual({ etcdserver: '3.4.23', etcdcluster: '3.4.0' });
  });
});

describe('optional member capabilities', () => {
  it('MemberAdd is served once the member implements memberAdd', async () => {
    class GrowingMember extends TestMember {
      async memberAdd(req: MemberAddRequest): Promise<MemberAddResponse> {
        return MemberAddResponse.fromPartial({ member: { ID: 7n, peerURLs: req.peerURLs, isLearner: req.isLearner } });
      }
    }
    const api = createClientApi(new GrowingMember() as unknown as EtcdServerApi, { maxRequestBytes: 1024, cors: ['*'] });
    const serving = await serveClients(api, { listenClientUrls: ['http://127.0.0.1:0'], maxConcurrentStreams: 10, grpcKeepaliveIntervalMs: 0, grpcKeepaliveTimeoutMs: 0 });
    const client = new grpcJs.Client(`127.0.0.1:${serving.listeners[0]!.port}`, grpcJs.credentials.createInsecure());
    try {
      const res = await new Promise<MemberAddResponse>((resolve, reject) => {
        client.makeUnaryRequest('/etcdserverpb.Cluster/MemberAdd',
          (r: MemberAddRequest) => Buffer.from(MemberAddRequest.encode(r).finish()),
          (b: Buffer) => MemberAddResponse.decode(b),
          MemberAddRequest.fromPartial({ peerURLs: ['http://127.0.0.1:9'], isLearner: true }),
          (err, r) => (err ? reject(err) : resolve(r!)));
      });
      expect(res.member?.ID).toBe(7n);
      expect(res.member?.peerURLs).toEqual(['http://127.0.0.1:9']);
      expect(res.member?.isLearner).toBe(true);
    } finally {
      client.close();
      await serving.close();
    }
  });
});

describe('unix:// client URLs', () => {
  it('serve gRPC and HTTP/1.1 on a unix socket, removed on close', async () => {
    const { mkdtemp, rm, stat } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(`${tmpdir()}/tsetcd-unix-`);
    const socketPath = `${dir}/client.sock`;
    const api = createClientApi(new TestMember() as unknown as EtcdServerApi, { maxRequestBytes: 1024, cors: ['*'] });
    const serving = await serveClients(api, { listenClientUrls: [`unix://${socketPath}`], maxConcurrentStreams: 10, grpcKeepaliveIntervalMs: 0, grpcKeepaliveTimeoutMs: 0 });
    const client = new grpcJs.Client(`unix://${socketPath}`, grpcJs.credentials.createInsecure());
    try {
      const status = await new Promise<number>((resolve, reject) => {
        client.makeUnaryRequest('/grpc.health.v1.Health/Check',
          () => Buffer.from(HealthCheckRequest.encode(HealthCheckRequest.fromPartial({})).finish()),
          (b: Buffer) => HealthCheckResponse.decode(b), {}, (err, r) => (err ? reject(err) : resolve(r!.status)));
      });
      expect(status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      const body = await new Promise<string>((resolve, reject) => {
        http.get({ socketPath, path: '/version' }, (res) => {
          let b = '';
          res.on('data', (c: Buffer) => (b += c.toString()));
          res.on('end', () => resolve(b));
        }).on('error', reject);
      });
      expect(JSON.parse(body)).toEqual({ etcdserver: '3.4.23', etcdcluster: '3.4.0' });
    } finally {
      client.close();
      await serving.close();
    }
    await expect(stat(socketPath)).rejects.toThrow();
    await rm(dir, { recursive: true, force: true });
  });
});

describe('--listen-metrics-urls', () => {
  it('serves /metrics and /health only', async () => {
    const api = createClientApi(new TestMember() as unknown as EtcdServerApi, { maxRequestBytes: 1024, cors: ['*'] });
    const serving = await serveClients(api, {
      listenClientUrls: ['http://127.0.0.1:0'], listenMetricsUrls: ['http://127.0.0.1:0'],
      maxConcurrentStreams: 10, grpcKeepaliveIntervalMs: 0, grpcKeepaliveTimeoutMs: 0,
    });
    try {
      const port = serving.metricsListeners[0]!.port;
      expect(port).not.toBe(serving.listeners[0]!.port);
      expect((await get(port, '/health')).body).toBe('{"health":"true"}');
      expect((await get(port, '/metrics')).body).toContain('etcd_server_has_leader 1');
      expect((await get(port, '/version')).status).toBe(404);
    } finally {
      await serving.close();
    }
  });
});

describe('keepalive', () => {
  it('pings clients every --grpc-keepalive-interval', async () => {
    const api = createClientApi(new TestMember() as unknown as EtcdServerApi, { maxRequestBytes: 1024, cors: ['*'] });
    const serving = await serveClients(api, { listenClientUrls: ['http://127.0.0.1:0'], maxConcurrentStreams: 10, grpcKeepaliveIntervalMs: 40, grpcKeepaliveTimeoutMs: 1000 });
    const session = http2.connect(`http://127.0.0.1:${serving.listeners[0]!.port}`);
    session.on('error', () => {});
    let pings = 0;
    session.on('ping', () => pings++);
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(pings).toBeGreaterThanOrEqual(2);
      expect(session.destroyed).toBe(false);
    } finally {
      session.destroy();
      await serving.close();
    }
  });
});

describe('client listener lifecycle', () => {
  it('a bound port holds connections until serve() and then answers them', async () => {
    const { bindClientUrl } = await import('./client-listener');
    const bound = await bindClientUrl({ url: 'http://127.0.0.1:0' });
    let answered = false;
    const reply = get(bound.port, '/version').then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(answered).toBe(false);
    const api = createClientApi(new TestMember() as unknown as EtcdServerApi, { maxRequestBytes: 1024, cors: ['*'] });
    const listener = bound.serve(api.grpc, api.http);
    expect((await reply).status).toBe(200);
    await listener.close();
  });

  it('close() stops accepting and ends open HTTP/2 sessions', async () => {
    const member = new TestMember();
    const api = createClientApi(member as unknown as EtcdServerApi, { maxRequestBytes: 1024, cors: ['*'] });
    const serving = await serveClients(api, { listenClientUrls: ['http://127.0.0.1:0'], maxConcurrentStreams: 10, grpcKeepaliveIntervalMs: 0, grpcKeepaliveTimeoutMs: 0 });
    const port = serving.listeners[0]!.port;
    const session = http2.connect(`http://127.0.0.1:${port}`);
    await new Promise<void>((resolve) => {
      const req = session.request({ ':path': '/version' });
      req.resume();
      req.on('end', () => resolve());
      req.end();
    });
    const goaway = new Promise<void>((resolve) => session.once('goaway', () => resolve()));
    session.on('error', () => {});
    await serving.close();
    await goaway;
    session.destroy();
    await expect(get(port, '/version')).rejects.toThrow();
  });

  it('a listen failure closes the listeners already opened', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const taken = (blocker.address() as net.AddressInfo).port;
    const api = createClientApi(new TestMember() as unknown as EtcdServerApi, { maxRequestBytes: 1024, cors: ['*'] });
    const free = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    await expect(serveClients(api, {
      listenClientUrls: [`http://127.0.0.1:${free}`, `http://127.0.0.1:${taken}`],
      maxConcurrentStreams: 10, grpcKeepaliveIntervalMs: 0, grpcKeepaliveTimeoutMs: 0,
    })).rejects.toThrow(/EADDRINUSE/);
    await expect(get(free, '/version')).rejects.toThrow();
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });
});
