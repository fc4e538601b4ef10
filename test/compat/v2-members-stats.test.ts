// /v2/members and /v2/stats/{self,leader,store} on the client port, sent with curl-like requests to
// Debian's etcd 3.4 (--enable-v2, expected) and to tsetcd (received): status, the compared headers,
// the trailing newline and the JSON body are compared after masking what differs between two
// clusters (member and cluster ids become member names, ports become "<client:n1>"/"<peer:n1>",
// times and durations are checked for Go's format, traffic counters become "0"/">0").
// Part 1: one member (members API incl. errors, stats, store counter deltas, then an unstarted
// member is added so the cluster loses its quorum). Part 2: three members (leader and follower
// views of /v2/stats/self, /v2/stats/leader with its followers, /v2/members/leader everywhere).
// COMPAT_TARGET=etcd compares two etcds (must show zero differences); COMPAT_DUMP_DIR=<dir> writes
// both sides' normalised outcomes as JSON for review.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../support/free-port';
import { startEtcd, startTsetcd, type ServerHandle, type ServerOptions } from '../support/server-process';
import { startAll, targetKind } from './diff/harness';
import { v2Http, type V2HttpResponse } from './v2/v2-http';

const V2_ARGS = ['--enable-v2'];
const HTTP_TIMEOUT_MS = 10_000;
/** How long a one-member cluster that lost its quorum may take to show it has no leader. */
const LEADERLESS_TIMEOUT_MS = 15_000;
const POLL_MS = 200;
const kind = targetKind();
const names = ['etcd', kind === 'etcd' ? 'etcd#2' : 'tsetcd'] as const;

// ---- HTTP -------------------------------------------------------------------------------------------

/** curl against the server: a body with its content type (none sent when undefined). */
function http(port: number, method: string, path: string, body?: string, contentType?: string): Promise<V2HttpResponse> {
  const raw = body === undefined ? {} : { raw: { body, ...(contentType !== undefined ? { contentType } : {}) } };
  return v2Http(`http://127.0.0.1:${port}`, { method, path, ...raw }, HTTP_TIMEOUT_MS);
}

// ---- normalising -------------------------------------------------------------------------------------

/** What one side knows to mask its own numbers: member ids and ports by member name. */
interface Side {
  readonly servers: readonly ServerHandle[];
  /** hex member id -> member label (filled from /v2/members). */
  readonly idNames: Map<string, string>;
  /** A member name as compared: the name without its side prefix, or its role in a cluster. */
  label(name: string): string;
}

const stripPrefix = (name: string): string => name.replace(/^.*-/, '');

const GO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/;
const GO_DURATION = /^(\d+h)?(\d+m)?\d+(\.\d+)?(ns|µs|ms|s)$/;
const HEX_ID = /^[0-9a-f]{1,16}$/;
const RATE_FIELDS = new Set(['recvPkgRate', 'recvBandwidthRate', 'sendPkgRate', 'sendBandwidthRate']);

function maskPorts(text: string, side: Side): string {
  return text.replace(/127\.0\.0\.1:(\d+)/g, (m, port: string) => {
    const p = Number(port);
    const s = side.servers.find((x) => x.clientPort === p || x.peerPort === p);
    if (s === undefined) return '127.0.0.1:<other>';
    return `127.0.0.1:<${s.clientPort === p ? 'client' : 'peer'}:${side.label(s.name)}>`;
  });
}

/** Known member ids inside a text (error messages name them). */
function maskIds(text: string, side: Side): string {
  return text.replace(/\b[0-9a-f]{1,16}\b/g, (m) => (side.idNames.has(m) ? idLabel(m, side) : m));
}

function idLabel(hex: unknown, side: Side): string {
  if (typeof hex !== 'string') return `<not a string: ${typeof hex}>`;
  if (!HEX_ID.test(hex)) return `<not a hex id: ${hex}>`;
  return `<id ${side.idNames.get(hex) ?? 'unknown'}>`;
}

function count(v: unknown): string {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return `<not a count: ${String(v)}>`;
  return v === 0 ? '0' : '>0';
}

function shape(v: unknown, re: RegExp, what: string): string {
  return typeof v === 'string' && re.test(v) ? `<${what}>` : `<not a ${what}: ${String(v)}>`;
}

