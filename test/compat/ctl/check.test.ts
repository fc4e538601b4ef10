// check perf / check datascale: tsetcdctl against Debian's etcdctl 3.4.23 on real etcd and on tsetcd.
// Argument and prefix errors must match exactly; datascale runs both tools (etcdctl's progress bar and
// the measured MB normalised away); check perf runs 60 s in etcdctl, so only tsetcdctl runs it, shortened
// by its test hook, and its lines, verdict and clean-up are checked.
import { runEtcdctl, type EtcdctlResult } from '../../support/etcdctl';
import { stderrLines } from './ctl-normalize';
import { runTsetcdctl, useCtlServer } from './run-ctl';

jest.setTimeout(60_000);

const PERF_SHORT_S = '2';

/** etcdctl's pb progress bar (\r-separated states up to a newline) and the measured memory are not compared. */
function normalizeCheck(s: string): string {
  return s.replace(/\r[^\n]*\n/g, '').replace(/used : -?[0-9.]+ MB/, 'used : <n> MB');
}

function view(r: EtcdctlResult): { stdout: string; stderr: string[]; exitCode: number } {
  return { stdout: normalizeCheck(r.stdout), stderr: stderrLines(r.stderr), exitCode: r.exitCode };
}

describe.each(['etcd', 'tsetcd'] as const)('tsetcdctl check matches etcdctl 3.4.23 against %s', (kind) => {
  const ep = useCtlServer(kind, [['put', '/busy/k', 'v']]);

  test.each([
    [['check', 'perf', '--load', 'x']],
    [['check', 'perf', '--load=xLarge', '--prefix', '/busy/']],
    [['check', 'perf', '--prefix', '/busy/']],
    [['check', 'datascale', '--load', 'bogus']],
    [['check', 'datascale', '--prefix', '/busy/']],
  ])('errors: %p', async (args) => {
    const e = await runEtcdctl(ep(), args);
    const t = await runTsetcdctl(ep(), args);
    expect(view(t)).toEqual(view(e));
  });

  test('check datascale (small load): same lines, keys removed afterwards', async () => {
    const e = await runEtcdctl(ep(), ['check', 'datascale']);
    const t = await runTsetcdctl(ep(), ['check', 'datascale']);
    expect(view(t)).toEqual(view(e));
    expect(view(t).stdout).toMatch(/^Start data scale check for work load \[10000 key-value pairs, 1024 bytes per key-value, 50 concurrent clients\]\.\nPASS: Approximate system memory used : <n> MB\.\n$/);
    const left = await runEtcdctl(ep(), ['get', '/etcdctl-check-datascale/', '--prefix', '--keys-only']);
    expect(left.stdout).toBe('');
  });

  test('check perf (shortened): etcdctl verdict lines with the measured figures; exit code follows the verdict; keys removed', async () => {
    const t = await runTsetcdctl(ep(), ['check', 'perf', '--auto-compact'], { TSETCDCTL_CHECK_PERF_DURATION_S: PERF_SHORT_S });
    const lines = t.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^Compacting with revision \d+$/);
    expect(lines[1]).toBe(lines[0]?.replace('Compacting', 'Compacted'));
    const verdict = lines.slice(2);
    expect(verdict[0]).toMatch(/^(PASS: Throughput is|FAIL: Throughput too low:) \d+ writes\/s$/);
    expect(verdict[1]).toMatch(/^(PASS: Slowest request took|Slowest request took too long:) \d+\.\d{6}s$/);
    expect(verdict[2]).toMatch(/^(PASS: Stddev is|Stddev too high:) \d+\.\d{6}s$/);
    const failed = verdict.slice(0, 3).some((l) => !l.startsWith('PASS'));
    expect(verdict[3]).toBe(failed ? 'FAIL' : 'PASS');
    expect(t.exitCode).toBe(failed ? 1 : 0);
    // 150 writes/s for 2 s: the throughput printed is what was measured, near the target when it passes
    const rps = Number(/(\d+) writes\/s/.exec(verdict[0] ?? '')?.[1]);
    if (!failed) expect(rps).toBeGreaterThan(135);
    const left = await runEtcdctl(ep(), ['get', '/etcdctl-check-perf/', '--prefix', '--keys-only']);
    expect(left.stdout).toBe('');
  });
});
