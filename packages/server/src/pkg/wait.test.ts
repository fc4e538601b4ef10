import { Wait, WaitTime } from './wait';

describe('Wait', () => {
  it('resolves the registered waiter with the triggered value, once', async () => {
    const w = new Wait<string>();
    const p = w.register(5n);
    expect(w.isRegistered(5n)).toBe(true);
    expect(w.trigger(5n, 'ok')).toBe(true);
    await expect(p).resolves.toBe('ok');
    expect(w.isRegistered(5n)).toBe(false);
    expect(w.trigger(5n, 'again')).toBe(false);
  });

  it('ignores triggers for unknown ids and keeps other waiters', async () => {
    const w = new Wait<number>();
    const a = w.register(1n);
    expect(w.trigger(2n, 9)).toBe(false);
    expect(w.size).toBe(1);
    w.trigger(1n, 1);
    await expect(a).resolves.toBe(1);
  });

  it('refuses duplicate ids', () => {
    const w = new Wait<number>();
    void w.register(1n);
    expect(() => w.register(1n)).toThrow(/duplicate/);
  });

  it('cancel forgets without resolving; triggerAll resolves everyone', async () => {
    const w = new Wait<string>();
    void w.register(1n);
    w.cancel(1n);
    expect(w.isRegistered(1n)).toBe(false);
    const b = w.register(2n);
    const c = w.register(3n);
    w.triggerAll((id) => `stopped ${id}`);
    await expect(b).resolves.toBe('stopped 2');
    await expect(c).resolves.toBe('stopped 3');
    expect(w.size).toBe(0);
  });
});

describe('WaitTime', () => {
  it('resolves waits at or below the triggered value only', async () => {
    const wt = new WaitTime();
    const order: number[] = [];
    void wt.wait(3).then(() => order.push(3));
    void wt.wait(5).then(() => order.push(5));
    wt.trigger(4);
    await Promise.resolve();
    await Promise.resolve();
    expect(order).toEqual([3]);
    wt.trigger(5);
    await Promise.resolve();
    await Promise.resolve();
    expect(order).toEqual([3, 5]);
  });

  it('resolves immediately for a past deadline and refuses to go backwards', async () => {
    const wt = new WaitTime(10);
    await expect(wt.wait(10)).resolves.toBeUndefined();
    expect(() => wt.trigger(9)).toThrow(/backwards/);
  });
});
