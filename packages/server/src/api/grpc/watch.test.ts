import { ErrNoLeader, WatchRequest, WatchResponse } from '@tsetcd/api';
import type { WatchServer } from '../../etcdserver/watch-server';
import { TestKv } from '../../watch/test-kv';
import { WatchableStore } from '../../watch/watchable-store';
import { PushQueue } from '../gateway/request-queue';
import { fragments, serveWatchStream } from './watch';

function fakeServer(kv: TestKv, o: { leader?: () => boolean; progressMs?: number; electionMs?: number } = {}): WatchServer {
  const watchable = new WatchableStore(kv, { syncIntervalMs: 5, victimRetryIntervalMs: 5 });
  return {
    watchable,
    watchHeader: (revision) => ({ clusterId: 1n, memberId: 2n, revision, raftTerm: 3n }),
    kvAt: () => undefined,
    hasLeader: o.leader ?? (() => true),
    electionTimeoutMs: o.electionMs ?? 1000,
    maxRequestBytes: 1.5 * 1024 * 1024,
    progressNotifyIntervalMs: o.progressMs ?? 600_000,
    close: () => watchable.close(),
  };
}

function call(requireLeader = false) {
  const controller = new AbortController();
  const requests = new PushQueue<WatchRequest>();
  const sent: WatchResponse[] = [];
  return {
    controller,
    requests,
    sent,
    call: {
      ctx: requireLeader ? { signal: controller.signal, requireLeader } : { signal: controller.signal },
      requests,
      send: (r: WatchResponse) => {
        sent.push(r);
        return Promise.resolve();
      },
    },
  };
}

const create = (key: string, extra: Partial<WatchRequest['createRequest']> = {}): WatchRequest =>
  WatchRequest.fromPartial({ createRequest: { key: Buffer.from(key), ...extra } });

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('serveWatchStream', () => {
  test('hasleader without a leader fails the stream at once with "etcdserver: no leader"', async () => {
    const ws = fakeServer(new TestKv(), { leader: () => false });
    const c = call(true);
    await expect(serveWatchStream(ws, c.call)).rejects.toBeInstanceOf(ErrNoLeader);
    ws.close();
  });

  test('hasleader: losing the leader for 3 election timeouts ends the stream with "no leader"', async () => {
    let leader = true;
    const ws = fakeServer(new TestKv(), { leader: () => leader, electionMs: 20 });
    const c = call(true);
    const done = serveWatchStream(ws, c.call);
    c.requests.push(create('k'));
    await until(() => c.sent.length === 1);
    leader = false;
    await expect(done).rejects.toBeInstanceOf(ErrNoLeader);
    ws.close();
  });

  test('progress_notify: an idle synced watcher gets empty responses at the interval; client cancel ends the stream', async () => {
    const kv = new TestKv();
    const ws = fakeServer(kv, { progressMs: 30 });
    const c = call();
    const done = serveWatchStream(ws, c.call);
    c.requests.push(create('k', { progressNotify: true }));
    c.requests.push(create('other'));
    await until(() => c.sent.filter((r) => !r.created).length >= 2);
    const notes = c.sent.filter((r) => !r.created);
    expect(notes.every((r) => r.watchId === 0n && r.events.length === 0 && r.header?.revision === kv.rev())).toBe(true);
    c.controller.abort();
    await expect(done).resolves.toBeUndefined();
    ws.close();
  });

  test('events are held behind the created response; a compacted start gets created then canceled with compact_revision', async () => {
    const kv = new TestKv();
    for (let i = 0; i < 4; i++) kv.write('k');
    kv.compact(3n);
    const ws = fakeServer(kv);
    const c = call();
    const done = serveWatchStream(ws, c.call);
    c.requests.push(create('k', { startRevision: 2n }));
    c.requests.push(create('k', { startRevision: 3n }));
    await until(() => c.sent.length === 4);
    expect(c.sent[0]).toMatchObject({ watchId: 0n, created: true });
    expect(c.sent[1]).toMatchObject({ watchId: 1n, created: true });
    const rest = c.sent.slice(2);
    expect(rest.find((r) => r.watchId === 0n)).toMatchObject({ canceled: true, compactRevision: 3n, header: { revision: 0n } });
    expect(rest.find((r) => r.watchId === 1n)?.events.map((e) => e.kv?.modRevision)).toEqual([3n, 4n, 5n]);
    c.controller.abort();
    await done;
    ws.close();
  });
});

describe('fragments', () => {
  const ev = (n: number) => ({ type: 0, kv: { key: Buffer.from(`k${n}`), createRevision: 1n, modRevision: 1n, version: 1n, value: Buffer.alloc(100), lease: 0n }, prevKv: undefined });
  const resp = (n: number): WatchResponse => WatchResponse.fromPartial({ watchId: 1n, events: Array.from({ length: n }, (_, i) => ev(i)) });

  test('small or single-event responses are not split', () => {
    expect(fragments(resp(3), 10_000)).toHaveLength(1);
    expect(fragments(resp(1), 10)).toHaveLength(1);
  });

  test('a large response is split; every piece but the last says fragment; events keep their order', () => {
    const pieces = fragments(resp(10), 400);
    expect(pieces.length).toBeGreaterThan(2);
    expect(pieces.map((p) => p.fragment)).toEqual([...pieces.slice(1).map(() => true), false]);
    expect(pieces.flatMap((p) => p.events.map((e) => e.kv?.key.toString()))).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`));
    for (const p of pieces.slice(0, -1)) expect(WatchResponse.encode(p).finish().length).toBeLessThan(400);
  });
});
