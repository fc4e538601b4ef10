// waitDeletes: wait until no key under `prefix` created at or below `maxCreateRevision` is left,
// watching only the closest predecessor each round (no thundering herd), like Go's waitDeletes.
import type { KeyspaceView, ResponseHeader } from '@tsetcd/client';

export async function waitDeletes(
  client: KeyspaceView,
  prefix: string,
  maxCreateRevision: bigint,
  signal?: AbortSignal,
): Promise<ResponseHeader> {
  for (;;) {
    signal?.throwIfAborted();
    const res = await client.range({
      key: prefix,
      prefix: true,
      sort: { target: 'create', order: 'descend' },
      limit: 1,
      maxCreateRevision,
      signal,
    });
    const last = res.kvs[0];
    if (last === undefined) return res.header;
    await waitDelete(client, last.key, res.header.revision, signal);
  }
}

/** Resolves at the first DELETE of `key` at or after `startRevision`. */
export async function waitDelete(client: KeyspaceView, key: Buffer | string, startRevision: bigint, signal?: AbortSignal): Promise<void> {
  const watcher = client.watch(key, { startRevision, filters: ['put'], signal });
  try {
    for await (const ev of watcher) {
      if (ev.kind === 'delete') return;
    }
  } finally {
    watcher.close();
  }
  signal?.throwIfAborted();
  throw new Error('watch ended before the key was deleted');
}
