// AbortSignal helpers.

/** One signal aborting when any given one does (undefined entries ignored). */
export function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length === 0) return undefined;
  if (present.length === 1) return present[0];
  return AbortSignal.any(present);
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
}

/** Resolves after `ms`, rejects with the signal's reason when it aborts first. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A signal aborting when any source aborts (or `abort()` is called), whose listeners on the
 * sources are removed by `dispose()`: unlike AbortSignal.any, long-lived sources (a session's
 * signal) do not accumulate a listener per short-lived use.
 */
export function linkedSignal(...sources: Array<AbortSignal | undefined>): { signal: AbortSignal; abort: (reason?: unknown) => void; dispose: () => void } {
  const controller = new AbortController();
  const cleanups: Array<() => void> = [];
  const dispose = (): void => {
    for (const c of cleanups.splice(0)) c();
  };
  for (const source of sources) {
    if (source === undefined) continue;
    if (source.aborted) {
      controller.abort(source.reason);
      break;
    }
    const onAbort = (): void => {
      controller.abort(source.reason);
      dispose();
    };
    source.addEventListener('abort', onAbort, { once: true });
    cleanups.push(() => source.removeEventListener('abort', onAbort));
  }
  return {
    signal: controller.signal,
    abort: (reason?: unknown) => {
      controller.abort(reason);
      dispose();
    },
    dispose,
  };
}

/** Run `fn` with a signal linked to `sources`, then drop the links. */
export async function withLinkedSignal<T>(sources: Array<AbortSignal | undefined>, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const link = linkedSignal(...sources);
  try {
    return await fn(link.signal);
  } finally {
    link.dispose();
  }
}
