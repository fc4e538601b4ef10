import {
  ErrMemberNotEnoughStarted,
  ErrMemberNotFound,
  ErrPeerURLExist,
  type Member,
  type MemberAddRequest,
  type MemberRemoveRequest,
  type MemberUpdateRequest,
} from '@tsetcd/api';
import type { RequestContext } from '../../etcdserver/server-api';
import type { HttpRequest, HttpResponse } from '../http/types';
import { membersHandler, parseMemberRequestBody, parsePeerUrls, type V2MembersBackend } from './members-handler';

const CLUSTER = 'dc50b8daae93b3e0';

/** An in-memory cluster with etcd's membership rules, recording the calls it gets. */
class FakeCluster implements V2MembersBackend {
  members: Member[] = [
    { ID: 0x667880157b8812c8n, name: 'n1', peerURLs: ['http://127.0.0.1:42380'], clientURLs: ['http://127.0.0.1:42379'], isLearner: false },
    { ID: 0x1234n, name: 'l1', peerURLs: ['http://127.0.0.1:42390'], clientURLs: [], isLearner: true },
  ];
  removed = new Set<bigint>();
  leader = 0x667880157b8812c8n;
  nextId = 0xace9938223df75a7n;
  failWith: Error | undefined;
  calls: string[] = [];
  signals: AbortSignal[] = [];
  detectV2Auth?: () => void;

  leaderId(): bigint {
    return this.leader;
  }
  clusterIdHex(): string {
    return CLUSTER;
  }
  isRemoved(id: bigint): boolean {
    return this.removed.has(id);
  }
  memberList(ctx: RequestContext): Promise<{ header: undefined; members: Member[] }> {
    this.signals.push(ctx.signal);
    return Promise.resolve({ header: undefined, members: this.members });
  }
  memberAdd(req: MemberAddRequest, ctx: RequestContext): Promise<{ header: undefined; member: Member; members: Member[] }> {
    this.signals.push(ctx.signal);
    this.calls.push(`add ${req.peerURLs.join(',')} learner=${req.isLearner}`);
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    if (this.members.some((m) => m.peerURLs.some((u) => req.peerURLs.includes(u)))) return Promise.reject(new ErrPeerURLExist());
    const member: Member = { ID: this.nextId, name: '', peerURLs: req.peerURLs, clientURLs: [], isLearner: false };
    this.members.push(member);
    return Promise.resolve({ header: undefined, member, members: this.members });
  }
  memberRemove(req: MemberRemoveRequest): Promise<{ header: undefined; members: Member[] }> {
    this.calls.push(`remove ${req.ID.toString(16)}`);
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    if (!this.members.some((m) => m.ID === req.ID)) return Promise.reject(new ErrMemberNotFound());
    this.members = this.members.filter((m) => m.ID !== req.ID);
    this.removed.add(req.ID);
    return Promise.resolve({ header: undefined, members: this.members });
  }
  memberUpdate(req: MemberUpdateRequest): Promise<{ header: undefined; members: Member[] }> {
    this.calls.push(`update ${req.ID.toString(16)} ${req.peerURLs.join(',')}`);
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    const m = this.members.find((x) => x.ID === req.ID);
    if (m === undefined) return Promise.reject(new ErrMemberNotFound());
    if (this.members.some((x) => x.ID !== req.ID && x.peerURLs.some((u) => req.peerURLs.includes(u)))) return Promise.reject(new ErrPeerURLExist());
    m.peerURLs = req.peerURLs;
    return Promise.resolve({ header: undefined, members: this.members });
  }
}

function request(method: string, path: string, body?: string, contentType?: string): HttpRequest {
  return {
    method,
    path,
    query: new URLSearchParams(),
    headers: contentType === undefined ? {} : { 'content-type': contentType },
    readBody: () => Promise.resolve(Buffer.from(body ?? '')),
  };
}

async function call(backend: V2MembersBackend, req: HttpRequest): Promise<HttpResponse> {
  return membersHandler(backend)(req);
}

function header(res: HttpResponse, name: string): string | undefined {
  const entry = Object.entries(res.headers ?? {}).find(([k]) => k.toLowerCase() === name.toLowerCase());
  return entry?.[1];
}

