// Watch through @tsetcd/client against etcd and tsetcd alike.
import { Client, WatchCompactedError, type WatchEvent } from '@tsetcd/client';
import type { ServerHandle } from '../../support';
import { TARGETS, take, within } from './targets';

jest.setTimeout(30_000);

function brief(events: WatchEvent[]): string[] {
  return events.map((e) => (e.kind === 'progress' ? 'progress' : `${e.kind} ${e.kv.keyString()}=${e.kv.valueString()}`));
}

describe.each(TARGETS)('client watch against %s', (_name, start) => {
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

  test('a key watcher sees puts and deletes in order, with revisions', async () => {
    const watcher = client.watch('w/k');
    const createdAt = await within(watcher.created, 10_000, 'watch create');
    const p1 = await client.put('w/k', '1');
    await client.put('w/other', 'x');
    await client.put('w/k', '2');
    await client.delete('w/k');
    const events = await take(watcher, 3);
    watcher.close();
    expect(brief(events)).toEqual(['put w/k=1', 'put w/k=2', 'delete w/k=']);
    expect(events[0]?.revision).toBe(p1.header.revision);
    expect(p1.header.revision).toBeGreaterThan(createdAt);
  });

  test('prefix watch with prevKv and a put filter; many watchers share the stream', async () => {
    const deletes = client.watch('wp/', { prefix: true, prevKv: true, filters: ['put'] });
    const all = client.watch('wp/', { prefix: true });
    await within(Promise.all([deletes.created, all.created]), 10_000, 'watch create');
    await client.put('wp/a', 'A');
    await client.put('wp/b', 'B');
    await client.delete({ key: 'wp/', prefix: true });
    const onlyDeletes = await take(deletes, 2);
    expect(onlyDeletes.map((e) => e.kind)).toEqual(['delete', 'delete']);
    expect(onlyDeletes.map((e) => (e.kind === 'delete' ? e.prevKv?.valueString() : '')).sort()).toEqual(['A', 'B']);
    const everything = await take(all, 4);
    expect(everything.map((e) => e.kind)).toEqual(['put', 'put', 'delete', 'delete']);
    deletes.close();
    all.close();
  });

  test('startRevision replays history; breaking the loop cancels the watcher', async () => {
    const first = await client.put('wh/k', 'old1');
    await client.put('wh/k', 'old2');
    const seen: string[] = [];
    for await (const ev of client.watch('wh/k', { startRevision: first.header.revision })) {
      if (ev.kind !== 'progress') seen.push(ev.kv.valueString());
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(['old1', 'old2']);
  });

  test('an abort signal ends the iteration', async () => {
    const controller = new AbortController();
    const watcher = client.watch('ws/k', { signal: controller.signal });
    await within(watcher.created, 10_000, 'watch create');
    await client.put('ws/k', 'v');
    const [first] = await take(watcher, 1);
    expect(first?.kind).toBe('put');
    controller.abort();
    const rest = await take(watcher, 1).catch(() => 'timeout');
    expect(rest).toEqual([]);
  });

  test('a watch from a compacted revision fails with WatchCompactedError carrying compactRevision', async () => {
    const first = await client.put('wc/k', '1');
    const second = await client.put('wc/k', '2');
    await client.compact(second.header.revision, { physical: true });
    const watcher = client.watch('wc/k', { startRevision: first.header.revision });
    const error = await take(watcher, 1).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(WatchCompactedError);
    expect((error as WatchCompactedError).compactRevision).toBe(second.header.revision);
  });

  test('progress notifications arrive as their own event kind', async () => {
    const watcher = client.watch('wpn/k');
    await within(watcher.created, 10_000, 'watch create');
    const head = (await client.put('wpn/unrelated', 'x')).header.revision;
    client.requestWatchProgress();
    const [progress] = await take(watcher, 1);
    watcher.close();
    expect(progress).toEqual({ kind: 'progress', revision: head, header: expect.objectContaining({ revision: head }) });
  });

  test('a namespaced watcher sees keys without the prefix', async () => {
    const ns = client.namespace('/ns/');
    const watcher = ns.watch('', { prefix: true });
    await within(watcher.created, 10_000, 'watch create');
    await client.put('/nsx', 'outside');
    await client.put('/ns/inner', 'v');
    const [ev] = await take(watcher, 1);
    watcher.close();
    expect(ev?.kind === 'put' && ev.kv.keyString()).toBe('inner');
  });
});
