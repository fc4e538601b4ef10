// The servers every client compat test runs against, with the same assertions.
// CLIENT_COMPAT_TARGETS=etcd (or tsetcd) narrows the list.
import { startEtcd, startTsetcd, type ServerHandle, type ServerOptions } from '../../support';

export type TargetName = 'etcd' | 'tsetcd';

const ALL: Array<[TargetName, (options?: ServerOptions) => Promise<ServerHandle>]> = [
  ['etcd', startEtcd],
  ['tsetcd', startTsetcd],
];

const wanted = (process.env.CLIENT_COMPAT_TARGETS ?? 'etcd,tsetcd').split(',').map((s) => s.trim());

export const TARGETS = ALL.filter(([name]) => wanted.includes(name));

/** Collects up to `count` items of an async iterable (or fails after timeoutMs). */
export async function take<T>(iterable: AsyncIterable<T>, count: number, timeoutMs = 10_000): Promise<T[]> {
  const out: T[] = [];
  const iterator = iterable[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  while (out.length < count) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new Error(`take: got ${out.length} of ${count} items before the timeout`);
    let timer: NodeJS.Timeout | undefined;
    const next = await Promise.race([
      iterator.next(),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), remaining);
      }),
    ]).finally(() => clearTimeout(timer));
    if (next === 'timeout') throw new Error(`take: got ${out.length} of ${count} items before the timeout`);
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects if `promise` has not settled within `ms` (so a server that never answers fails fast). */
export async function within<T>(promise: Promise<T>, ms: number, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not complete within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
