import { WaitTime } from '../pkg/wait';
import { ReadIndexBatcher } from './read-index';

function harness() {
  const requests: Uint8Array[] = [];
  const appliedWait = new WaitTime(0);
  let id = 100n;
  const batcher = new ReadIndexBatcher({
    requestReadIndex: (ctx) => requests.push(ctx),
    waitReadable: async () => undefined,
    appliedWait,
    nextId: () => id++,
    timeoutError: () => new Error('etcdserver: request timed out'),
    timeoutMs: 200,
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
});
