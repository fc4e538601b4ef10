// Watch resume across a member failure: a 3-member real etcd cluster on loopback, a watcher on the
// member the client is connected to, that member killed (SIGKILL) while puts go on. The revisions
// the watcher delivers must have no gap and no duplicate.
import { Client } from '@tsetcd/client';
import { freePort, startEtcd, type ServerHandle } from '../../support';
import { sleep, within } from './targets';

jest.setTimeout(180_000);
const trace = (msg: string): void => { if (process.env.RESUME_TRACE) process.stderr.write(`[resume] ${msg}\n`); };

const PUTS_BEFORE_KILL = 30;
const PUTS_AFTER_KILL = 60;

async function startCluster(size: number): Promise<ServerHandle[]> {
  const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), peer: await freePort() })));
  const names = ports.map((_, i) => `m${i}`);
  const initialCluster = ports.map((p, i) => `${names[i]}=http://127.0.0.1:${p.peer}`).join(',');
  const token = `resume-${ports[0]!.client}`;
  return Promise.all(
    ports.map((p, i) =>
      startEtcd({
        name: names[i],
        clientPort: p.client,
        peerPort: p.peer,
        extraArgs: ['--initial-cluster', initialCluster, '--initial-cluster-token', token, '--initial-cluster-state', 'new'],
        startTimeoutMs: 30_000,
      }),
    ),
  );
}

describe('client watch resume (3-member etcd cluster)', () => {
  let members: ServerHandle[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    members = await startCluster(3);
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(members.map((m) => m.stop()));
  });

  test('killing the watcher’s member loses and duplicates no revision', async () => {
    const endpoints = members.map((m) => m.endpoint);
    const watching = new Client({ endpoints, dialTimeoutMs: 1_000, callTimeoutMs: 15_000 });
    // the writer prefers another member so that most writes survive the kill
    const writer = new Client({ endpoints: [endpoints[1]!, endpoints[2]!, endpoints[0]!], dialTimeoutMs: 1_000, callTimeoutMs: 15_000 });
    clients.push(watching, writer);

    const disconnected: string[] = [];
    watching.events.on('disconnected', (endpoint) => disconnected.push(endpoint));
    const watcher = watching.watch('resume/', { prefix: true });
    // a kept-alive lease on the same client must survive the failover too
    const lease = await within(watching.lease.grant(5), 20_000, 'lease grant');
    const keepAlive = lease.keepAlive();
    await within(watcher.created, 15_000, 'watch create');
    const victim = members.find((m) => m.endpoint === watching.currentEndpoint)!;
    expect(victim).toBeDefined();

    const written: bigint[] = [];
    const failures: string[] = [];
    let attempt = 0;
    const writeSome = async (count: number): Promise<void> => {
      const target = written.length + count;
      while (written.length < target && attempt < (PUTS_BEFORE_KILL + PUTS_AFTER_KILL) * 5) {
        attempt++;
        try {
          written.push((await writer.put(`resume/${attempt}`, `v${attempt}`)).header.revision);
        } catch (err) {
          // a write that failed during the failover may or may not have been applied
          failures.push((err as Error).message);
        }
        await sleep(10);
      }
    };

    const seen: bigint[] = [];
    const reading = (async (): Promise<void> => {
      for await (const ev of watcher) {
        if (ev.kind === 'progress') continue;
        seen.push(ev.revision);
      }
    })();

    reading.catch(() => undefined);
    await within(writeSome(PUTS_BEFORE_KILL), 40_000, 'writes before the kill');
    trace(`killing ${victim.name} (${victim.endpoint}); written ${written.length}`);
    process.kill(victim.pid, 'SIGKILL');
    await within(writeSome(PUTS_AFTER_KILL), 60_000, 'writes after the kill');
    trace(`written ${written.length}, failures ${failures.length}, seen ${seen.length}`);
    expect({ written: written.length, failures }).toEqual({ written: PUTS_BEFORE_KILL + PUTS_AFTER_KILL, failures: expect.any(Array) });
    const last = written[written.length - 1]!;
    const deadline = Date.now() + 30_000;
    while ((seen[seen.length - 1] ?? 0n) < last && Date.now() < deadline) await sleep(50);
    trace(`caught up: seen ${seen.length}`);
    watcher.close();
    await within(reading, 5_000, 'watch loop end');
    expect(seen[seen.length - 1]).toBeGreaterThanOrEqual(last);

    expect(watching.currentEndpoint).not.toBe(victim.endpoint);
    expect(disconnected).toContain(victim.endpoint);
    expect(keepAlive.signal.aborted).toBe(false);
    expect((await within(writer.lease.timeToLive(lease.id), 20_000, 'timeToLive')).ttlSeconds).toBeGreaterThan(0n);
    keepAlive.close();
    // every write is seen, in order, each revision exactly once and with no gap between them
    for (const revision of written) expect(seen).toContain(revision);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBe(seen[i - 1]! + 1n);
    expect(seen[0]).toBe(written[0]);
  });
});
