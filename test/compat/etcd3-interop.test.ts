// The `etcd3` npm client (what Node.js users run against etcd) driving the KV API. The same
// scenario runs against real etcd (proving the expectations) and against the target (tsetcd).
import { Etcd3, EtcdLeaseInvalidError, GRPCOutOfRangeError, GRPCInvalidArgumentError } from 'etcd3';
import { startEtcd, type ServerHandle } from '../support/server-process';
import { startTarget, targetKind } from './diff/harness';

const kind = targetKind();
const targets: [string, () => Promise<ServerHandle>][] = [
  ['etcd', () => startEtcd()],
  [kind === 'etcd' ? 'etcd#2' : 'tsetcd', () => startTarget(kind)],
];

describe.each(targets)('etcd3 npm client against %s', (_name, start) => {
  let server: ServerHandle | undefined;
  let client: Etcd3;

  beforeAll(async () => {
    server = await start();
    client = new Etcd3({ hosts: server.url, dialTimeout: 3_000 });
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await server?.stop();
  }, 30_000);

  test('put then get a string, a number, a buffer', async () => {
    await client.put('greeting').value('hello');
    await client.put('count').value(42);
    await client.put('raw').value(Buffer.from([0, 1, 255]));
    expect(await client.get('greeting').string()).toBe('hello');
    expect(await client.get('count').number()).toBe(42);
    expect(await client.get('raw').buffer()).toEqual(Buffer.from([0, 1, 255]));
    expect(await client.get('absent').string()).toBeNull();
    expect(await client.get('greeting').exists()).toBe(true);
  });

  test('put returns the previous key-value', async () => {
    const previous = await client.put('greeting').value('hi').getPrevious();
    expect(previous?.value.toString()).toBe('hello');
    expect(previous?.version).toBe('1');
  });

  test('range: prefix, count, keys, sort, limit, revision reads', async () => {
    for (const [k, v] of [['r/a', '3'], ['r/b', '1'], ['r/c', '2'], ['s/x', '0']] as const) await client.put(k).value(v);
    expect(await client.getAll().prefix('r/').keys()).toEqual(['r/a', 'r/b', 'r/c']);
    expect(await client.getAll().prefix('r/').count()).toBe(3);
    expect(await client.getAll().prefix('r/').strings()).toEqual({ 'r/a': '3', 'r/b': '1', 'r/c': '2' });
    expect(await client.getAll().prefix('r/').sort('Key', 'Descend').limit(2).keys()).toEqual(['r/c', 'r/b']);
    expect(await client.getAll().prefix('r/').sort('Value', 'Ascend').keys()).toEqual(['r/b', 'r/c', 'r/a']);
    const response = await client.getAll().prefix('r/').limit(1).exec();
    expect(response.more).toBe(true);
    expect(response.count).toBe('3');
    const first = await client.get('r/a').exec();
    const rev = Number(first.kvs[0]?.mod_revision);
    await client.put('r/a').value('changed');
    expect(await client.get('r/a').revision(rev).string()).toBe('3');
    expect(await client.get('r/a').string()).toBe('changed');
    expect(await client.getAll().inRange({ start: 'r/b', end: 'r/d' }).keys()).toEqual(['r/b', 'r/c']);
  });

  test('delete: single key with previous, prefix, missing', async () => {
    const previous = await client.delete().key('r/b').getPrevious();
    expect(previous.map((kv) => kv.key.toString())).toEqual(['r/b']);
    const deleted = await client.delete().prefix('r/').exec();
    expect(deleted.deleted).toBe('2');
    expect((await client.delete().key('never-there').exec()).deleted).toBe('0');
    expect(await client.getAll().prefix('r/').count()).toBe(0);
  });

  test('txn: compare-and-swap both branches', async () => {
    await client.put('lock').value('free');
    const won = await client.if('lock', 'Value', '==', 'free').then(client.put('lock').value('mine')).else(client.get('lock')).commit();
    expect(won.succeeded).toBe(true);
    const lost = await client.if('lock', 'Value', '==', 'free').then(client.put('lock').value('theirs')).else(client.get('lock')).commit();
    expect(lost.succeeded).toBe(false);
    expect(lost.responses[0]?.response_range?.kvs[0]?.value.toString()).toBe('mine');
    const created = await client.if('fresh', 'Create', '==', 0).then(client.put('fresh').value('1')).commit();
    expect(created.succeeded).toBe(true);
    const versioned = await client.if('fresh', 'Version', '>', 0).and('lock', 'Mod', '>', 0).then(client.delete().key('fresh')).commit();
    expect(versioned.succeeded).toBe(true);
    expect(await client.get('fresh').exists()).toBe(false);
  });

  test('errors arrive as etcd3 error classes', async () => {
    const current = Number((await client.get('lock').exec()).header.revision);
    await expect(client.get('lock').revision(current + 1000).string()).rejects.toBeInstanceOf(GRPCOutOfRangeError);
    await expect(client.get('lock').revision(current + 1000).string()).rejects.toThrow('etcdserver: mvcc: required revision is a future revision');
    // etcd3 recognises this one by its message text
    await expect(client.put('leased').value('v').lease(1234).exec()).rejects.toBeInstanceOf(EtcdLeaseInvalidError);
    await expect(client.put('').value('v').exec()).rejects.toBeInstanceOf(GRPCInvalidArgumentError);
  });
});
