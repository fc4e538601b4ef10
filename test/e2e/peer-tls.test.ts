// Peer TLS: three tsetcd processes whose peer URLs are https, with --peer-client-cert-auth,
// --peer-trusted-ca-file and --peer-cert-allowed-cn. Raft streams, lease forwarding, a member
// that joins (member lookup over https) and a member that catches up by snapshot all go over
// TLS; a peer without a certificate, with one from another CA or with another CN is refused;
// an https peer URL without a key pair fails start-up with etcd's error.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port';
import { HAVE_OPENSSL, makeTestCerts } from '../support/tls-certs';
import { runEtcdctl } from '../support/etcdctl';
import { TSETCD_BIN } from '../support/server-process';
import { Cluster, bytes, catchUpFloodPuts, sleep } from './cluster-harness';

jest.setTimeout(90_000);

const ALLOWED_CN = 'tsetcd-peer';
/** Small enough that the flood below puts the lagging member behind the leader's compacted log. */
const SNAPSHOT_COUNT = 100;

const describeTls = HAVE_OPENSSL ? describe : describe.skip;

interface PeerAnswer {
  status?: number;
  error?: string;
}

/** GET /members on a peer URL with the given client certificate (or none). */
function getMembers(port: number, ca: Buffer, client?: { cert: Buffer; key: Buffer }): Promise<PeerAnswer> {
  return new Promise((resolve) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/members', ca, agent: false, timeout: 5000, ...client }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ error: err.message }));
  });
}

describeTls('peer TLS on a 3-member cluster', () => {
  const certDir = mkdtempSync(join(tmpdir(), 'tsetcd-peer-tls-'));
  let file: (name: string) => string;
  let cluster: Cluster;

  beforeAll(async () => {
    file = await makeTestCerts(certDir, [
      { name: 'peer', cn: ALLOWED_CN },
      { name: 'other-cn', cn: 'somebody-else' },
      { name: 'stranger', cn: ALLOWED_CN, ca: 'other-ca' },
    ]);
    cluster = new Cluster({
      size: 3,
      peerScheme: 'https',
      extraArgs: [
        '--peer-cert-file', file('peer.crt'),
        '--peer-key-file', file('peer.key'),
        '--peer-trusted-ca-file', file('ca.crt'),
        '--peer-client-cert-auth',
        '--peer-cert-allowed-cn', ALLOWED_CN,
        '--snapshot-count', String(SNAPSHOT_COUNT),
      ],
    });
    await cluster.start();
    await cluster.waitLeader();
  }, 60_000);

  afterAll(async () => {
    await cluster?.close();
    rmSync(certDir, { recursive: true, force: true });
  }, 30_000);

  const endpoints = (): string => cluster.serving().map((m) => m.endpoint).join(',');

  it('replicates over https: a write on the leader is read linearizably on every member, whose peer URLs are https', async () => {
    const leader = await cluster.waitLeader();
    await cluster.client(leader).kv.put({ key: bytes('tls/k'), value: bytes('over-tls') });
    for (const m of cluster.members) {
      const r = await cluster.client(m).kv.range({ key: bytes('tls/k') });
      expect(Buffer.from(r.kvs[0]!.value).toString()).toBe('over-tls');
    }
    const list = await runEtcdctl(endpoints(), ['member', 'list']);
    expect(list.exitCode).toBe(0);
    for (const m of cluster.members) expect(list.stdout).toContain(`, ${m.name}, https://127.0.0.1:${m.peerPort}, http://127.0.0.1:${m.clientPort}, false`);
  });

  it('forwards a follower\'s lease calls to the leader over https', async () => {
    const leader = await cluster.waitLeader();
    const follower = cluster.members.find((m) => m !== leader)!;
    const grant = (await cluster.client(leader).call('Lease', 'leaseGrant', { TTL: 60n })) as { ID: bigint };
    const ttl = (await cluster.client(follower).call('Lease', 'leaseTimeToLive', { ID: grant.ID, keys: false })) as { TTL: bigint; grantedTTL: bigint };
    expect(ttl.grantedTTL).toBe(60n);
    expect(ttl.TTL).toBeGreaterThan(50n);
  });

  it('refuses peers without a certificate, with another CA\'s certificate or with another CN', async () => {
    const port = cluster.members[0]!.peerListenPort;
    const ca = readFileSync(file('ca.crt'));
    const pair = (name: string): { cert: Buffer; key: Buffer } => ({ cert: readFileSync(file(`${name}.crt`)), key: readFileSync(file(`${name}.key`)) });
    expect(await getMembers(port, ca, pair('peer'))).toEqual({ status: 200 });
    for (const client of [undefined, pair('stranger'), pair('other-cn')]) {
      const answer = await getMembers(port, ca, client);
      expect(answer.status).toBeUndefined();
      expect(answer.error).toEqual(expect.any(String));
    }
  });

  it('a member that joins looks the cluster up over https and catches up', async () => {
    const m4 = await cluster.addMemberSlot('m4');
    const add = await runEtcdctl(endpoints(), ['member', 'add', 'm4', `--peer-urls=${cluster.peerUrl(m4)}`]);
    expect(add.exitCode).toBe(0);
    const initialCluster = /ETCD_INITIAL_CLUSTER="([^"]+)"/.exec(add.stdout)![1]!;
    cluster.spawn(m4, initialCluster, 'existing');
    await cluster.waitServing(m4);
    const r = await cluster.client(m4).kv.range({ key: bytes('tls/k'), serializable: false });
    expect(Buffer.from(r.kvs[0]!.value).toString()).toBe('over-tls');
  });

  it('a member that fell behind the leader\'s log receives the snapshot over https', async () => {
    const leader = await cluster.waitLeader();
    const lagger = cluster.members.find((m) => m !== leader && m.child !== undefined)!;
    await cluster.kill(lagger);
    await cluster.floodPuts(leader, catchUpFloodPuts(SNAPSHOT_COUNT));
    await cluster.client(leader).kv.put({ key: bytes('tls/last'), value: bytes('after-flood') });
    cluster.spawn(lagger, cluster.initialCluster(), 'new');
    await cluster.waitServing(lagger);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await cluster.client(lagger).kv.range({ key: bytes('tls/last'), serializable: true });
      if (r.kvs.length === 1) break;
      if (Date.now() > deadline) throw new Error(`${lagger.name} did not catch up:\n${lagger.tail.slice(-3000)}`);
      await sleep(200);
    }
    expect(lagger.tail).toContain('installed snapshot image');
  });
});

