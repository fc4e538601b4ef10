// LeaseKeepAlive is a bidirectional stream: each request {ID} gets one answer {ID, TTL} — the
// granted TTL for a live lease, TTL 0 for an unknown or revoked one. Same script on both servers.
import { normalize, type Normalized } from '../support/normalize';
import { rawClient } from '../support/raw-client';
import { startEtcd, type ServerHandle } from '../support/server-process';
import { startAll, startTarget, targetKind } from './diff/harness';

const LEASE = 5001n;
const ANSWER_WAIT_MS = 3_000;
const HEADER_IDS = ['clusterId', 'memberId', 'raftTerm'];

type Action = { grant: bigint } | { revoke: bigint } | { keepAlive: bigint };
const script: [string, Action][] = [
  ['grant 5001 (TTL 60)', { grant: LEASE }],
  ['keep 5001 alive', { keepAlive: LEASE }],
  ['keep 5001 alive again', { keepAlive: LEASE }],
  ['keep an unknown lease alive (TTL 0)', { keepAlive: 999n }],
  ['revoke 5001', { revoke: LEASE }],
  ['keep the revoked lease alive (TTL 0)', { keepAlive: LEASE }],
];

async function run(server: ServerHandle): Promise<Normalized[]> {
  const client = rawClient(server.endpoint, { callTimeoutMs: 5_000 });
  const answers: unknown[] = [];
  let ended: string | undefined;
  const stream = client.bidi('Lease', 'leaseKeepAlive', {
    onResponse: (r) => answers.push(r),
    onEnd: (err) => {
      ended = err === null ? 'ended' : `error ${err.code}: ${err.details}`;
    },
  });
  const out: Normalized[] = [];
  try {
    for (const [, action] of script) {
      try {
        if ('grant' in action) out.push(normalize(await client.call('Lease', 'leaseGrant', { ID: action.grant, TTL: 60n }), { replaceDefaults: true, volatile: HEADER_IDS }));
        else if ('revoke' in action) out.push(normalize(await client.call('Lease', 'leaseRevoke', { ID: action.revoke }), { replaceDefaults: true, volatile: HEADER_IDS }));
        else {
          const before = answers.length;
          stream.send({ ID: action.keepAlive });
          const deadline = Date.now() + ANSWER_WAIT_MS;
          while (answers.length === before && ended === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
          out.push(answers.length > before ? normalize(answers[before], { replaceDefaults: true, volatile: HEADER_IDS }) : `no answer${ended ? ` (stream ${ended})` : ''}`);
        }
      } catch (err) {
        out.push(`error: ${(err as Error).message}`);
      }
    }
    return out;
  } finally {
    stream.cancel();
    client.close();
  }
}

const kind = targetKind();
const names = ['etcd', kind === 'etcd' ? 'etcd#2' : 'tsetcd'] as const;

describe(`lease keepalive stream: ${names[0]} (expected) vs ${names[1]} (received)`, () => {
  let servers: ServerHandle[] = [];
  let results: Normalized[][] = [];

  beforeAll(async () => {
    servers = await startAll([() => startEtcd(), () => startTarget(kind)]);
    results = await Promise.all(servers.map(run));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  }, 30_000);

  test('etcd answers a live lease with its TTL and a dead one with TTL 0', () => {
    expect(results[0]?.[1]).toMatchObject({ ID: 5001, TTL: 60 });
    expect(results[0]?.[3]).toMatchObject({ ID: 999, TTL: 0 });
    expect(results[0]?.[5]).toMatchObject({ ID: 5001, TTL: 0 });
  });

  test.each(script.map(([name], i) => [`#${i + 1} ${name}`, i] as const))('%s', (_label, i) => {
    if (results.length !== 2) throw new Error('no results recorded (did both servers start?)');
    expect(results[1]?.[i]).toEqual(results[0]?.[i]);
  });
});