function memberShape(m: Record<string, unknown>, side: Side): unknown {
  return {
    keys: Object.keys(m),
    id: idLabel(m.id, side),
    name: typeof m.name === 'string' && m.name !== '' ? side.label(m.name) : m.name,
    peerURLs: (m.peerURLs as string[]).map((u) => maskPorts(u, side)),
    clientURLs: (m.clientURLs as string[]).map((u) => maskPorts(u, side)),
  };
}

/** 'self-any-counts': the counters' values are timing-dependent (only their type is compared). */
/** minimum <= current, average <= maximum once a follower answered (min starts at 2^63 before). */
function latencyOrdered(latency: Record<string, unknown> | undefined): boolean {
  const l = (latency ?? {}) as Record<string, number>;
  const [min, cur, avg, max] = [l.minimum ?? NaN, l.current ?? NaN, l.average ?? NaN, l.maximum ?? NaN];
  return min <= cur && min <= avg && cur <= max && avg <= max;
}

type BodyKind = 'members' | 'member' | 'message' | 'text' | 'self' | 'self-any-counts' | 'leader' | 'store' | 'none';

function normalizeBody(kind: BodyKind, body: string, side: Side): unknown {
  if (kind === 'none' || kind === 'text') return maskPorts(body, side);
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return `<not JSON: ${body}>`;
  }
  switch (kind) {
    case 'members': {
      const list = (j.members as Record<string, unknown>[]).map((m) => memberShape(m, side));
      // etcd lists members by id; ids differ between the clusters, so compare in name order.
      list.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      return { keys: Object.keys(j), members: list };
    }
    case 'member':
      return memberShape(j, side);
    case 'message':
      return { keys: Object.keys(j), message: typeof j.message === 'string' ? maskIds(maskPorts(j.message, side), side) : j.message };
    case 'self':
    case 'self-any-counts': {
      const anyCount = (v: unknown): string => (kind === 'self' ? count(v) : count(v).replace(/^(0|>0)$/, '<count>'));
      const info = j.leaderInfo as Record<string, unknown>;
      return {
        keys: Object.keys(j).filter((k) => !RATE_FIELDS.has(k)),
        rates: Object.keys(j).filter((k) => RATE_FIELDS.has(k)).every((k) => typeof j[k] === 'number' && (j[k] as number) > 0),
        name: typeof j.name === 'string' ? side.label(j.name) : j.name,
        id: idLabel(j.id, side),
        state: j.state,
        startTime: shape(j.startTime, GO_TIME, 'time'),
        leaderInfo: {
          keys: Object.keys(info),
          leader: info.leader === '' ? '' : idLabel(info.leader, side),
          uptime: shape(info.uptime, GO_DURATION, 'duration'),
          startTime: shape(info.startTime, GO_TIME, 'time'),
        },
        recvAppendRequestCnt: anyCount(j.recvAppendRequestCnt),
        sendAppendRequestCnt: anyCount(j.sendAppendRequestCnt),
      };
    }
    case 'leader': {
      const followers = j.followers as Record<string, Record<string, Record<string, unknown>>>;
      return {
        keys: Object.keys(j),
        leader: idLabel(j.leader, side),
        followers: Object.fromEntries(
          Object.entries(followers).map(([id, f]) => [
            idLabel(id, side),
            {
              keys: Object.keys(f),
              latencyKeys: Object.keys(f.latency ?? {}),
              latencyNumbers: Object.values(f.latency ?? {}).every((v) => typeof v === 'number' && v >= 0),
              latencyOrdered: latencyOrdered(f.latency),
              counts: { keys: Object.keys(f.counts ?? {}), fail: typeof f.counts?.fail, success: count(f.counts?.success) },
            },
          ]),
        ),
      };
    }
    case 'store':
      return { keys: Object.keys(j), allCounts: Object.values(j).every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0) };
  }
}

const COMPARED_HEADERS = ['content-type', 'allow', 'x-content-type-options', 'x-etcd-cluster-id'] as const;

interface Outcome {
  status: number;
  headers: Record<string, string>;
  newline: boolean;
  body: unknown;
}

function normalize(answer: V2HttpResponse, kind: BodyKind, side: Side): Outcome {
  const headers: Record<string, string> = {};
  for (const h of COMPARED_HEADERS) {
    const v = answer.headers[h];
    if (v !== undefined) headers[h] = h === 'x-etcd-cluster-id' ? shape(v, HEX_ID, 'cluster id') : v;
  }
  return { status: answer.status, headers, newline: answer.body.endsWith('\n'), body: normalizeBody(kind, answer.body, side) };
}

