// Registry across a member restart, against etcd 3.4 and tsetcd: the server the registrar talks
// to is stopped for longer than the registration TTL and started again on the same data dir and
// port; the registration notices its lost lease and registers the instance again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@tsetcd/client';
import { ServiceRegistry } from '@tsetcd/recipes';
import { freePort, startEtcd, startTsetcd, type ServerHandle, type ServerOptions } from '../../support';
import { until } from './child-process';
import { TARGETS } from './targets';

jest.setTimeout(60_000);
const TTL_SECONDS = 2;

describe.each(TARGETS)('registry across a restart of %s', (kind) => {
  let server: ServerHandle | undefined;
  let client: Client | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), `recipes-restart-${kind}-`));
  afterAll(async () => {
    client?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('instances are registered again after the member comes back', async () => {
    const options: ServerOptions = { dataDir, clientPort: await freePort(), peerPort: await freePort() };
    const start = (): Promise<ServerHandle> => (kind === 'etcd' ? startEtcd(options) : startTsetcd(options));
    server = await start();
    client = new Client({ endpoints: [server.endpoint], callTimeoutMs: 5_000, dialTimeoutMs: 1_000 });
    const registry = new ServiceRegistry(client);
    const reg = await registry.register('restart-svc', 'i1', { ttlSeconds: TTL_SECONDS });
    const firstLease = reg.leaseId;
    await server.stop();
    server = undefined;
    await new Promise((r) => setTimeout(r, (TTL_SECONDS + 1) * 1000)); // the client-side lease deadline passes
    server = await start();
    expect(
      await until(async () => {
        // the registrar counts a registration after its put's response, which a reader can beat
        const kv = await client!.get('restart-svc/i1').catch(() => undefined);
        return kv !== undefined && kv.lease !== firstLease && reg.registrations >= 2;
      }, 20_000, 200),
    ).toBe(true);
    expect(reg.registrations).toBeGreaterThanOrEqual(2);
    // and the new registration is kept alive (past twice the TTL)
    await new Promise((r) => setTimeout(r, TTL_SECONDS * 2 * 1000));
    expect((await registry.discover('restart-svc')).map((i) => i.instance)).toEqual(['i1']);
    await reg.close();
    expect(await registry.discover('restart-svc')).toEqual([]);
  });
});
