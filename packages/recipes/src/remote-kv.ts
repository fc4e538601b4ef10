// contrib/recipes' key helpers: create-if-absent, unique (time-named) and sequential keys,
// claiming a key by deleting it at its revision, and waiting for events.
import { Compare, Op, type Bytes, type KeyspaceView, type KeyValue, type WatchEvent } from '@tsetcd/client';

export class ErrKeyExists extends Error {
  constructor(key: string) {
    super(`key already exists: ${key}`);
  }
}

/** Put `key` only if it does not exist; returns the revision of the put. */
export async function putNewKey(client: KeyspaceView, key: string, value: Bytes, lease: bigint, signal?: AbortSignal): Promise<bigint> {
  const res = await client
    .txn({ signal })
    .if(Compare.version(key, '=', 0n))
    .then(Op.put(key, value, { lease }))
    .commit();
  if (!res.succeeded) throw new ErrKeyExists(key);
  return res.header.revision;
}

/** Wall-clock nanoseconds, like Go's time.Now().UnixNano(). */
export function unixNanos(): bigint {
  return BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
}

/** `<prefix>/<unix nanos>`, retried on a collision. */
export async function putUniqueKey(client: KeyspaceView, prefix: string, value: Bytes, lease: bigint, signal?: AbortSignal): Promise<{ key: string; revision: bigint }> {
  for (;;) {
    const key = `${prefix}/${unixNanos()}`;
    try {
      return { key, revision: await putNewKey(client, key, value, lease, signal) };
    } catch (err) {
      if (!(err instanceof ErrKeyExists)) throw err;
    }
  }
}

/** `<prefix>/<16-digit sequence>` one past the last key, guarded by the `__<prefix>` base key. */
export async function putSequentialKey(client: KeyspaceView, prefix: string, value: Bytes, signal?: AbortSignal): Promise<{ key: string; revision: bigint }> {
  for (;;) {
    const last = await client.range({ key: prefix, prefix: true, sort: { target: 'key', order: 'descend' }, limit: 1, signal });
    let seq = 0n;
    const lastKv = last.kvs[0];
    if (lastKv !== undefined) {
      const fields = lastKv.keyString().split('/');
      const n = /^\d+/.exec(fields[fields.length - 1] ?? '');
      if (n === null) throw new Error(`not a sequential key: ${lastKv.keyString()}`);
      seq = BigInt(n[0]) + 1n;
    }
    const key = `${prefix}/${seq.toString().padStart(16, '0')}`;
    const baseKey = `__${prefix}`;
    const res = await client
      .txn({ signal })
      .if(Compare.modRevision(baseKey, '<', last.header.revision + 1n))
      .then(Op.put(baseKey, ''), Op.put(key, value))
      .commit();
    if (res.succeeded) return { key, revision: res.header.revision };
  }
}

/** Delete `key` only if it is still at `modRevision` (claims it). */
export async function deleteRevKey(client: KeyspaceView, key: Buffer | string, modRevision: bigint, signal?: AbortSignal): Promise<boolean> {
  const res = await client
    .txn({ signal })
    .if(Compare.modRevision(key, '=', modRevision))
    .then(Op.delete(key))
    .commit();
  return res.succeeded;
}

/** The first event of one of `kinds` on `key` (or under it with prefix) from `startRevision`. */
export async function waitEvent(
  client: KeyspaceView,
  key: string,
  startRevision: bigint,
  kinds: Array<'put' | 'delete'>,
  options: { prefix?: boolean; signal?: AbortSignal } = {},
): Promise<WatchEvent & { kv: KeyValue }> {
  const w = client.watch(key, { prefix: options.prefix, startRevision, signal: options.signal });
  try {
    for await (const ev of w) {
      if (ev.kind !== 'progress' && kinds.includes(ev.kind)) return ev;
    }
  } finally {
    w.close();
  }
  options.signal?.throwIfAborted();
  throw new Error(`watch on ${key} ended`);
}
