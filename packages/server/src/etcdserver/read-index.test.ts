import { WaitTime } from '../pkg/wait';
import { READ_INDEX_RETRY_INTERVAL_MS, ReadIndexBatcher } from './read-index';

function harness(timeoutMs = 200) {
  const requests: Uint8Array[] = [];
  const appliedWait = new WaitTime(0);
  let id = 100n;
  const batcher = new ReadIndexBatcher({
    requestReadIndex: (ctx) => requests.push(ctx),
    waitReadable: async () => undefined,
    appliedWait,
    nextId: () => id++,
    timeoutError: () => new Error('etcdserver: request timed out'),
    timeoutMs,
  });
  return { batcher, requests, appliedWait };
}

const flush = async () => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};

describe('ReadIndexBatcher', () => {
  it('serves concurrent reads with one round and waits for the apply index', async () => {
    const { batcher, requests, appliedWait } = harness();
    const done: number[] = [];
    const reads = [0, 1, 2].map((i) => batcher.waitLinearizable().then(() => done.push(i)));
    await flush();
    expect(requests).toHaveLength(1);
    batcher.onReadStates([{ index: 7, requestCtx: requests[0]! }]);
    await flush();
    expect(done).toEqual([]); // applied 0 < 7
    appliedWait.trigger(7);
    await Promise.all(reads);
    expect(done.sort()).toEqual([0, 1, 2]);
    expect(batcher.rounds).toBe(1);
  });

  it('a read arriving during a round waits for the next round', async () => {
    const { batcher, requests, appliedWait } = harness();
    appliedWait.trigger(10);
    let firstDone = false;
    let secondDone = false;
    void batcher.waitLinearizable().then(() => (firstDone = true));
    await flush();
    void batcher.waitLinearizable().then(() => (secondDone = true));
    await flush();
    expect(requests).toHaveLength(1);
    batcher.onReadStates([{ index: 5, requestCtx: requests[0]! }]);
    await flush();
    expect(firstDone).toBe(true);
    expect(secondDone).toBe(false);
    expect(requests).toHaveLength(2);
    // a read state for a different context is ignored
    batcher.onReadStates([{ index: 5, requestCtx: requests[0]! }]);
    await flush();
    expect(secondDone).toBe(false);
    batcher.onReadStates([{ index: 6, requestCtx: requests[1]! }]);
    await flush();
    expect(secondDone).toBe(true);
  });

  it('times out when no read state arrives, then serves later reads', async () => {
    const { batcher, requests, appliedWait } = harness();
    await expect(batcher.waitLinearizable()).rejects.toThrow('etcdserver: request timed out');
    const next = batcher.waitLinearizable();
    await flush();
    batcher.onReadStates([{ index: 0, requestCtx: requests[requests.length - 1]! }]);
    appliedWait.trigger(1);
    await expect(next).resolves.toBeUndefined();
  });

  it('close rejects pending reads', async () => {
    const { batcher } = harness();
    const p = batcher.waitLinearizable();
    batcher.close(new Error('etcdserver: server stopped'));
    await expect(p).rejects.toThrow('server stopped');
    await expect(batcher.waitLinearizable()).rejects.toThrow('server stopped');
  });

  it('a round stuck in waitReadable times out, aborts that wait, and the next round gets a live signal', async () => {
    const signals: AbortSignal[] = [];
    let readable = false;
    const requests: Uint8Array[] = [];
    const appliedWait = new WaitTime(0);
    let id = 1n;
    const batcher = new ReadIndexBatcher({
      requestReadIndex: (ctx) => requests.push(ctx),
      waitReadable: (signal) => {
        signals.push(signal);
        if (readable) return Promise.resolve();
        return new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
      },
      appliedWait,
      nextId: () => id++,
      timeoutError: () => new Error('etcdserver: request timed out'),
      timeoutMs: 50,
    });
    await expect(batcher.waitLinearizable()).rejects.toThrow('etcdserver: request timed out');
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(true);
    expect(requests).toHaveLength(0); // never asked raft while the member was not readable
    readable = true;
    const next = batcher.waitLinearizable();
    await flush();
    expect(signals).toHaveLength(2);
    expect(signals[1]!.aborted).toBe(false);
    batcher.onReadStates([{ index: 0, requestCtx: requests[0]! }]);
    await expect(next).resolves.toBeUndefined();
    // a round that completed leaves its signal live and it is reused
    const third = batcher.waitLinearizable();
    await flush();
    expect(signals[2]).toBe(signals[1]);
    batcher.onReadStates([{ index: 0, requestCtx: requests[1]! }]);
    await expect(third).resolves.toBeUndefined();
  });

  it('close fails the round in flight and aborts its waitReadable', async () => {
    const signals: AbortSignal[] = [];
    const batcher = new ReadIndexBatcher({
      requestReadIndex: () => undefined,
      waitReadable: (signal) => {
        signals.push(signal);
        return new Promise<void>(() => undefined);
      },
      appliedWait: new WaitTime(0),
      nextId: () => 1n,
      timeoutError: () => new Error('etcdserver: request timed out'),
      timeoutMs: 60_000,
    });
    const p = batcher.waitLinearizable();
    await flush();
    expect(signals).toHaveLength(1);
    batcher.close(new Error('etcdserver: server stopped'));
    await expect(p).rejects.toThrow('server stopped');
    expect(signals[0]!.aborted).toBe(true);
  });

  it('a round in flight is asked again every retry interval until its read state arrives', async () => {
    jest.useFakeTimers();
    try {
      const { batcher, requests, appliedWait } = harness(10 * READ_INDEX_RETRY_INTERVAL_MS);
      appliedWait.trigger(3);
      const p = batcher.waitLinearizable();
      await jest.advanceTimersByTimeAsync(1);
      expect(requests).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(READ_INDEX_RETRY_INTERVAL_MS);
      expect(requests).toHaveLength(2);
      expect(requests[1]).toEqual(requests[0]);
      batcher.onReadStates([{ index: 3, requestCtx: requests[0]! }]);
      await expect(p).resolves.toBeUndefined();
      await jest.advanceTimersByTimeAsync(3 * READ_INDEX_RETRY_INTERVAL_MS);
      expect(requests).toHaveLength(2); // the retry timer stopped with the round
    } finally {
      jest.useRealTimers();
    }
  });
});
