// Safety under faults, against etcd 3.4 and tsetcd: a SIGKILLed lock holder is succeeded only
// after its lease expired; a SIGSTOPped holder resumed past its TTL sees its hold signal aborted
// and its fenced write rejected; a SIGKILLed registered instance leaves discover() within TTL + 1 s.
import { Mutex, ServiceRegistry, Session } from '@tsetcd/recipes';
import { buildTsChild, killAll, runTs, until, type Proc } from './child-process';
import { TARGETS, useTarget } from './targets';

jest.setTimeout(40_000);
const HOLDER_TTL_SECONDS = 2;

beforeAll(() => {
  buildTsChild();
}, 60_000);

describe.each(TARGETS)('recipe faults on %s', (kind) => {
  const t = useTarget(kind);
  const procs: Proc[] = [];
  afterAll(() => killAll(procs));

  async function holder(prefix: string): Promise<{ proc: Proc; token: bigint; leaseId: bigint }> {
    const proc = runTs(['lock', t.server.endpoint, prefix, String(HOLDER_TTL_SECONDS)]);
    procs.push(proc);
    expect(await until(() => /LOCKED \d+ \d+/.test(proc.out), 15_000)).toBe(true);
    const m = /LOCKED (\d+) (\d+)/.exec(proc.out)!;
    return { proc, token: BigInt(m[1]!), leaseId: BigInt(m[2]!) };
  }

  test('SIGKILL a lock holder: the next waiter acquires only after the holder lease expired', async () => {
    const h = await holder('fault-kill');
    const session = await Session.create(t.client, { ttlSeconds: 10 });
    const waiting = new Mutex(session, 'fault-kill').lock();
    let acquiredAt = 0;
    void waiting.then(() => (acquiredAt = Date.now()));
    await new Promise((r) => setTimeout(r, 300));
    expect(acquiredAt).toBe(0);
    h.proc.child.kill('SIGKILL');
    await h.proc.exited;
    const hold = await waiting;
    // at the moment of acquisition the holder's lease is gone (expired, never revoked by anyone)
    expect((await t.client.lease.timeToLive(h.leaseId)).ttlSeconds).toBe(-1n);
    expect(hold.token).toBeGreaterThan(h.token);
    await hold.release();
    await session.close();
  });

  test('SIGSTOP a holder past its TTL: on SIGCONT its signal has aborted and its fenced write is rejected', async () => {
    const h = await holder('fault-stop');
    h.proc.child.kill('SIGSTOP');
    const session = await Session.create(t.client, { ttlSeconds: 10 });
    const hold = await new Mutex(session, 'fault-stop').lock(); // only possible once the stopped holder's lease expired
    expect((await t.client.lease.timeToLive(h.leaseId)).ttlSeconds).toBe(-1n);
    h.proc.child.kill('SIGCONT');
    h.proc.send('check');
    expect(await until(() => /FENCED (true|false)/.test(h.proc.out), 10_000)).toBe(true);
    expect(h.proc.out).toContain('SIGNAL true');
    expect(h.proc.out).toContain('FENCED false');
    expect(await t.client.get('fenced')).toBeUndefined();
    await hold.release();
    await session.close();
  });

  test('SIGKILL a registered instance: discover() drops it within TTL + 1 s', async () => {
    const registry = new ServiceRegistry(t.client);
    const proc = runTs(['register', t.server.endpoint, 'fault-svc', 'inst-1', String(HOLDER_TTL_SECONDS)]);
    procs.push(proc);
    expect(await until(() => proc.out.includes('REGISTERED'), 15_000)).toBe(true);
    expect((await registry.discover('fault-svc')).map((i) => i.instance)).toEqual(['inst-1']);
    proc.child.kill('SIGKILL');
    await proc.exited;
    const killedAt = Date.now();
    expect(await until(async () => (await registry.discover('fault-svc')).length === 0, (HOLDER_TTL_SECONDS + 1) * 1000, 100)).toBe(true);
    expect(Date.now() - killedAt).toBeLessThanOrEqual((HOLDER_TTL_SECONDS + 1) * 1000 + 500);
  });
});
