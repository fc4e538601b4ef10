// snapshot restore: the argument and file errors of tsetcdctl match Debian's etcdctl 3.4.23, and a tsetcd
// snapshot restored by tsetcdctl starts a tsetcd holding the same keys (same revisions), as a new
// one-member cluster whose member id is the one etcd gives the same --name/--initial-cluster/token.
// Snapshots are bbolt files on both servers, so they also move data across: an etcd snapshot restored
// by tsetcdctl starts a tsetcd, and a tsetcd snapshot restored by Debian's etcdctl starts a real etcd,
// each holding the source's keys, revisions and leases.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEtcdctl, type EtcdctlResult } from '../../support/etcdctl';
import { freePort } from '../../support/free-port';
import { startEtcd, startTsetcd, type ServerHandle } from '../../support/server-process';
import { stderrLines } from './ctl-normalize';
import { assertTsetcdctlBuilt, runTsetcdctl } from './run-ctl';

jest.setTimeout(60_000);

const TOKEN = 'restore-token';

function view(r: EtcdctlResult, dir: string): { stdout: string; stderr: string[]; exitCode: number } {
  const n = (s: string): string => s.split(dir).join('<dir>');
  return { stdout: n(r.stdout), stderr: stderrLines(r.stderr).map(n), exitCode: r.exitCode };
}

