// Polling waits for tests: a condition checked every `stepMs` until it holds or the time is up.

/** Resolves true once `cond()` holds, false if it still does not after `timeoutMs`. */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return true;
}

/** Like until, but a timeout is an error naming `what`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition', stepMs = 10): Promise<void> {
  if (!(await until(cond, timeoutMs, stepMs))) throw new Error(`${what} not met in time (${timeoutMs} ms)`);
}