const N1_JSON = '{"id":"667880157b8812c8","name":"n1","peerURLs":["http://127.0.0.1:42380"],"clientURLs":["http://127.0.0.1:42379"]}';

describe('GET', () => {
  test('/v2/members and /v2/members/ list every member (learners too) in etcd bytes', async () => {
    const cluster = new FakeCluster();
    for (const path of ['/v2/members', '/v2/members/']) {
      const res = await call(cluster, request('GET', path));
      expect(res.status).toBe(200);
      expect(header(res, 'content-type')).toBe('application/json');
      expect(header(res, 'x-etcd-cluster-id')).toBe(CLUSTER);
      expect(res.body).toBe(`{"members":[${N1_JSON},{"id":"1234","name":"l1","peerURLs":["http://127.0.0.1:42390"],"clientURLs":[]}]}\n`);
    }
  });

  test('/v2/members/leader is the leader, 503 "During election" without one; other names 404', async () => {
    const cluster = new FakeCluster();
    const res = await call(cluster, request('GET', '/v2/members/leader'));
    expect([res.status, res.body]).toEqual([200, `${N1_JSON}\n`]);
    cluster.leader = 0n;
    const none = await call(cluster, request('GET', '/v2/members/leader'));
    expect([none.status, none.body, header(none, 'content-type')]).toEqual([503, '{"message":"During election"}', 'application/json']);
    const other = await call(cluster, request('GET', '/v2/members/foo'));
    expect([other.status, other.body]).toEqual([404, '{"message":"Not found"}']);
  });

  test('names are escaped as Go escapes them', async () => {
    const cluster = new FakeCluster();
    cluster.members = [{ ID: 1n, name: 'a<b>&"c"', peerURLs: [], clientURLs: [], isLearner: false }];
    const res = await call(cluster, request('GET', '/v2/members'));
    expect(res.body).toBe('{"members":[{"id":"1","name":"a\\u003cb\\u003e\\u0026\\"c\\"","peerURLs":[],"clientURLs":[]}]}\n');
  });

  test('the backend gets a request context with a deadline signal', async () => {
    const cluster = new FakeCluster();
    await call(cluster, request('GET', '/v2/members'));
    expect(cluster.signals[0]?.aborted).toBe(false);
  });
});

describe('methods and paths', () => {
  test('other methods: 405 with Allow and no cluster id', async () => {
    for (const method of ['PATCH', 'HEAD']) {
      const res = await call(new FakeCluster(), request(method, '/v2/members'));
      expect(res.status).toBe(405);
      expect(header(res, 'allow')).toBe('GET,POST,DELETE,PUT');
      expect(header(res, 'x-etcd-cluster-id')).toBeUndefined();
      expect(res.body).toBe('Method Not Allowed\n');
    }
  });

  test('DELETE or PUT without an id: 405 with the cluster id and no Allow', async () => {
    for (const method of ['DELETE', 'PUT']) {
      for (const path of ['/v2/members', '/v2/members/']) {
        const res = await call(new FakeCluster(), request(method, path, '{"peerURLs":["http://h:1"]}', 'application/json'));
        expect(res.status).toBe(405);
        expect(header(res, 'allow')).toBeUndefined();
        expect(header(res, 'x-etcd-cluster-id')).toBe(CLUSTER);
        expect(header(res, 'content-type')).toBe('text/plain; charset=utf-8');
      }
    }
  });

  test('a path that only shares the prefix is not ours', async () => {
    const res = await call(new FakeCluster(), request('GET', '/v2/membersx'));
    expect([res.status, res.body]).toEqual([404, '404 page not found\n']);
  });
});

