import { MemberAuth, type AuthServerDeps } from './auth-server';

function memberAuth(applied: { index: number }, waits: number[]): MemberAuth {
  let release: (() => void) | undefined;
  const deps: AuthServerDeps = {
    store: undefined as never,
    propose: () => Promise.reject(new Error('unused')),
    linearizableReadNotify: () => Promise.resolve(),
    header: () => ({ clusterId: 0n, memberId: 0n, revision: 0n, raftTerm: 0n }),
    appliedIndex: () => applied.index,
    waitApplied: (index) => {
      waits.push(index);
      return new Promise<void>((resolve) => {
        release = resolve;
        setTimeout(() => {
          applied.index = index;
          release?.();
        }, 20);
      });
    },
  };
  return new MemberAuth(deps);
}

const ctxWith = (authToken?: string, signal = new AbortController().signal) => ({ signal, ...(authToken !== undefined ? { authToken } : {}) });

describe('MemberAuth.waitForToken', () => {
  test('waits for the Authenticate index a simple token names, only when not applied yet', async () => {
    const applied = { index: 10 };
    const waits: number[] = [];
    const auth = memberAuth(applied, waits);
    await auth.waitForToken(ctxWith('abcdefghijklmnop.5'));
    await auth.waitForToken(ctxWith(undefined));
    await auth.waitForToken(ctxWith('header.claims.signature')); // jwt: nothing to wait for
    expect(waits).toEqual([]);
    await auth.waitForToken(ctxWith('abcdefghijklmnop.12'));
    expect(waits).toEqual([12]);
    expect(applied.index).toBe(12);
  });

  test('a far-future index gives up after the bound (or when the caller leaves)', async () => {
    const auth = new MemberAuth({
      store: undefined as never,
      propose: () => Promise.reject(new Error('unused')),
      linearizableReadNotify: () => Promise.resolve(),
      header: () => ({ clusterId: 0n, memberId: 0n, revision: 0n, raftTerm: 0n }),
      appliedIndex: () => 1,
      waitApplied: () => new Promise<void>(() => undefined),
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 10);
    // resolves (the token is then judged by the store) instead of hanging on an index never applied
    await expect(auth.waitForToken(ctxWith('abcdefghijklmnop.999999', ac.signal))).resolves.toBeUndefined();
    await expect(auth.waitForToken(ctxWith('abcdefghijklmnop.999999'))).resolves.toBeUndefined();
  });
});