// ---- steps ---------------------------------------------------------------------------------------------

interface StepContext {
  /** The (first) member's client port, peer URL and hex id. */
  readonly port: number;
  readonly peerUrl: string;
  readonly selfId: string;
  /** A peer URL nobody listens on (for adding a member that never starts). */
  readonly unusedPeerUrl: string;
  /** The hex id of the learner added through the v3 gateway (once added). */
  learnerId: string;
}

interface Step {
  readonly label: string;
  readonly expect: number;
  readonly kind: BodyKind;
  run(ctx: StepContext): Promise<V2HttpResponse>;
}

function req(label: string, expect: number, kind: BodyKind, method: string, path: string | ((c: StepContext) => string), body?: string | ((c: StepContext) => string), contentType?: string): Step {
  return {
    label,
    expect,
    kind,
    run: (c) =>
      http(c.port, method, typeof path === 'function' ? path(c) : path, typeof body === 'function' ? body(c) : body, contentType),
  };
}

const JSON_CT = 'application/json';
const FORM_CT = 'application/x-www-form-urlencoded';

type ScriptLine = readonly [method: string, path: string, body: string | undefined, contentType?: string];

const KEYS_SCRIPT: readonly ScriptLine[] = [
  ['PUT', '/v2/keys/h4/a', 'value=1', FORM_CT],
  ['PUT', '/v2/keys/h4/a', 'value=2', FORM_CT],
  ['GET', '/v2/keys/h4/a', undefined],
  ['GET', '/v2/keys/h4/missing', undefined],
  ['DELETE', '/v2/keys/h4/missing', undefined],
  ['PUT', '/v2/keys/h4/a?prevValue=2', 'value=3', FORM_CT],
  ['PUT', '/v2/keys/h4/a?prevValue=nope', 'value=4', FORM_CT],
  ['PUT', '/v2/keys/h4/b?prevExist=false', 'value=1', FORM_CT],
  ['PUT', '/v2/keys/h4/b?prevExist=false', 'value=1', FORM_CT],
  ['DELETE', '/v2/keys/h4/a?prevIndex=1', undefined],
  ['DELETE', '/v2/keys/h4/b', undefined],
];

/** Member writes look up v2 auth in the store (a failed get each); reads do not. */
const MEMBERS_SCRIPT: readonly ScriptLine[] = [
  ['GET', '/v2/members', undefined],
  ['GET', '/v2/members/leader', undefined],
  ['DELETE', '/v2/members/zz', undefined],
  ['POST', '/v2/members', 'x=1', FORM_CT],
  ['PUT', '/v2/members/1234', '{}', JSON_CT],
];

/** Store counters change by exactly what a fixed script of requests does. */
function storeCounterDeltas(what: string, script: readonly ScriptLine[]): Step {
  return {
    label: `GET /v2/stats/store: counter deltas over ${what}`,
    expect: 200,
    kind: 'none',
    async run(c) {
      const before = await http(c.port, 'GET', '/v2/stats/store');
      for (const [method, path, body, contentType] of script) await http(c.port, method, path, body, contentType);
      const after = await http(c.port, 'GET', '/v2/stats/store');
      const a = JSON.parse(after.body) as Record<string, number>;
      const b = JSON.parse(before.body) as Record<string, number>;
      const deltas = Object.fromEntries(Object.keys(a).map((k) => [k, (a[k] ?? 0) - (b[k] ?? 0)]));
      return { ...after, body: JSON.stringify(deltas) };
    },
  };
}

/** A learner added with the v3 API (the JSON gateway); /v2/members lists it like any member. */
const addLearner: Step = {
  label: 'POST /v3/cluster/member/add a learner (v3 gateway), for the v2 steps after it',
  expect: 200,
  kind: 'none',
  async run(c) {
    const a = await http(c.port, 'POST', '/v3/cluster/member/add', '{"peerURLs":["http://127.0.0.1:2"],"isLearner":true}', JSON_CT);
    const id = (JSON.parse(a.body) as { member?: { ID?: string } }).member?.ID;
    if (id !== undefined) c.learnerId = BigInt(id).toString(16);
    return { ...a, body: id === undefined ? a.body : 'learner added' };
  },
};