describe('POST (add)', () => {
  test('adds a voter with sorted peer URLs: 201 + the new member', async () => {
    const cluster = new FakeCluster();
    const res = await call(cluster, request('POST', '/v2/members', '{"peerURLs":["http://b:2380"," http://a:2380"]}', 'application/json'));
    expect(cluster.calls).toEqual(['add http://a:2380,http://b:2380 learner=false']);
    expect(res.status).toBe(201);
    expect(header(res, 'x-etcd-cluster-id')).toBe(CLUSTER);
    expect(res.body).toBe('{"id":"ace9938223df75a7","name":"","peerURLs":["http://a:2380","http://b:2380"],"clientURLs":[]}\n');
  });

  test('content type must be application/json (parameters allowed): 415 otherwise, nothing proposed', async () => {
    const cluster = new FakeCluster();
    const form = await call(cluster, request('POST', '/v2/members', '{"peerURLs":["http://h:1"]}', 'application/x-www-form-urlencoded'));
    expect([form.status, form.body]).toEqual([415, '{"message":"Bad Content-Type application/x-www-form-urlencoded, accept application/json"}']);
    expect(header(form, 'x-etcd-cluster-id')).toBe(CLUSTER);
    const missing = await call(cluster, request('POST', '/v2/members', '{}'));
    expect([missing.status, missing.body]).toEqual([415, '{"message":"Bad Content-Type , accept application/json"}']);
    expect(cluster.calls).toEqual([]);
    const withCharset = await call(cluster, request('POST', '/v2/members', '{"peerURLs":["http://h:1"]}', 'Application/JSON; charset=UTF-8'));
    expect(withCharset.status).toBe(201);
  });

  test('a URL already used: 409 with membership wording', async () => {
    const res = await call(new FakeCluster(), request('POST', '/v2/members', '{"peerURLs":["http://127.0.0.1:42380"]}', 'application/json'));
    expect([res.status, res.body]).toEqual([409, '{"message":"membership: peerURL exists"}']);
  });

  test('bad bodies and URLs: 400 with Go wording, nothing proposed', async () => {
    const cluster = new FakeCluster();
    const cases: Array<[string, string]> = [
      ['garbage', "invalid character 'g' looking for beginning of value"],
      ['{}', 'no valid URLs given'],
      ['{"peerURLs":["notaurl"]}', 'URL scheme must be http, https, unix, or unixs: notaurl'],
      ['{"peerURLs":["http://h"]}', 'URL address does not have the form \\"host:port\\": http://h'],
      ['{"peerURLs":["http://h:2380/"]}', 'URL must not contain a path: http://h:2380/'],
      ['{"peerURLs":"http://h:1"}', 'json: cannot unmarshal string into Go struct field .peerURLs of type []string'],
    ];
    for (const [body, message] of cases) {
      const res = await call(cluster, request('POST', '/v2/members', body, 'application/json'));
      expect([res.status, res.body]).toEqual([400, `{"message":"${message}"}`]);
    }
    expect(cluster.calls).toEqual([]);
  });

  test('any other failure is a 500 "Internal Server Error"', async () => {
    const cluster = new FakeCluster();
    cluster.failWith = new ErrMemberNotEnoughStarted();
    const res = await call(cluster, request('POST', '/v2/members', '{"peerURLs":["http://h:1"]}', 'application/json'));
    expect([res.status, res.body]).toEqual([500, '{"message":"Internal Server Error"}']);
  });
});

describe('DELETE (remove)', () => {
  test('204 once, then 410 "permanently removed"; unknown ids 404; non-hex ids 404 as typed', async () => {
    const cluster = new FakeCluster();
    const ok = await call(cluster, request('DELETE', '/v2/members/1234'));
    expect([ok.status, ok.body]).toEqual([204, undefined]);
    expect(header(ok, 'x-etcd-cluster-id')).toBe(CLUSTER);
    const again = await call(cluster, request('DELETE', '/v2/members/001234'));
    expect([again.status, again.body]).toEqual([410, '{"message":"Member permanently removed: 1234"}']);
    const unknown = await call(cluster, request('DELETE', '/v2/members/abcd'));
    expect([unknown.status, unknown.body]).toEqual([404, '{"message":"No such member: abcd"}']);
    const bad = await call(cluster, request('DELETE', '/v2/members/zz'));
    expect([bad.status, bad.body]).toEqual([404, '{"message":"No such member: zz"}']);
    const tooBig = await call(cluster, request('DELETE', '/v2/members/10000000000000000'));
    expect(tooBig.status).toBe(404);
    expect(cluster.calls).toEqual(['remove 1234', 'remove 1234', 'remove abcd']);
  });

  test('a timeout or other failure is a 500', async () => {
    const cluster = new FakeCluster();
    cluster.failWith = new Error('etcdserver: request timed out');
    const res = await call(cluster, request('DELETE', '/v2/members/1234'));
    expect([res.status, res.body]).toEqual([500, '{"message":"Internal Server Error"}']);
  });
});

