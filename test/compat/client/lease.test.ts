// Leases and keepalives through @tsetcd/client against etcd and tsetcd alike.
import { Client, ErrLeaseNotFound, LeaseLostError } from '@tsetcd/client';
import type { ServerHandle } from '../../support';
import { TARGETS, sleep } from './targets';

jest.setTimeout(60_000);

describe.each(TARGETS)('client lease against %s', (_name, start) => {
  let server: ServerHandle;
  let client: Client;

  beforeAll(async () => {
    server = await start();
    client = new Client({ endpoints: [server.endpoint], callTimeoutMs: 10_000 });
  });

  afterAll(async () => {
    client?.close();
    await server?.stop();
  });

  test('grant, attach keys, timeToLive with keys, leases, revoke deletes the keys', async () => {
    const lease = await client.lease.grant(60);
    expect(typeof lease.id).toBe('bigint');
    expect(lease.ttlSeconds).toBe(60n);
    await client.put('l/a', '1', { lease: lease.id });
    await client.put('l/b', '2', { lease: lease.id });
    const ttl = await client.lease.timeToLive(lease.id, { keys: true });
    expect(ttl.grantedTtlSeconds).toBe(60n);
    expect(ttl.ttlSeconds).toBeGreaterThan(50n);
    expect(ttl.keys.map((k) => k.toString()).sort()).toEqual(['l/a', 'l/b']);
    expect((await client.lease.leases()).ids).toContain(lease.id);
    expect((await client.get('l/a'))?.lease).toBe(lease.id);
    await lease.revoke();
    expect((await client.range({ key: 'l/', prefix: true })).count).toBe(0n);
    expect((await client.lease.timeToLive(lease.id)).ttlSeconds).toBe(-1n);
    await expect(client.lease.revoke(lease.id)).rejects.toBeInstanceOf(ErrLeaseNotFound);
  });

  test('grant with a chosen id; a namespace lists only its own keys, prefix stripped', async () => {
    const lease = await client.lease.grant(30, { id: 0x1234n });
    expect(lease.id).toBe(0x1234n);
    const ns = client.namespace('/lns/');
    await ns.put('mine', 'x', { lease: lease.id });
    await client.put('/elsewhere', 'y', { lease: lease.id });
    const ttl = await ns.lease.timeToLive(lease.id, { keys: true });
    expect(ttl.keys.map((k) => k.toString())).toEqual(['mine']);
    await lease.revoke();
  });

  test('keepAlive keeps a short lease alive past its TTL; revoke makes the handle lost', async () => {
    const lease = await client.lease.grant(2);
    await client.put('ka/k', 'v', { lease: lease.id });
    const handle = lease.keepAlive();
    let refreshed = 0;
    handle.on('keepalive', () => refreshed++);
    await sleep(3_500);
    expect(refreshed).toBeGreaterThanOrEqual(2);
    expect(handle.signal.aborted).toBe(false);
    expect((await client.get('ka/k'))?.valueString()).toBe('v');
    expect(handle.deadlineMs).toBeGreaterThan(performance.now());

    const lost = new Promise<LeaseLostError>((resolve) => handle.on('lost', resolve));
    await lease.revoke();
    const error = await lost;
    expect(error).toBeInstanceOf(LeaseLostError);
    expect(error.reason).toBe('expired');
    expect(handle.signal.aborted).toBe(true);
    expect(handle.signal.reason).toBe(error);
  });

  test('closing the handle stops keepalives and the lease then expires', async () => {
    const lease = await client.lease.grant(2);
    const handle = lease.keepAlive();
    await sleep(500);
    handle.close();
    expect(handle.signal.aborted).toBe(true);
    await sleep(3_500);
    expect((await client.lease.timeToLive(lease.id)).ttlSeconds).toBe(-1n);
  });
});