/** Polls until the member reports no leader (after adding a member that never starts). */
const leaderlessMembersLeader: Step = {
  label: 'GET /v2/members/leader after quorum is lost: 503 "During election"',
  expect: 503,
  kind: 'message',
  async run(c) {
    const deadline = Date.now() + LEADERLESS_TIMEOUT_MS;
    for (;;) {
      const a = await http(c.port, 'GET', '/v2/members/leader');
      if (a.status === 503 || Date.now() > deadline) return a;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  },
};

const oneMemberSteps: readonly Step[] = [
  req('GET /v2/members', 200, 'members', 'GET', '/v2/members'),
  req('GET /v2/members/', 200, 'members', 'GET', '/v2/members/'),
  req('GET /v2/members/leader', 200, 'member', 'GET', '/v2/members/leader'),
  req('GET /v2/members/foo: 404 Not found', 404, 'message', 'GET', '/v2/members/foo'),
  req('PATCH /v2/members: 405', 405, 'text', 'PATCH', '/v2/members'),
  req('HEAD /v2/members: 405', 405, 'none', 'HEAD', '/v2/members'),
  req('DELETE /v2/members (no id): 405', 405, 'text', 'DELETE', '/v2/members'),
  req('PUT /v2/members/ (no id): 405', 405, 'text', 'PUT', '/v2/members/', '{"peerURLs":["http://127.0.0.1:1"]}', JSON_CT),
  req('DELETE /v2/members/zz (not hex): 404', 404, 'message', 'DELETE', '/v2/members/zz'),
  req('POST form body: 415', 415, 'message', 'POST', '/v2/members', 'peerURLs=http://127.0.0.1:1', FORM_CT),
  req('POST without a content type: 415', 415, 'message', 'POST', '/v2/members', '{"peerURLs":["http://127.0.0.1:1"]}'),
  req('POST garbage JSON: 400', 400, 'message', 'POST', '/v2/members', 'garbage', 'application/json; charset=utf-8'),
  req('POST {}: 400 no valid URLs', 400, 'message', 'POST', '/v2/members', '{}', JSON_CT),
  req('POST a URL without scheme: 400', 400, 'message', 'POST', '/v2/members', '{"peerURLs":["notaurl"]}', JSON_CT),
  req('POST a URL without port: 400', 400, 'message', 'POST', '/v2/members', '{"peerURLs":["http://127.0.0.1"]}', JSON_CT),
  req('POST a URL with a path: 400', 400, 'message', 'POST', '/v2/members', '{"peerURLs":["http://127.0.0.1:1/x"]}', JSON_CT),
  req('POST peerURLs not a list: 400', 400, 'message', 'POST', '/v2/members', '{"peerURLs":"http://127.0.0.1:1"}', JSON_CT),
  req('POST an existing peer URL: 409', 409, 'message', 'POST', '/v2/members', (c) => `{"peerURLs":["${c.peerUrl}"]}`, JSON_CT),
  req('PUT /v2/members/<self> with its own peer URL: 204', 204, 'none', 'PUT', (c) => `/v2/members/${c.selfId}`, (c) => `{"peerURLs":["${c.peerUrl}"]}`, JSON_CT),
  req('PUT /v2/members/<self> form body: 415', 415, 'message', 'PUT', (c) => `/v2/members/${c.selfId}`, 'x=1', FORM_CT),
  req('PUT /v2/members/1234 (unknown): 404', 404, 'message', 'PUT', '/v2/members/1234', '{"peerURLs":["http://127.0.0.1:1"]}', JSON_CT),
  req('DELETE /v2/members/1234 (unknown): 404', 404, 'message', 'DELETE', '/v2/members/1234'),
  req('GET /v2/members after the update', 200, 'members', 'GET', '/v2/members'),
  req('GET /v2/stats/self (leader)', 200, 'self', 'GET', '/v2/stats/self'),
  req('GET /v2/stats/leader (no followers)', 200, 'leader', 'GET', '/v2/stats/leader'),
  req('GET /v2/stats/store', 200, 'store', 'GET', '/v2/stats/store'),
  storeCounterDeltas('a script of sets, gets, deletes, CAS, CAD and creates', KEYS_SCRIPT),
  storeCounterDeltas('member reads and rejected member writes', MEMBERS_SCRIPT),
  req('POST /v2/stats/self: 405', 405, 'text', 'POST', '/v2/stats/self'),
  req('DELETE /v2/stats/leader: 405', 405, 'text', 'DELETE', '/v2/stats/leader'),
  req('PUT /v2/stats/store: 405', 405, 'text', 'PUT', '/v2/stats/store', 'x', FORM_CT),
  req('GET /v2/stats: 404', 404, 'text', 'GET', '/v2/stats'),
  req('GET /v2/stats/: 404', 404, 'text', 'GET', '/v2/stats/'),
  req('GET /v2/stats/foo: 404', 404, 'text', 'GET', '/v2/stats/foo'),
  req('GET /v2/stats/self/: 404', 404, 'text', 'GET', '/v2/stats/self/'),
  addLearner,
  req('GET /v2/members lists the learner like a voter', 200, 'members', 'GET', '/v2/members'),
  req('DELETE /v2/members/<learner>: 204', 204, 'none', 'DELETE', (c) => `/v2/members/${c.learnerId}`),
  req('DELETE /v2/members/<learner> again: 410', 410, 'message', 'DELETE', (c) => `/v2/members/${c.learnerId}`),
  req('POST /v2/members/anything adds an unstarted member: 201', 201, 'member', 'POST', '/v2/members/anything', (c) => `{"peerURLs":["${c.unusedPeerUrl}"]}`, JSON_CT),
  req('GET /v2/members lists it with an empty name', 200, 'members', 'GET', '/v2/members'),
  leaderlessMembersLeader,
  req('GET /v2/stats/leader without a leader: 403', 403, 'message', 'GET', '/v2/stats/leader'),
  // The leader may or may not have sent the unstarted member an append before stepping down.
  req('GET /v2/stats/self without a leader', 200, 'self-any-counts', 'GET', '/v2/stats/self'),
];

async function membersOf(port: number): Promise<Array<{ id: string; name: string; peerURLs: string[] }>> {
  const a = await http(port, 'GET', '/v2/members');
  if (a.status !== 200) throw new Error(`GET /v2/members on :${port} answered ${a.status} ${a.body}`);
  return (JSON.parse(a.body) as { members: Array<{ id: string; name: string; peerURLs: string[] }> }).members;
}

async function learnIds(side: Side, port: number): Promise<void> {
  for (const m of await membersOf(port)) side.idNames.set(m.id, m.name === '' ? 'unstarted' : side.label(m.name));
}

interface Recorded {
  label: string;
  raw: V2HttpResponse | undefined;
  outcome: Outcome | { failure: string };
}

async function runOneMember(server: ServerHandle): Promise<Recorded[]> {
  const side: Side = { servers: [server], idNames: new Map(), label: stripPrefix };
  // A target without /v2/members still runs every step (each then shows its own difference).
  await learnIds(side, server.clientPort).catch(() => undefined);
  const self = [...side.idNames.keys()][0] ?? '0';
  const ctx: StepContext = {
    port: server.clientPort,
    peerUrl: `http://127.0.0.1:${server.peerPort}`,
    selfId: self,
    unusedPeerUrl: 'http://127.0.0.1:1',
    learnerId: '0',
  };
  const out: Recorded[] = [];
  for (const step of oneMemberSteps) {
    if (!server.alive()) {
      out.push({ label: step.label, raw: undefined, outcome: { failure: 'server exited' } });
      continue;
    }
    try {
      const answer = await step.run(ctx);
      if (step.kind === 'member' || step.kind === 'members') await learnIds(side, server.clientPort).catch(() => undefined);
      out.push({ label: step.label, raw: answer, outcome: normalize(answer, step.kind, side) });
    } catch (err) {
      out.push({ label: step.label, raw: undefined, outcome: { failure: (err as Error).message } });
    }
  }
  return out;
}

function dump(file: string, data: unknown): void {
  const dir = process.env.COMPAT_DUMP_DIR;
  if (dir === undefined) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), JSON.stringify(data, null, 1));
}

