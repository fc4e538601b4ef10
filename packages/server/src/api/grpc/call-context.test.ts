import { CallContext } from './call-context';

describe('CallContext', () => {
  it('reads the auth token (token, else authorization) and hasleader metadata', () => {
    expect(new CallContext({ token: 't1', authorization: 'a' }).authToken).toBe('t1');
    expect(new CallContext({ authorization: 'a' }).authToken).toBe('a');
    expect(new CallContext({}).authToken).toBeUndefined();
    expect(new CallContext({ hasleader: 'true' }).requireLeader).toBe(true);
    expect(new CallContext({}).requireLeader).toBeUndefined();
  });

  it('onAbort listeners run once with the reason; removed ones do not run', () => {
    const ctx = new CallContext({});
    const seen: string[] = [];
    ctx.onAbort((r) => seen.push(`a:${String(r)}`));
    const remove = ctx.onAbort((r) => seen.push(`b:${String(r)}`));
    remove();
    ctx.abort('cancelled');
    ctx.abort('again');
    expect(seen).toEqual(['a:cancelled']);
    expect(ctx.isAborted).toBe(true);
  });

  it('onAbort after the abort runs the listener at once', () => {
    const ctx = new CallContext({});
    ctx.abort('gone');
    const seen: unknown[] = [];
    const remove = ctx.onAbort((r) => seen.push(r));
    expect(seen).toEqual(['gone']);
    remove(); // harmless
  });

  it('signal made before or after the abort carries the reason', () => {
    const before = new CallContext({});
    const signal = before.signal;
    expect(signal.aborted).toBe(false);
    before.abort('x');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('x');
    const after = new CallContext({});
    after.abort('y');
    expect(after.signal.aborted).toBe(true);
    expect(after.signal.reason).toBe('y');
  });
});
