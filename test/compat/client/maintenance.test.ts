// Maintenance and cluster calls through @tsetcd/client against etcd and tsetcd alike.
import { Client, ErrMemberNotFound } from '@tsetcd/client';
import type { ServerHandle } from '../../support';
import { freePort } from '../../support';
import { TARGETS } from './targets';

jest.setTimeout(60_000);

describe.each(TARGETS)('client maintenance and cluster against %s', (_name, start) => {
  let server: ServerHandle;
  let client: Client;

  beforeAll(async () => {
    server = await start();
    client = new Client({ endpoints: [`http://${server.endpoint}`], callTimeoutMs: 10_000 });
  });

  afterAll(async () => {
    client?.close();
    await server?.stop();
  });

  test('a dead first endpoint: calls fail over to the live one and say so', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const failover = new Client({ endpoints: [dead, server.endpoint], dialTimeoutMs: 1_000 });
    const moves: string[] = [];
    failover.events.on('failover', (from, to) => moves.push(`${from}->${to}`));
    try {
      await failover.put('fo/k', 'v');
      expect((await failover.get('fo/k'))?.valueString()).toBe('v');
      expect(moves).toEqual([`${dead}->${server.endpoint}`]);
    } finally {
      failover.close();
    }
  });

  test('memberList names the one member with its URLs', async () => {
    const { members, header } = await client.cluster.memberList();
    expect(members).toHaveLength(1);
    expect(members[0]?.name).toBe(server.name);
    expect(members[0]?.clientUrls).toEqual([server.url]);
    expect(members[0]?.peerUrls).toEqual([`http://127.0.0.1:${server.peerPort}`]);
    expect(members[0]?.id).toBe(header.memberId);
    expect(members[0]?.isLearner).toBe(false);
  });

  test('status: this member is the leader, with a version and a database size', async () => {
    const status = await client.maintenance.status();
    expect(status.leader).toBe(status.header.memberId);
    expect(status.version).toMatch(/^3\.4\./);
    expect(status.dbSize).toBeGreaterThan(0n);
    expect(status.raftIndex).toBeGreaterThan(0n);
  });

  test('hashKV changes with a write and is stable without one; hash and defragment answer', async () => {
    await client.put('m/k', '1');
    const a = await client.maintenance.hashKV();
    const b = await client.maintenance.hashKV();
    expect(b.hash).toBe(a.hash);
    await client.put('m/k', '2');
    const c = await client.maintenance.hashKV();
    expect(c.hash).not.toBe(a.hash);
    expect(typeof (await client.maintenance.hash()).hash).toBe('number');
    await expect(client.maintenance.defragment()).resolves.toHaveProperty('header');
  });

  test('no alarms are active', async () => {
    expect(await client.maintenance.alarms()).toEqual([]);
  });

  test('snapshot streams the database as chunks', async () => {
    let bytes = 0;
    let chunks = 0;
    for await (const chunk of client.maintenance.snapshot()) {
      bytes += chunk.length;
      chunks++;
    }
    expect(chunks).toBeGreaterThan(0);
    expect(bytes).toBeGreaterThan(0);
  });

  test('member add (learner), update, promote refused, remove', async () => {
    const peerUrl = `http://127.0.0.1:${await freePort()}`;
    const added = await client.cluster.memberAdd([peerUrl], { isLearner: true });
    const learner = added.member!;
    expect(learner.isLearner).toBe(true);
    expect(learner.peerUrls).toEqual([peerUrl]);
    expect(added.members).toHaveLength(2);
    const newPeerUrl = `http://127.0.0.1:${await freePort()}`;
    const updated = await client.cluster.memberUpdate(learner.id, [newPeerUrl]);
    expect(updated.members.find((m) => m.id === learner.id)?.peerUrls).toEqual([newPeerUrl]);
    // a learner that never started is not in sync with the leader
    await expect(client.cluster.memberPromote(learner.id)).rejects.toMatchObject({ name: 'ErrLearnerNotReady' });
    const removed = await client.cluster.memberRemove(learner.id);
    expect(removed.members.map((m) => m.id)).not.toContain(learner.id);
    await expect(client.cluster.memberRemove(learner.id)).rejects.toBeInstanceOf(ErrMemberNotFound);
  });
});