function compare(label: string, expected: unknown, received: unknown): void {
  try {
    expect(received).toEqual(expected);
  } catch (err) {
    throw new Error(`${label} differs (Expected = ${names[0]}, Received = ${names[1]})\n${(err as Error).message}`);
  }
}

function start(which: 'etcd' | 'tsetcd', options: ServerOptions): Promise<ServerHandle> {
  const opts = { ...options, extraArgs: [...V2_ARGS, ...(options.extraArgs ?? [])] };
  return which === 'etcd' ? startEtcd(opts) : startTsetcd(opts);
}

// ---- part 1: one member -----------------------------------------------------------------------------------

describe(`v2 members and stats, one member: ${names[0]} (expected) vs ${names[1]} (received)`, () => {
  let servers: ServerHandle[] = [];
  const results: Recorded[][] = [];

  beforeAll(async () => {
    servers = await startAll([() => start('etcd', { name: 'x-n1' }), () => start(kind, { name: 'x-n1' })]);
    results.push(...(await Promise.all(servers.map((s) => runOneMember(s)))));
    dump('v2-members-stats-one.json', oneMemberSteps.map((st, i) => ({ step: st.label, [names[0]]: results[0]?.[i]?.outcome, [names[1]]: results[1]?.[i]?.outcome })));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  }, 30_000);

  test('etcd answers every step with the annotated status (the sequence tests what it names)', () => {
    const wrong = oneMemberSteps.flatMap((step, i) => {
      const got = results[0]?.[i]?.raw?.status;
      return got === step.expect ? [] : [`${step.label}: annotated ${step.expect}, etcd answered ${String(got)}`];
    });
    expect(wrong).toEqual([]);
  });

  test.each(oneMemberSteps.map((s, i) => [s.label, i] as const))('%s', (label, i) => {
    const expected = results[0]?.[i]?.outcome;
    const received = results[1]?.[i]?.outcome;
    if (expected === undefined || received === undefined) throw new Error('no outcome recorded (did both servers start?)');
    compare(label, expected, received);
  });
});

