import { AsyncQueue } from './async-queue';

describe('AsyncQueue', () => {
  test('delivers pushed items in order, then the end', async () => {
    const q = new AsyncQueue<number>();
    q.push(1);
    const pending = q.next();
    q.push(2);
    q.finish();
    const seen: number[] = [];
    for await (const n of q) seen.push(n);
    expect((await pending).value).toBe(1);
    expect(seen).toEqual([2]);
  });

  test('buffered items come before a terminal error', async () => {
    const q = new AsyncQueue<number>();
    q.push(1);
    q.finish(new Error('boom'));
    await expect(q.next()).resolves.toEqual({ value: 1, done: false });
    await expect(q.next()).rejects.toThrow('boom');
    await expect(q.next()).resolves.toEqual({ value: undefined, done: true });
  });

  test('breaking out of for-await runs onReturn once and drops later pushes', async () => {
    const onReturn = jest.fn();
    const q = new AsyncQueue<number>(onReturn);
    q.push(1);
    q.push(2);
    for await (const n of q) {
      expect(n).toBe(1);
      break;
    }
    q.push(3);
    await q.return();
    expect(onReturn).toHaveBeenCalledTimes(1);
    await expect(q.next()).resolves.toEqual({ value: undefined, done: true });
  });
});
