// Lease calls on followers are forwarded to the leader (etcd's peer /leases and /leases/internal
// routes): a lease granted on the leader is kept alive and inspected through each follower with
// the leader's answers (a follower's own lessor never renews), LeaseLeases answers from the
// member's own lessor, and after the leader is SIGKILLed a survivor forwards to the new leader.

import { Cluster, sleep, withTimeout } from './cluster-harness';
import type { RawClient } from '../support/raw-client';

jest.setTimeout(90_000);

const LEASE_TTL_SECONDS = 30n;
const CALL_TIMEOUT_MS = 12_000;

/** One LeaseKeepAlive round on a fresh stream: the TTL the member answered. */
function keepAliveOnce(client: RawClient, id: bigint): Promise<bigint> {
  return withTimeout(
    new Promise<bigint>((resolve, reject) => {
      const stream = client.bidi('Lease', 'leaseKeepAlive', {
        onResponse: (r) => {
          resolve((r as { TTL: bigint }).TTL);
          stream.cancel();
        },
        onEnd: (err) => reject(err ?? new Error('keepalive stream ended without an answer')),
      });
      stream.send({ ID: id });
    }),
    CALL_TIMEOUT_MS,
  );
}

async function timeToLive(client: RawClient, id: bigint): Promise<{ TTL: bigint; grantedTTL: bigint; keys: Uint8Array[] }> {
  return (await client.call('Lease', 'leaseTimeToLive', { ID: id, keys: true })) as { TTL: bigint; grantedTTL: bigint; keys: Uint8Array[] };
}

describe('lease forwarding to the leader', () => {
  const cluster = new Cluster({ size: 3 });

  beforeAll(async () => {
    await cluster.start();
    await cluster.waitLeader();
  });

  afterAll(async () => {
    await cluster.close();
  });

  it('keeps alive and reads TTLs through followers, and through a survivor after the leader dies', async () => {
    const leader = await cluster.waitLeader();
    const followers = cluster.alive().filter((m) => m !== leader);
    expect(followers).toHaveLength(2);

    const grant = (await cluster.client(leader).call('Lease', 'leaseGrant', { TTL: LEASE_TTL_SECONDS })) as { ID: bigint };
    expect(grant.ID).not.toBe(0n);
    await cluster.client(leader).kv.put({ key: Buffer.from('leased'), value: Buffer.from('v'), lease: grant.ID });

    // Let the remaining TTL fall below the granted one: a renew through a follower restores it,
    // which only the primary lessor can do (a follower's lessor answers "not primary").
    await sleep(1500);
    for (const f of followers) {
      const before = await timeToLive(cluster.client(f), grant.ID);
      expect(before.grantedTTL).toBe(LEASE_TTL_SECONDS);
      expect(before.TTL).toBeLessThanOrEqual(LEASE_TTL_SECONDS);
      expect(before.TTL).toBeGreaterThan(0n);
      expect(before.keys.map((k) => Buffer.from(k).toString())).toEqual(['leased']);
      expect(await keepAliveOnce(cluster.client(f), grant.ID)).toBe(LEASE_TTL_SECONDS);
      const after = await timeToLive(cluster.client(f), grant.ID);
      expect(after.TTL).toBeGreaterThanOrEqual(LEASE_TTL_SECONDS - 1n);
      // The leader's lessor agrees: the renew happened there.
      expect((await timeToLive(cluster.client(leader), grant.ID)).TTL).toBeGreaterThanOrEqual(LEASE_TTL_SECONDS - 1n);
    }

    // Unknown leases: TTL -1 for TimeToLive, TTL 0 for KeepAlive (the leader's 404 answer).
    expect((await timeToLive(cluster.client(followers[0]!), grant.ID + 1n)).TTL).toBe(-1n);
    expect(await keepAliveOnce(cluster.client(followers[0]!), grant.ID + 1n)).toBe(0n);

    // LeaseLeases answers from the member's own lessor on followers too.
    const listed = (await cluster.client(followers[1]!).call('Lease', 'leaseLeases', {})) as { leases: { ID: bigint }[] };
    expect(listed.leases.map((l) => l.ID)).toContain(grant.ID);

    await cluster.kill(leader);
    const survivor = followers[0]!;
    // Sent right away: the survivor retries until a new leader exists (or the request times out).
    let ttl: bigint | undefined;
    const deadline = Date.now() + 20_000;
    while (ttl === undefined && Date.now() < deadline) {
      try {
        ttl = await keepAliveOnce(cluster.client(survivor), grant.ID);
      } catch {
        await sleep(200);
      }
    }
    expect(ttl).toBeGreaterThan(0n);
    const next = await cluster.waitLeader(10_000, cluster.alive());
    expect(next.name).not.toBe(leader.name);
    const other = cluster.alive().find((m) => m !== next)!;
    expect(await keepAliveOnce(cluster.client(other), grant.ID)).toBeGreaterThan(0n);
    expect((await timeToLive(cluster.client(other), grant.ID)).grantedTTL).toBe(LEASE_TTL_SECONDS);
  });
});
