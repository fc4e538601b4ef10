// "No lost event": 100 watchers on one prefix (one stream each) while 10,000 puts go through an
// in-process member; one consumer is deliberately slow, so its watcher overflows its stream buffer,
// becomes a victim and is caught up from the backend. Every watcher must see every revision
// exactly once, in order.

import { WatchStream } from '../../packages/server/src/watch/watch-stream';
import { WATCH_STREAM_BUF_LEN } from '../../packages/server/src/watch/limits';
import type { EtcdServer } from '../../packages/server/src/etcdserver/etcd-server';
import { ctx, prefixEnd, putReq, startMember, tempDir, b } from './member-helpers';

const WATCHERS = 100;
const PUTS = 10_000;
const PUT_CONCURRENCY = 200;

jest.setTimeout(120_000);

describe('watch: no lost event under load with a slow consumer', () => {
  let server: EtcdServer;

  beforeAll(async () => {
    server = await startMember(tempDir('watch-load'));
  });

  afterAll(async () => {
    await server.close();
  });

  test('each of 100 watchers receives every revision exactly once, in order', async () => {
    const watchable = server.watchServer.watchable;
    const startRev = server.kv.rev() + 1n;
    const streams = Array.from({ length: WATCHERS }, () => new WatchStream(watchable));
    for (const s of streams) s.watch({ id: 0n, key: b('load/'), end: prefixEnd('load/'), startRev: 0n });
    const received: bigint[][] = streams.map(() => []);
    let slowBecameVictim = false;
    const SLOW = 7;
    let putsDone = false;
    const consumers = streams.map(async (s, i) => {
      for (;;) {
        if (i === SLOW && !putsDone) {
          // Read nothing while the writes pour in, then drain.
          const w = s.watchers.get(0n);
          if (w?.victim === true) slowBecameVictim = true;
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        const item = await s.next();
        if (item === undefined) return;
        if (item.kind !== 'result') continue;
        for (const ev of item.result.events) received[i]!.push(ev.kv!.modRevision);
      }
    });

    let next = 0;
    const writer = async (): Promise<void> => {
      while (next < PUTS) {
        const n = next++;
        await server.put(putReq(`load/${n % 500}`, `v${n}`), ctx());
      }
    };
    await Promise.all(Array.from({ length: PUT_CONCURRENCY }, writer));
    const lastRev = server.kv.rev();
    putsDone = true;
    expect(lastRev - startRev + 1n).toBe(BigInt(PUTS));

    const deadline = Date.now() + 60_000;
    while (received.some((r) => (r[r.length - 1] ?? 0n) < lastRev) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const s of streams) s.close();
    await Promise.all(consumers);

    expect(slowBecameVictim).toBe(true);
    const expected = Array.from({ length: PUTS }, (_, i) => startRev + BigInt(i));
    for (let i = 0; i < WATCHERS; i++) {
      const got = received[i]!;
      if (got.length !== expected.length || got.some((rev, j) => rev !== expected[j])) {
        throw new Error(`watcher ${i}: ${got.length} events, first mismatch at ${got.findIndex((rev, j) => rev !== expected[j])} (buffer ${WATCH_STREAM_BUF_LEN})`);
      }
    }
  });
});
