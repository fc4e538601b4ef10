import { KEEPALIVE_RESEND_MS, KeepAliveSchedule } from './keepalive-schedule';

function fakeClock(startMs = 1_000): { now: () => number; advance: (ms: number) => void } {
  let t = startMs;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('keepalive schedule (injected monotonic clock)', () => {
  test('the first keepalive is due at once; the deadline is the grant time + TTL', () => {
    const clock = fakeClock();
    const schedule = new KeepAliveSchedule(clock.now, 9, 500);
    expect(schedule.nextSendMs).toBe(1_000);
    expect(schedule.deadlineMs).toBe(500 + 9_000);
    expect(schedule.expired()).toBe(false);
    clock.advance(8_500);
    expect(schedule.expired()).toBe(true);
  });

  test('after a response the next send is TTL/3 later and the deadline is send time + TTL', () => {
    const clock = fakeClock();
    const schedule = new KeepAliveSchedule(clock.now, 9);
    const sentAt = clock.now();
    schedule.onSent(sentAt);
    clock.advance(40);
    expect(schedule.onResponse(9, sentAt)).toBe(true);
    expect(schedule.nextSendMs).toBe(clock.now() + 3_000);
    expect(schedule.deadlineMs).toBe(sentAt + 9_000);
    expect(schedule.nextWakeInMs()).toBe(3_000);
  });

  test('without responses the lease is lost exactly at the deadline, not before', () => {
    const clock = fakeClock();
    const schedule = new KeepAliveSchedule(clock.now, 6);
    schedule.onResponse(6, clock.now());
    for (let i = 0; i < 11; i++) {
      clock.advance(500);
      schedule.onSent();
      expect(schedule.expired()).toBe(false);
    }
    clock.advance(499);
    expect(schedule.expired()).toBe(false);
    clock.advance(1);
    expect(schedule.expired()).toBe(true);
  });

  test('an unanswered send is retried after at most KEEPALIVE_RESEND_MS (or TTL/3 if shorter)', () => {
    const clock = fakeClock();
    const long = new KeepAliveSchedule(clock.now, 30);
    long.onSent(clock.now());
    expect(long.nextSendMs - clock.now()).toBe(KEEPALIVE_RESEND_MS);
    const short = new KeepAliveSchedule(clock.now, 1);
    short.onSent(clock.now());
    expect(short.nextSendMs - clock.now()).toBeCloseTo(1000 / 3);
  });

  test('a TTL <= 0 response means the lease is gone: expired at once', () => {
    const clock = fakeClock();
    const schedule = new KeepAliveSchedule(clock.now, 10);
    expect(schedule.onResponse(0, clock.now())).toBe(false);
    expect(schedule.expired()).toBe(true);
  });

  test('a late response to an old send never moves the deadline backwards', () => {
    const clock = fakeClock();
    const schedule = new KeepAliveSchedule(clock.now, 10);
    schedule.onResponse(10, 2_000);
    schedule.onResponse(10, 1_500);
    expect(schedule.deadlineMs).toBe(12_000);
  });

  test('an unknown TTL has no deadline until the first response', () => {
    const clock = fakeClock();
    const schedule = new KeepAliveSchedule(clock.now, undefined);
    clock.advance(1e9);
    expect(schedule.expired()).toBe(false);
    schedule.onResponse(5, clock.now());
    expect(schedule.deadlineMs).toBe(clock.now() + 5_000);
  });
});
