// Go clientv3/concurrency (Debian's golang-etcd-server-dev) and TS recipes on one prefix, against
// etcd 3.4 and tsetcd: Go and TS Mutex lockers incrementing one counter lose no update (one holder
// at a time across both languages); Go and TS campaigners on one election have exactly one leader,
// and leadership passes from one language to the other when the leader dies.
// Without `go` or etcd's Go sources this suite FAILS with a message naming the packages to install.

import { GO_BUILD_TIMEOUT_MS, buildGoProbe, buildTsChild, killAll, run, runTs, until, type Proc } from './child-process';
import { TARGETS, useTarget } from './targets';

jest.setTimeout(60_000);
const CAMPAIGN_TTL_SECONDS = 2;
const INCREMENTS_EACH = 8;

let goBin: string;
beforeAll(() => {
  goBin = buildGoProbe();
  buildTsChild();
}, GO_BUILD_TIMEOUT_MS);

describe.each(TARGETS)('Go and TS recipes interoperate on %s', (kind) => {
  const t = useTarget(kind);
  const procs: Proc[] = [];
  afterAll(() => killAll(procs));

  test('Mutex: 2 Go + 2 TS lockers on one prefix lose no counter update', async () => {
    await t.client.put('interop-counter', '0');
    const lockers = [
      run(goBin, [t.server.endpoint, 'incr', 'interop-lock', 'interop-counter', String(INCREMENTS_EACH)]),
      runTs(['incr', t.server.endpoint, 'interop-lock', 'interop-counter', String(INCREMENTS_EACH)]),
      run(goBin, [t.server.endpoint, 'incr', 'interop-lock', 'interop-counter', String(INCREMENTS_EACH)]),
      runTs(['incr', t.server.endpoint, 'interop-lock', 'interop-counter', String(INCREMENTS_EACH)]),
    ];
    procs.push(...lockers);
    const codes = await Promise.all(lockers.map((p) => p.exited));
    expect({ codes, out: lockers.map((p) => p.out.trim()) }).toEqual({ codes: [0, 0, 0, 0], out: ['DONE', 'DONE', 'DONE', 'DONE'] });
    expect((await t.client.get('interop-counter'))?.valueString()).toBe(String(4 * INCREMENTS_EACH));
    expect((await t.client.range({ key: 'interop-lock/', prefix: true })).kvs).toEqual([]);
  });

  test('Election: one leader across Go and TS; SIGKILL the leader and the other language leads after lease expiry', async () => {
    const goC = run(goBin, [t.server.endpoint, 'campaign', 'interop-elect', 'go-1', String(CAMPAIGN_TTL_SECONDS)]);
    procs.push(goC);
    expect(await until(() => goC.out.includes('LEADER'), 10_000)).toBe(true);
    const keys = async (): Promise<number> => (await t.client.range({ key: 'interop-elect/', prefix: true })).kvs.length;
    const tsC = runTs(['campaign', t.server.endpoint, 'interop-elect', 'ts-1', String(CAMPAIGN_TTL_SECONDS)]);
    procs.push(tsC);
    expect(await until(async () => (await keys()) === 2, 10_000)).toBe(true);
    const goC2 = run(goBin, [t.server.endpoint, 'campaign', 'interop-elect', 'go-2', String(CAMPAIGN_TTL_SECONDS)]);
    procs.push(goC2);
    // both queue behind the Go leader: their keys exist, neither leads
    expect(await until(async () => (await keys()) === 3, 10_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 1_000));
    expect([tsC.out, goC2.out]).toEqual(['', '']);
    const first = (await t.client.range({ key: 'interop-elect/', prefix: true, sort: { target: 'create', order: 'ascend' }, limit: 1 })).kvs[0];
    expect(first?.valueString()).toBe('go-1');

    goC.child.kill('SIGKILL');
    await goC.exited;
    // the TS candidate queued first, so it is next; the second Go candidate keeps waiting
    await until(() => tsC.out.includes('LEADER ts-1'), (CAMPAIGN_TTL_SECONDS + 5) * 1000);
    expect({ ts: tsC.out, go: goC2.out }).toEqual({ ts: 'LEADER ts-1\n', go: '' });
    await new Promise((r) => setTimeout(r, 500));
    expect(goC2.out).toBe('');

    tsC.child.kill('SIGKILL');
    await tsC.exited;
    expect(await until(() => goC2.out.includes('LEADER go-2'), (CAMPAIGN_TTL_SECONDS + 5) * 1000)).toBe(true);
  });
});
