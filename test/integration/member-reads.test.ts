// Linearizable reads through ReadIndex: batched, they observe every write acknowledged before
// they started; cancellation and require-leader behave like etcd.

import * as fs from 'node:fs';
import { ErrRequestCancelled } from '@tsetcd/api';
import type { EtcdServer } from '../../packages/server/src/etcdserver/etcd-server';
import { ctx, putReq, rangeReq, startMember, tempDir } from './member-helpers';

jest.setTimeout(30_000);

describe('member: linearizable reads', () => {
  let dir: string;
  let server: EtcdServer;

  beforeAll(async () => {
    dir = tempDir('reads');
    server = await startMember(dir);
  });

  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('one ReadIndex round serves a burst of concurrent reads', async () => {
    await server.put(putReq('r', '0'), ctx());
    const before = server.stats().readIndexRounds;
    const reads = await Promise.all(Array.from({ length: 50 }, () => server.range(rangeReq('r'), ctx())));
    const rounds = server.stats().readIndexRounds - before;
    expect(rounds).toBeGreaterThanOrEqual(1);
    expect(rounds).toBeLessThanOrEqual(2);
    for (const r of reads) expect(r.kvs[0]!.value.toString()).toBe('0');
    // serializable reads never start a round
    await Promise.all(Array.from({ length: 10 }, () => server.range(rangeReq('r', { serializable: true }), ctx())));
    expect(server.stats().readIndexRounds - before).toBe(rounds);
  });

  it('a read that starts after a write is acknowledged sees it (interleaved with writes)', async () => {
    for (let i = 1; i <= 30; i++) {
      const concurrentWrite = server.put(putReq('lin', `w${i + 1000}`), ctx());
      const ack = await server.put(putReq('lin', `v${i}`), ctx());
      const read = await server.range(rangeReq('lin'), ctx());
      expect(read.header!.revision).toBeGreaterThanOrEqual(ack.header!.revision);
      expect(read.kvs[0]!.modRevision).toBeGreaterThanOrEqual(ack.header!.revision);
      await concurrentWrite;
    }
  });

  it('a cancelled request fails with "request cancelled"', async () => {
    const aborted = new AbortController();
    aborted.abort();
    await expect(server.put(putReq('c', 'v'), ctx(aborted.signal))).rejects.toBeInstanceOf(ErrRequestCancelled);
    await expect(server.range(rangeReq('c'), ctx(aborted.signal))).rejects.toBeInstanceOf(ErrRequestCancelled);
    // the cancelled put was never proposed
    expect((await server.range(rangeReq('c'), ctx())).kvs).toHaveLength(0);
  });

  it('require-leader requests succeed while there is a leader', async () => {
    const signal = new AbortController().signal;
    await server.put(putReq('rl', 'v'), { signal, requireLeader: true });
    const r = await server.range(rangeReq('rl'), { signal, requireLeader: true });
    expect(r.kvs).toHaveLength(1);
  });
});
