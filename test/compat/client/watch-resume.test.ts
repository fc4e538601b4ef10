// Watch resume across a member failure: a 3-member cluster on loopback (real etcd, and tsetcd),
// a watcher on the member the client is connected to, that member killed (SIGKILL) while puts go
// on. The revisions the watcher delivers must have no gap and no duplicate.
import { Client } from '@tsetcd/client';
import { freePort, type ServerHandle, type ServerOptions } from '../../support';
import { TARGETS, sleep, within } from './targets';

jest.setTimeout(180_000);
const trace = (msg: string): void => { if (process.env.RESUME_TRACE) process.stderr.write(`[resume] ${msg}\n`); };

const PUTS_BEFORE_KILL = 30;
const PUTS_AFTER_KILL = 60;
/** Long enough to cover a leader election on a loaded 2-core machine. */
const LEASE_TTL_SECONDS = 8;

async function startCluster(start: (options: ServerOptions) => Promise<ServerHandle>, size: number): Promise<ServerHandle[]> {
  const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), peer: await freePort() })));
  const names = ports.map((_, i) => `m${i}`);
  const initialCluster = ports.map((p, i) => `${names[i]}=http://127.0.0.1:${p.peer}`).join(',');
  const token = `resume-${ports[0]!.client}`;
  return Promise.all(
    ports.map((p, i) =>
      start({
        name: names[i],
        clientPort: p.client,
        peerPort: p.peer,
        extraArgs: ['--initial-cluster', initialCluster, '--initial-cluster-token', token, '--initial-cluster-state', 'new'],
        startTimeoutMs: 30_000,
      }),
    ),
  );
}

/** The member that is leader, by asking each member's status (polls until one reports a leader). */
async function findLeader(probe: Client, members: ServerHandle[]): Promise<ServerHandle> {
  for (;;) {
    const statuses = await Promise.all(members.map((m) => probe.maintenance.status({ endpoint: m.endpoint })));
    const leader = statuses.find((s) => s.leader !== 0n)?.leader;
    const index = statuses.findIndex((s) => s.header.memberId === leader);
    if (leader !== undefined && index >= 0) return members[index]!;
    await sleep(200);
  }
}

describe.each(TARGETS)('client watch resume (3-member %s cluster)', (_name, start) => {
  let members: ServerHandle[] = [];
  const clients: Client[] = [];

  beforeEach(async () => {
    members = await startCluster(start, 3);
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
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
    // every write is seen, in order, each revision exactly once and with no gap between them
    for (const revision of written) expect(seen).toContain(revision);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBe(seen[i - 1]! + 1n);
    expect(seen[0]).toBe(written[0]);
  });

  test('a kept-alive lease survives the loss of the leader its client was connected to', async () => {
    const probe = new Client({ endpoints: members.map((m) => m.endpoint), callTimeoutMs: 15_000 });
    clients.push(probe);
    const victim = await within(findLeader(probe, members), 15_000, 'finding the leader');
    expect(victim).toBeDefined();
    const others = members.filter((m) => m !== victim).map((m) => m.endpoint);
    const client = new Client({ endpoints: [victim.endpoint, ...others], dialTimeoutMs: 1_000, callTimeoutMs: 15_000 });
    clients.push(client);
    const lease = await within(client.lease.grant(LEASE_TTL_SECONDS), 20_000, 'lease grant');
    const keepAlive = lease.keepAlive();
    await sleep(1_000);
    expect(client.currentEndpoint).toBe(victim.endpoint);
    process.kill(victim.pid, 'SIGKILL');
    await sleep(LEASE_TTL_SECONDS * 1000 + 2_000); // longer than the TTL: only keepalives through another member keep it
    expect(client.currentEndpoint).not.toBe(victim.endpoint);
    expect(keepAlive.lostError?.message ?? 'alive').toBe('alive');
    expect((await within(client.lease.timeToLive(lease.id), 20_000, 'timeToLive')).ttlSeconds).toBeGreaterThan(0n);
    keepAlive.close();
  });
});