describe('PUT (update)', () => {
  test('204 and the member gets the new URLs', async () => {
    const cluster = new FakeCluster();
    const res = await call(cluster, request('PUT', '/v2/members/1234', '{"PeerURLs":["http://127.0.0.1:9"]}', 'application/json'));
    expect(res.status).toBe(204);
    expect(cluster.members.find((m) => m.ID === 0x1234n)?.peerURLs).toEqual(['http://127.0.0.1:9']);
  });

  test('409 on a taken URL, 404 on an unknown id, 500 on a removed one, 415 on a form body', async () => {
    const cluster = new FakeCluster();
    const taken = await call(cluster, request('PUT', '/v2/members/1234', '{"peerURLs":["http://127.0.0.1:42380"]}', 'application/json'));
    expect([taken.status, taken.body]).toEqual([409, '{"message":"membership: peerURL exists"}']);
    const unknown = await call(cluster, request('PUT', '/v2/members/99', '{"peerURLs":["http://127.0.0.1:7"]}', 'application/json'));
    expect([unknown.status, unknown.body]).toEqual([404, '{"message":"No such member: 99"}']);
    cluster.removed.add(0x98n);
    const removed = await call(cluster, request('PUT', '/v2/members/98', '{"peerURLs":["http://127.0.0.1:7"]}', 'application/json'));
    expect(removed.status).toBe(500);
    const form = await call(cluster, request('PUT', '/v2/members/1234', 'x', 'application/x-www-form-urlencoded'));
    expect(form.status).toBe(415);
  });
});

test("writes (not reads) look up v2 auth first, as etcd's hasWriteRootAccess does", async () => {
  const cluster = new FakeCluster();
  const seen: string[] = [];
  cluster.detectV2Auth = () => void seen.push('auth');
  await call(cluster, request('GET', '/v2/members'));
  await call(cluster, request('GET', '/v2/members/leader'));
  expect(seen).toEqual([]);
  await call(cluster, request('DELETE', '/v2/members/zz'));
  await call(cluster, request('POST', '/v2/members', 'x', 'text/plain'));
  await call(cluster, request('PUT', '/v2/members/1234', '{"peerURLs":["http://h:1"]}', 'application/json'));
  expect(seen).toEqual(['auth', 'auth', 'auth']);
  await call(cluster, request('PATCH', '/v2/members'));
  expect(seen).toHaveLength(3);
});

describe('a backend without membership changes', () => {
  test('answers a clear 501 instead of pretending', async () => {
    const listOnly: V2MembersBackend = {
      leaderId: () => 1n,
      clusterIdHex: () => CLUSTER,
      memberList: () => Promise.resolve({ header: undefined, members: [] }),
    };
    const res = await call(listOnly, request('POST', '/v2/members', '{"peerURLs":["http://h:1"]}', 'application/json'));
    expect(res.status).toBe(501);
    expect(res.body).toContain('not implemented');
  });
});

describe('parsing helpers', () => {
  test('peer URLs follow types.NewURLs', () => {
    expect(parsePeerUrls(['https://b:1', 'http://a:1', 'unix://s:0'])).toEqual(['http://a:1', 'https://b:1', 'unix://s:0']);
    expect(parsePeerUrls(['http://[::1]:2380'])).toEqual(['http://[::1]:2380']);
    expect(() => parsePeerUrls(['http://[::1]'])).toThrow('host:port');
    expect(() => parsePeerUrls(['http://h:abc'])).toThrow('invalid port ":abc" after host');
    expect(() => parsePeerUrls([])).toThrow('no valid URLs given');
  });

  test('bodies follow Go json.Unmarshal', () => {
    expect(parseMemberRequestBody('null')).toEqual([]);
    expect(parseMemberRequestBody('{"peerurls":["x"],"other":1}')).toEqual(['x']);
    expect(() => parseMemberRequestBody('')).toThrow('unexpected end of JSON input');
    expect(() => parseMemberRequestBody('[1]')).toThrow('cannot unmarshal array');
    expect(() => parseMemberRequestBody('{"peerURLs":[1]}')).toThrow('cannot unmarshal number into Go struct field .peerURLs of type string');
  });
});