describe('--peer-auto-tls on a 3-member cluster', () => {
  const cluster = new Cluster({ size: 3, peerScheme: 'https', extraArgs: ['--peer-auto-tls'] });

  afterAll(async () => {
    await cluster.close();
  }, 30_000);

  it('each member makes its own self-signed pair in fixtures/peer and the cluster replicates over it', async () => {
    await cluster.start();
    const leader = await cluster.waitLeader();
    await cluster.client(leader).kv.put({ key: bytes('auto/k'), value: bytes('self-signed') });
    const certs = new Set<string>();
    for (const m of cluster.members) {
      const r = await cluster.client(m).kv.range({ key: bytes('auto/k') });
      expect(Buffer.from(r.kvs[0]!.value).toString()).toBe('self-signed');
      certs.add(readFileSync(join(m.dataDir, 'fixtures', 'peer', 'cert.pem'), 'utf8'));
    }
    expect(certs.size).toBe(3);
  }, 60_000);
});

describeTls('peer TLS start-up checks', () => {
  it('an https peer URL without --peer-cert-file/--peer-key-file fails start-up with etcd\'s error', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tsetcd-peer-tls-missing-'));
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, [
      TSETCD_BIN,
      '--data-dir', dataDir,
      '--listen-client-urls', `http://127.0.0.1:${clientPort}`,
      '--advertise-client-urls', `http://127.0.0.1:${clientPort}`,
      '--listen-peer-urls', `https://127.0.0.1:${peerPort}`,
      '--initial-advertise-peer-urls', `https://127.0.0.1:${peerPort}`,
      '--initial-cluster', `default=https://127.0.0.1:${peerPort}`,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
    expect(code).not.toBe(0);
    expect(out).toContain(`cannot listen on TLS for 127.0.0.1:${peerPort}: KeyFile and CertFile are not presented`);
  });
});