// ---- part 2: three members ----------------------------------------------------------------------------------

const CLUSTER_NAMES = ['n1', 'n2', 'n3'] as const;
const CLUSTER_WRITES = 20;
/** etcd's HealthInterval (5 s) plus a margin: peers must be connected this long before a removal. */
const REMOVAL_SAFE_AFTER_MS = 6_500;

async function startCluster(which: 'etcd' | 'tsetcd', prefix: string): Promise<ServerHandle[]> {
  const ports = await Promise.all(CLUSTER_NAMES.map(async () => ({ client: await freePort(), peer: await freePort() })));
  const initialCluster = CLUSTER_NAMES.map((n, i) => `${prefix}-${n}=http://127.0.0.1:${ports[i]?.peer}`).join(',');
  return startAll(
    CLUSTER_NAMES.map((n, i) => () =>
      start(which, {
        name: `${prefix}-${n}`,
        clientPort: ports[i]?.client,
        peerPort: ports[i]?.peer,
        extraArgs: ['--initial-cluster', initialCluster, '--initial-cluster-token', `${prefix}-token`],
      }),
    ),
  );
}

interface ClusterView {
  label: string;
  outcome: unknown;
}

async function waitForLeader(servers: readonly ServerHandle[]): Promise<string> {
  const deadline = Date.now() + LEADERLESS_TIMEOUT_MS;
  for (;;) {
    const answers = await Promise.all(servers.map((s) => http(s.clientPort, 'GET', '/v2/members/leader').catch(() => undefined)));
    const ids = answers.map((a) => (a?.status === 200 ? (JSON.parse(a.body) as { id: string }).id : undefined));
    if (ids.every((id) => id !== undefined && id === ids[0])) return ids[0] as string;
    if (Date.now() > deadline) throw new Error(`no agreed leader: ${JSON.stringify(ids)}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function observeCluster(servers: readonly ServerHandle[]): Promise<ClusterView[]> {
  const first = servers[0];
  if (first === undefined) throw new Error('no servers');
  const upSinceMs = Date.now();
  const leaderId = await waitForLeader(servers);
  const byName = new Map((await membersOf(first.clientPort)).map((m) => [m.name, m.id]));
  const leader = servers.find((s) => byName.get(s.name) === leaderId);
  const followers = servers.filter((s) => s !== leader);
  if (leader === undefined) throw new Error(`leader ${leaderId} is not one of the started members`);
  // Which member leads differs between the clusters: members are named by role.
  const roles = new Map<string, string>([[leader.name, 'leader'], ...followers.map((f, i) => [f.name, `follower${i + 1}`] as [string, string])]);
  const side: Side = { servers, idNames: new Map(), label: (name) => roles.get(name) ?? `unknown ${name}` };
  await learnIds(side, first.clientPort);
  // Writes through a follower: appends flow from the leader to both followers.
  for (let i = 0; i < CLUSTER_WRITES; i++) await http(followers[0]?.clientPort ?? 0, 'PUT', `/v2/keys/h4/c${i}`, 'value=x', FORM_CT);
  const views: ClusterView[] = [];
  const add = async (label: string, port: number, path: string, kind: BodyKind): Promise<void> => {
    const a = await http(port, 'GET', path);
    views.push({ label, outcome: normalize(a, kind, side) });
  };
  views.push({ label: 'every member agrees on the leader', outcome: 'agreed' });
  for (const s of [leader, ...followers]) {
    const role = s === leader ? 'the leader' : 'a follower';
    await add(`GET /v2/members on ${role}`, s.clientPort, '/v2/members', 'members');
    await add(`GET /v2/members/leader on ${role}`, s.clientPort, '/v2/members/leader', 'member');
  }
  await add('GET /v2/stats/leader on the leader: both followers, latency and counts', leader.clientPort, '/v2/stats/leader', 'leader');
  await add('GET /v2/stats/self on the leader', leader.clientPort, '/v2/stats/self', 'self');
  for (const [i, f] of followers.entries()) {
    await add(`GET /v2/stats/leader on follower ${i + 1}: 403`, f.clientPort, '/v2/stats/leader', 'message');
    await add(`GET /v2/stats/self on follower ${i + 1}`, f.clientPort, '/v2/stats/self', 'self');
  }
  // Remove follower 2 through the leader: 204, then 410 for it, an update of it is a 500. etcd's
  // strict reconfiguration check refuses a removal (500) until peers have been connected for its
  // HealthInterval, so wait that long after the cluster came up.
  await new Promise((r) => setTimeout(r, Math.max(0, upSinceMs + REMOVAL_SAFE_AFTER_MS - Date.now())));
  const removed = followers[1];
  const removedId = [...byName.entries()].find(([n]) => n === removed?.name)?.[1] ?? '0';
  const write = async (label: string, method: string, body?: string): Promise<void> => {
    const a = await http(leader.clientPort, method, `/v2/members/${removedId}`, body, body === undefined ? undefined : JSON_CT);
    views.push({ label, outcome: normalize(a, a.status === 204 ? 'none' : 'message', side) });
  };
  await write('DELETE /v2/members/<follower 2>: 204', 'DELETE');
  await write('DELETE /v2/members/<follower 2> again: 410', 'DELETE');
  await write('PUT /v2/members/<follower 2> after its removal: 500', 'PUT', '{"peerURLs":["http://127.0.0.1:1"]}');
  await add('GET /v2/members after the removal', leader.clientPort, '/v2/members', 'members');
  await add('GET /v2/stats/leader after the removal: one follower', leader.clientPort, '/v2/stats/leader', 'leader');
  return views;
}

describe(`v2 members and stats, three members: ${names[0]} (expected) vs ${names[1]} (received)`, () => {
  let clusters: ServerHandle[][] = [];
  const views: ClusterView[][] = [];

  beforeAll(async () => {
    const settled = await Promise.allSettled([startCluster('etcd', 'e'), startCluster(kind, 't')]);
    clusters = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const observed = await Promise.allSettled(clusters.map((c) => observeCluster(c)));
    views.push(...observed.map((o) => (o.status === 'fulfilled' ? o.value : [{ label: 'observing the cluster', outcome: { failure: String(o.reason) } }])));
    dump('v2-members-stats-three.json', { [names[0]]: views[0], [names[1]]: views[1] });
  }, 150_000);

  afterAll(async () => {
    await Promise.all(clusters.flat().map((s) => s.stop()));
  }, 30_000);

  test('both clusters show the same views', () => {
    const expected = views[0];
    const received = views[1];
    if (expected === undefined || received === undefined) throw new Error('no views recorded (did both clusters start?)');
    for (const [i, e] of expected.entries()) compare(e.label, e, received[i]);
    expect(received.length).toBe(expected.length);
  });

  test("etcd's views are what this suite claims (followers listed, appends counted, 403 on followers)", () => {
    const text = JSON.stringify(views[0]);
    expect(text).toContain('"state":"StateFollower"');
    expect(text).toContain('"state":"StateLeader"');
    expect(text).toContain('"message":"not current leader"');
    expect(text).toContain('"recvAppendRequestCnt":">0"');
    expect(text).toContain('"sendAppendRequestCnt":">0"');
    expect(text).toContain('"success":">0"');
    expect(text).toContain('"latencyOrdered":true');
    expect(text).toContain('"message":"Member permanently removed: <id follower2>"');
    expect(text).toContain('"message":"Internal Server Error"');
  });
});
