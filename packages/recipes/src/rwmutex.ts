// RWMutex in contrib/recipes' layout: readers `<prefix>/read/<nanos>`, writers
// `<prefix>/write/<nanos>`, on the session's lease. A reader waits for older writers; a writer
// waits for every older key under `<prefix>/`.
import type { KeyspaceView } from '@tsetcd/client';
import { putUniqueKey, waitEvent } from './remote-kv';
import type { Session } from './session';
import { withLinkedSignal } from './signals';

export interface RWMutexCallOptions {
  signal?: AbortSignal;
}

export class RWMutex {
  readonly pfx: string;
  #myKey: { key: string; revision: bigint } | undefined;

  constructor(
    readonly session: Session,
    readonly prefix: string,
  ) {
    this.pfx = `${prefix}/`;
  }

  get key(): string | undefined {
    return this.#myKey?.key;
  }

  async rLock(options: RWMutexCallOptions = {}): Promise<void> {
    await this.#acquire(`${this.pfx}read`, `${this.pfx}write`, options);
  }

  async lock(options: RWMutexCallOptions = {}): Promise<void> {
    await this.#acquire(`${this.pfx}write`, this.pfx, options);
  }

  async rUnlock(): Promise<void> {
    await this.unlock();
  }

  async unlock(): Promise<void> {
    const mine = this.#myKey;
    if (mine === undefined) return;
    this.#myKey = undefined;
    await this.session.client.delete(mine.key);
  }

  async #acquire(ownPrefix: string, waitPrefix: string, options: RWMutexCallOptions): Promise<void> {
    const client = this.session.client;
    await withLinkedSignal([options.signal, this.session.signal], async (signal) => {
      this.#myKey = await putUniqueKey(client, ownPrefix, '', this.session.leaseId, signal);
      try {
        while (!(await waitOnLastRev(client, waitPrefix, this.#myKey.revision, signal)));
      } catch (err) {
        await this.unlock().catch(() => undefined);
        throw err;
      }
    });
  }
}

/** True when no key under `prefix` was modified before `myRevision`; otherwise waits for the newest such key's delete. */
async function waitOnLastRev(client: KeyspaceView, prefix: string, myRevision: bigint, signal: AbortSignal): Promise<boolean> {
  const res = await client.range({ key: prefix, prefix: true, sort: { target: 'mod', order: 'descend' }, limit: 1, maxModRevision: myRevision - 1n, signal });
  const last = res.kvs[0];
  if (last === undefined) return true;
  await waitEvent(client, last.keyString(), myRevision, ['delete'], { signal });
  return false;
}
