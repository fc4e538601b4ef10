// tsetcdctl snapshot status on snapshot files (bbolt, from tsetcd and from etcd): the revision is the
// server's, the hash is stable while nothing is written and changes after a write, the key count
// grows by the revisions written; on either server's file tsetcdctl prints exactly what Debian's
// etcdctl prints, in every output format; missing and foreign files give etcdctl's errors.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEtcdctl } from '../../support/etcdctl';
import { startEtcd, startTsetcd, type ServerHandle } from '../../support/server-process';
import { stderrLines } from './ctl-normalize';
import { assertTsetcdctlBuilt, runTsetcdctl } from './run-ctl';

jest.setTimeout(60_000);

interface Status {
  hash: number;
  revision: number;
  totalKey: number;
  totalSize: number;
}

describe('tsetcdctl snapshot status', () => {
  let tsetcd: ServerHandle | undefined;
  let etcd: ServerHandle | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'tsetcdctl-status-'));

  beforeAll(async () => {
    assertTsetcdctlBuilt();
    [tsetcd, etcd] = await Promise.all([startTsetcd(), startEtcd()]);
  });

  afterAll(async () => {
    await Promise.all([tsetcd?.stop(), etcd?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const ts = (): string => {
    if (!tsetcd) throw new Error('tsetcd not started');
    return tsetcd.endpoint;
  };

  async function save(name: string): Promise<string> {
    const path = join(dir, name);
    const r = await runTsetcdctl(ts(), ['snapshot', 'save', path]);
    expect(r.exitCode).toBe(0);
    return path;
  }

  async function status(path: string): Promise<Status> {
    const r = await runTsetcdctl(ts(), ['snapshot', 'status', path, '-w', 'json']);
    expect({ stderr: r.stderr, exitCode: r.exitCode }).toEqual({ stderr: '', exitCode: 0 });
    return JSON.parse(r.stdout) as Status;
  }

  async function serverRevision(): Promise<number> {
    const r = await runEtcdctl(ts(), ['get', 'x', '-w', 'json']);
    return (JSON.parse(r.stdout) as { header: { revision: number } }).header.revision;
  }

  test('revision, keys and hash follow the data; the simple and table forms print the same figures', async () => {
    for (const [k, v] of [['a', '1'], ['b', '2'], ['a', '3']]) expect((await runEtcdctl(ts(), ['put', k ?? '', v ?? ''])).exitCode).toBe(0);
    const s1 = await status(await save('1.db'));
    expect(s1.revision).toBe(await serverRevision());
    expect(s1.totalSize % 4096).toBe(0);
    expect(s1.totalSize).toBeGreaterThan(0);
    const s2 = await status(await save('2.db'));
    expect(s2).toEqual(s1);

    expect((await runEtcdctl(ts(), ['put', 'c', '4'])).exitCode).toBe(0);
    const s3 = await status(await save('3.db'));
    expect(s3.revision).toBe(s1.revision + 1);
    expect(s3.totalKey).toBe(s1.totalKey + 1);
    expect(s3.hash).not.toBe(s1.hash);

    const simple = await runTsetcdctl(ts(), ['snapshot', 'status', join(dir, '3.db')]);
    expect(simple.exitCode).toBe(0);
    const [hash, rev, keys, size] = simple.stdout.trimEnd().split(', ');
    expect([hash, Number(rev), Number(keys)]).toEqual([s3.hash.toString(16), s3.revision, s3.totalKey]);
    expect(size).toMatch(/^\d+(\.\d)? [kM]?B$/);
    const table = await runTsetcdctl(ts(), ['snapshot', 'status', join(dir, '3.db'), '-w', 'table']);
    expect(table.stdout).toContain('TOTAL KEYS');
    expect(table.stdout).toContain(` ${s3.hash.toString(16)} |`);
  });

  test.each(['tsetcd', 'etcd'] as const)("a %s snapshot: tsetcdctl prints what etcdctl prints, in every format", async (source) => {
    const server = source === 'etcd' ? etcd : tsetcd;
    if (!server) throw new Error(`${source} not started`);
    expect((await runEtcdctl(server.endpoint, ['put', 'status-key', source])).exitCode).toBe(0);
    const path = join(dir, `${source}-status.db`);
    expect((await runEtcdctl(server.endpoint, ['snapshot', 'save', path])).exitCode).toBe(0);
    for (const format of ['simple', 'json', 'table', 'fields']) {
      const args = ['snapshot', 'status', path, '-w', format];
      const [e, t] = [await runEtcdctl(ts(), args), await runTsetcdctl(ts(), args)];
      expect({ format, stdout: t.stdout, exitCode: t.exitCode }).toEqual({ format, stdout: e.stdout, exitCode: e.exitCode });
    }
  });

  test.each([[['snapshot', 'status', '/nonexistent/x.db']], [['snapshot', 'status']], [['snapshot', 'status', '/etc/hostname']]])('%j: same error line and exit code as etcdctl', async (args) => {
    const e = await runEtcdctl(ts(), args);
    const t = await runTsetcdctl(ts(), args);
    const firstError = (s: string) => stderrLines(s).filter((l) => l.startsWith('Error:')).slice(0, 1);
    expect([firstError(t.stderr), t.exitCode]).toEqual([firstError(e.stderr), e.exitCode]);
  });
});