describe('tsetcdctl snapshot restore', () => {
  let dir = '';
  const servers: ServerHandle[] = [];

  beforeAll(() => {
    assertTsetcdctlBuilt();
    dir = mkdtempSync(join(tmpdir(), 'tsetcdctl-restore-'));
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('errors match etcdctl (arguments, cluster flags, existing data dir, missing file, sha256 mismatch)', async () => {
    // a real snapshot file to corrupt: any tsetcd snapshot
    const src = await startTsetcd();
    servers.push(src);
    await runEtcdctl(src.endpoint, ['put', 'k', 'v']);
    const snap = join(dir, 'errors.db');
    expect((await runTsetcdctl(src.endpoint, ['snapshot', 'save', snap])).exitCode).toBe(0);
    const bad = join(dir, 'bad.db');
    const raw = readFileSync(snap);
    raw[100] = (raw[100] ?? 0) ^ 0xff;
    writeFileSync(bad, raw);
    mkdirSync(join(dir, 'exists'));
    const steps: string[][] = [
      ['snapshot', 'restore'],
      ['snapshot', 'restore', 'a', 'b'],
      ['snapshot', 'restore', snap, '--data-dir', join(dir, 'x1'), '--name', 'zz'],
      ['snapshot', 'restore', snap, '--data-dir', join(dir, 'x2'), '--initial-advertise-peer-urls', 'http://127.0.0.1:1'],
      ['snapshot', 'restore', snap, '--data-dir', join(dir, 'exists')],
      ['snapshot', 'restore', join(dir, 'nope.db'), '--data-dir', join(dir, 'x3')],
      ['snapshot', 'restore', bad, '--data-dir', join(dir, 'x4')],
    ];
    for (const args of steps) {
      const e = await runEtcdctl(src.endpoint, args);
      rmSync(join(dir, 'x4'), { recursive: true, force: true });
      const t = await runTsetcdctl(src.endpoint, args);
      rmSync(join(dir, 'x4'), { recursive: true, force: true });
      expect({ args: args.slice(2), ...view(t, dir) }).toEqual({ args: args.slice(2), ...view(e, dir) });
    }
  });

  test('snapshot save from tsetcd, restore, start tsetcd on the restored dir: same keys, new cluster, writable', async () => {
    const src = await startTsetcd();
    servers.push(src);
    for (const [k, v] of [['a', '1'], ['b', '2'], ['dir/c', '3'], ['a', '1b']] as const) await runEtcdctl(src.endpoint, ['put', k, v]);
    await runEtcdctl(src.endpoint, ['del', 'b']);
    const before = await runEtcdctl(src.endpoint, ['get', '', '--prefix', '-w', 'json']);
    const snap = join(dir, 'full.db');
    expect((await runTsetcdctl(src.endpoint, ['snapshot', 'save', snap])).exitCode).toBe(0);

    const peerPort = await freePort();
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const restored = join(dir, 'restored');
    const flags = ['--name', 'r1', '--initial-cluster', `r1=${peerUrl}`, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster-token', TOKEN];
    const r = await runTsetcdctl(src.endpoint, ['snapshot', 'restore', snap, '--data-dir', restored, ...flags]);
    expect([r.stdout, stderrLines(r.stderr), r.exitCode]).toEqual(['', [], 0]);

    const member = await startTsetcd({ dataDir: restored, name: 'r1', peerPort, extraArgs: ['--initial-cluster-token', TOKEN] });
    servers.push(member);
    const after = await runEtcdctl(member.endpoint, ['get', '', '--prefix', '-w', 'json']);
    const kvs = (s: string): unknown => (JSON.parse(s) as { kvs: unknown }).kvs;
    expect(kvs(after.stdout)).toEqual(kvs(before.stdout));
    expect((JSON.parse(after.stdout) as { kvs: unknown[] }).kvs).toHaveLength(2);

    expect((await runEtcdctl(member.endpoint, ['put', 'new', 'x'])).exitCode).toBe(0);
    expect((await runEtcdctl(member.endpoint, ['get', 'new', '--print-value-only'])).stdout).toBe('x\n');
    const members = await runEtcdctl(member.endpoint, ['member', 'list']);
    const ours = members.stdout.trim().split('\n');
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(new RegExp(`^[0-9a-f]+, started, r1, ${peerUrl}, ${member.url}, false$`));

    // etcd's restore with the same flags names the member the same
    const etcdSrc = await startEtcd();
    servers.push(etcdSrc);
    const etcdSnap = join(dir, 'etcd.db');
    expect((await runEtcdctl(etcdSrc.endpoint, ['snapshot', 'save', etcdSnap])).exitCode).toBe(0);
    await etcdSrc.stop();
    const etcdRestored = join(dir, 'etcd-restored');
    expect((await runEtcdctl(etcdSrc.endpoint, ['snapshot', 'restore', etcdSnap, '--data-dir', etcdRestored, ...flags])).exitCode).toBe(0);
    await member.stop();
    const etcdMember = await startEtcd({ dataDir: etcdRestored, name: 'r1', peerPort, extraArgs: ['--initial-cluster-token', TOKEN] });
    servers.push(etcdMember);
    const etcdMembers = await runEtcdctl(etcdMember.endpoint, ['member', 'list']);
    expect(etcdMembers.stdout.split(',')[0]).toBe(ours[0]?.split(',')[0]);
  });

  const ROOT = ['--user', 'root:root-pw'];

  /**
   * Puts, an overwrite, a delete and a leased key on `src`, then a root user (bcrypt-hashed by the
   * source) and auth enabled; returns its keys as `get --prefix -w json` shows them.
   */
  async function fill(src: ServerHandle): Promise<{ kvs: unknown; leaseId: string }> {
    for (const [k, v] of [['a', '1'], ['b', '2'], ['dir/c', '3'], ['a', '1b']] as const) expect((await runEtcdctl(src.endpoint, ['put', k, v])).exitCode).toBe(0);
    expect((await runEtcdctl(src.endpoint, ['del', 'b'])).exitCode).toBe(0);
    const grant = await runEtcdctl(src.endpoint, ['lease', 'grant', '3600']);
    const leaseId = /lease ([0-9a-f]+) granted/.exec(grant.stdout)![1]!;
    expect((await runEtcdctl(src.endpoint, ['put', 'leased', 'v', `--lease=${leaseId}`])).exitCode).toBe(0);
    const got = await runEtcdctl(src.endpoint, ['get', '', '--prefix', '-w', 'json']);
    expect((await runEtcdctl(src.endpoint, ['user', 'add', 'root:root-pw'])).exitCode).toBe(0);
    expect((await runEtcdctl(src.endpoint, ['auth', 'enable'])).exitCode).toBe(0);
    return { kvs: (JSON.parse(got.stdout) as { kvs: unknown }).kvs, leaseId };
  }

  test.each([
    ['etcd -> tsetcd: an etcd snapshot restored by tsetcdctl', 'etcd', 'tsetcd'],
    ['tsetcd -> etcd: a tsetcd snapshot restored by etcdctl', 'tsetcd', 'etcd'],
  ] as const)('%s starts a member with the same keys, revisions, leases and users', async (_name, from, to) => {
    const src = from === 'etcd' ? await startEtcd() : await startTsetcd();
    servers.push(src);
    const { kvs, leaseId } = await fill(src);
    const snap = join(dir, `${from}-to-${to}.db`);
    expect((await runEtcdctl(src.endpoint, [...ROOT, 'snapshot', 'save', snap])).exitCode).toBe(0);
    await src.stop();

    const peerPort = await freePort();
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const restored = join(dir, `${from}-to-${to}`);
    const flags = ['--name', 'm1', '--initial-cluster', `m1=${peerUrl}`, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster-token', TOKEN];
    const restore = to === 'tsetcd' ? await runTsetcdctl(src.endpoint, ['snapshot', 'restore', snap, '--data-dir', restored, ...flags]) : await runEtcdctl(src.endpoint, ['snapshot', 'restore', snap, '--data-dir', restored, ...flags]);
    expect(restore.exitCode).toBe(0);
    const start = to === 'tsetcd' ? startTsetcd : startEtcd;
    const member = await start({ dataDir: restored, name: 'm1', peerPort, extraArgs: ['--initial-cluster-token', TOKEN] });
    servers.push(member);

    // the source's bcrypt hash of root's password checks out on the other server
    const after = await runEtcdctl(member.endpoint, [...ROOT, 'get', '', '--prefix', '-w', 'json']);
    expect(after.exitCode).toBe(0);
    expect((JSON.parse(after.stdout) as { kvs: unknown }).kvs).toEqual(kvs);
    const wrong = await runEtcdctl(member.endpoint, ['--user', 'root:wrong', 'get', 'a']);
    expect(wrong.stderr).toContain('authentication failed, invalid user ID or password');
    const ttl = await runEtcdctl(member.endpoint, [...ROOT, 'lease', 'timetolive', leaseId, '--keys']);
    expect(ttl.stdout).toMatch(new RegExp(`^lease ${leaseId} granted with TTL\\(3600s\\), remaining\\(\\d+s\\), attached keys\\(\\[leased\\]\\)\n$`));
    expect((await runEtcdctl(member.endpoint, [...ROOT, 'put', 'after-restore', 'x'])).exitCode).toBe(0);
    const members = await runEtcdctl(member.endpoint, [...ROOT, 'member', 'list']);
    expect(members.stdout).toMatch(new RegExp(`^[0-9a-f]+, started, m1, ${peerUrl}, ${member.url}, false\n$`));
  });
});
