// tsetcdctl lease keep-alive against Debian's etcdctl 3.4.23, on real etcd and on tsetcd: the same
// stdout, `Error:` lines and exit code for --once on a live lease (simple, json, fields; the revision
// is the same for both tools as long as nothing is written in between), --once on an unknown lease,
// and a streaming keep-alive of an unknown lease (`expired or revoked.`, exit 0).
import { runEtcdctl, type EtcdctlResult } from '../../support/etcdctl';
import { stderrLines } from './ctl-normalize';
import { runTsetcdctl, useCtlServer } from './run-ctl';

jest.setTimeout(60_000);

function view(r: EtcdctlResult): { stdout: string; stderr: string[]; exitCode: number } {
  return { stdout: r.stdout, stderr: stderrLines(r.stderr), exitCode: r.exitCode };
}

describe.each(['etcd', 'tsetcd'] as const)('lease keep-alive matches etcdctl against %s', (kind) => {
  const ep = useCtlServer(kind);

  test('--once on a granted lease prints its TTL', async () => {
    const g = await runEtcdctl(ep(), ['lease', 'grant', '60']);
    const id = /lease ([0-9a-f]{16}) granted/.exec(g.stdout)?.[1];
    expect(id).toBeDefined();
    const e = await runEtcdctl(ep(), ['lease', 'keep-alive', '--once', id ?? '']);
    const t = await runTsetcdctl(ep(), ['lease', 'keep-alive', '--once', id ?? '']);
    expect(view(t)).toEqual(view(e));
    expect(t.stdout).toBe(`lease ${id} keepalived with TTL(60)\n`);
    for (const format of ['json', 'fields']) {
      const [ej, tj] = [await runEtcdctl(ep(), ['lease', 'keep-alive', '--once', id ?? '', '-w', format]), await runTsetcdctl(ep(), ['lease', 'keep-alive', '--once', id ?? '', '-w', format])];
      expect({ format, ...view(tj) }).toEqual({ format, ...view(ej) });
      expect(tj.stdout).toContain(format === 'json' ? `"ID":${BigInt(`0x${id}`)},"TTL":60}` : `"TTL" : 60`);
    }
  });

  test.each([
    [['lease', 'keep-alive', '--once', '1234']],
    [['lease', 'keep-alive', '1234']],
    [['lease', 'keep-alive']],
    [['lease', 'keep-alive', 'zz']],
  ])('%j', async (args) => {
    const e = await runEtcdctl(ep(), args);
    const t = await runTsetcdctl(ep(), args);
    expect(view(t)).toEqual(view(e));
  });
});
