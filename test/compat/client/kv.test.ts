// KV, txn, namespaces and compaction through @tsetcd/client, against etcd and tsetcd alike.
import { Client, Compare, ErrCompacted, ErrEmptyKey, ErrFutureRev, Op } from '@tsetcd/client';
import type { ServerHandle } from '../../support';
import { TARGETS } from './targets';

jest.setTimeout(60_000);

describe.each(TARGETS)('client KV against %s', (_name, start) => {
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

  test('put then get returns the value with bigint revisions and string getters', async () => {
    const put = await client.put('kv/a', 'one');
    expect(typeof put.header.revision).toBe('bigint');
    const kv = await client.get('kv/a');
    expect(kv?.keyString()).toBe('kv/a');
    expect(kv?.valueString()).toBe('one');
    expect(kv?.key).toBeInstanceOf(Uint8Array);
    expect(kv?.modRevision).toBe(put.header.revision);
    expect(kv?.createRevision).toBe(put.header.revision);
    expect(kv?.version).toBe(1n);
    expect(await client.get('kv/missing')).toBeUndefined();
  });

  test('bytes keys and values round trip unchanged', async () => {
    const key = Uint8Array.from([0x6b, 0x76, 0x2f, 0x00, 0xff]);
    const value = Uint8Array.from([0, 1, 2, 254, 255]);
    await client.put(key, value);
    const kv = await client.get(key);
    expect(Buffer.compare(kv!.key, Buffer.from(key))).toBe(0);
    expect([...kv!.value]).toEqual([0, 1, 2, 254, 255]);
  });

  test('put with prevKv returns the previous value; ignoreValue keeps it', async () => {
    await client.put('kv/p', 'v1');
    const second = await client.put('kv/p', 'v2', { prevKv: true });
    expect(second.prevKv?.valueString()).toBe('v1');
    await client.put('kv/p', '', { ignoreValue: true });
    expect((await client.get('kv/p'))?.valueString()).toBe('v2');
    expect((await client.get('kv/p'))?.version).toBe(3n);
  });

  test('range by prefix with limit, sort, keysOnly, countOnly and revision', async () => {
    const first = await client.put('r/1', 'a');
    await client.put('r/2', 'b');
    await client.put('r/3', 'c');
    await client.put('r0', 'outside');
    const all = await client.range({ key: 'r/', prefix: true });
    expect(all.kvs.map((kv) => kv.keyString())).toEqual(['r/1', 'r/2', 'r/3']);
    expect(all.count).toBe(3n);
    const limited = await client.range({ key: 'r/', prefix: true, limit: 2, sort: { target: 'key', order: 'descend' } });
    expect(limited.kvs.map((kv) => kv.keyString())).toEqual(['r/3', 'r/2']);
    expect(limited.more).toBe(true);
    expect(limited.count).toBe(3n);
    const keysOnly = await client.range({ key: 'r/', prefix: true, keysOnly: true });
    expect(keysOnly.kvs.every((kv) => kv.value.length === 0)).toBe(true);
    const countOnly = await client.range({ key: 'r/', prefix: true, countOnly: true });
    expect(countOnly.kvs).toEqual([]);
    expect(countOnly.count).toBe(3n);
    const old = await client.range({ key: 'r/', prefix: true, revision: first.header.revision });
    expect(old.kvs.map((kv) => kv.keyString())).toEqual(['r/1']);
    const between = await client.range({ key: 'r/1', end: 'r/3' });
    expect(between.kvs.map((kv) => kv.keyString())).toEqual(['r/1', 'r/2']);
    const fromKey = await client.range({ key: 'r/3', fromKey: true, keysOnly: true });
    expect(fromKey.kvs.map((kv) => kv.keyString())).toContain('r0');
    const byMod = await client.range({ key: 'r/', prefix: true, minModRevision: first.header.revision + 1n });
    expect(byMod.kvs.map((kv) => kv.keyString())).toEqual(['r/2', 'r/3']);
    const serializable = await client.range({ key: 'r/', prefix: true, serializable: true, countOnly: true });
    expect(serializable.count).toBe(3n);
  });

  test('delete one key and a prefix, with prevKv', async () => {
    await client.put('d/1', 'x');
    await client.put('d/2', 'y');
    await client.put('d/3', 'z');
    const one = await client.delete('d/1', { prevKv: true });
    expect(one.deleted).toBe(1n);
    expect(one.prevKvs.map((kv) => kv.valueString())).toEqual(['x']);
    const rest = await client.delete({ key: 'd/', prefix: true });
    expect(rest.deleted).toBe(2n);
    expect((await client.range({ key: 'd/', prefix: true })).count).toBe(0n);
  });

  test('txn: compares on value, version, create, mod revision and lease pick the branch', async () => {
    const put = await client.put('t/k', 'v1');
    const ok = await client
      .txn()
      .if(
        Compare.value('t/k', '=', 'v1'),
        Compare.version('t/k', '=', 1n),
        Compare.createRevision('t/k', '=', put.header.revision),
        Compare.modRevision('t/k', '<', put.header.revision + 1n),
        Compare.lease('t/k', '=', 0n),
      )
      .then(Op.put('t/k', 'v2'), Op.get('t/k'))
      .else(Op.put('t/k', 'wrong'))
      .commit();
    expect(ok.succeeded).toBe(true);
    expect(ok.responses.map((r) => r.kind)).toEqual(['put', 'range']);
    const read = ok.responses[1];
    expect(read?.kind === 'range' && read.kvs[0]?.valueString()).toBe('v2');

    const failed = await client
      .txn()
      .if(Compare.value('t/k', '=', 'v1'))
      .then(Op.put('t/k', 'wrong'))
      .else(Op.get('t/k'), Op.delete('t/none', { prevKv: true }))
      .commit();
    expect(failed.succeeded).toBe(false);
    expect(failed.responses.map((r) => r.kind)).toEqual(['range', 'delete']);
    expect((await client.get('t/k'))?.valueString()).toBe('v2');
  });

  test('namespace prefixes keys on the way out and strips them on the way back', async () => {
    const app = client.namespace('/app/');
    await app.put('a', '1');
    await app.put('b', '2');
    await client.put('/other', 'x');
    expect((await client.get('/app/a'))?.valueString()).toBe('1');
    const all = await app.range({ key: '', prefix: true });
    expect(all.kvs.map((kv) => kv.keyString())).toEqual(['a', 'b']);
    const txn = await app.txn().if(Compare.value('a', '=', '1')).then(Op.get('b')).commit();
    const got = txn.responses[0];
    expect(txn.succeeded).toBe(true);
    expect(got?.kind === 'range' && got.kvs[0]?.keyString()).toBe('b');
    const nested = app.namespace('n/');
    await nested.put('c', '3');
    expect((await client.get('/app/n/c'))?.valueString()).toBe('3');
    const deleted = await app.delete({ key: '', prefix: true }, { prevKv: true });
    expect(deleted.prevKvs.map((kv) => kv.keyString()).sort()).toEqual(['a', 'b', 'n/c']);
    expect((await client.get('/other'))?.valueString()).toBe('x');
  });

  test('typed errors from the table: empty key, future and compacted revisions', async () => {
    await expect(client.put('', 'x')).rejects.toBeInstanceOf(ErrEmptyKey);
    const head = (await client.put('c/k', 'v1')).header.revision;
    await client.put('c/k', 'v2');
    await expect(client.range({ key: 'c/k', revision: head + 1000n })).rejects.toBeInstanceOf(ErrFutureRev);
    await client.compact(head + 1n, { physical: true });
    await expect(client.range({ key: 'c/k', revision: head })).rejects.toBeInstanceOf(ErrCompacted);
    expect((await client.get('c/k'))?.valueString()).toBe('v2');
  });
});
