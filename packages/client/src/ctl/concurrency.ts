// The few pieces of etcd's clientv3/concurrency protocol that `lock` and `elect` need, on the plain
// client (the recipes package depends on this one): a session (a lease kept alive), a mutex and an
// election whose keys are `<name>/<lease id in hex>`, ordered by create revision.
import type { Client, KeepAlive, KeyValue, ResponseHeader } from '../index';
import { Compare, Op } from '../index';

/** etcd's concurrency.NewSession default TTL. */
export const SESSION_TTL_SECONDS = 60;

export interface CtlSession {
  leaseId: bigint;
  keepAlive: KeepAlive;
  /** Resolves when the lease can no longer be kept alive. */
  done: Promise<void>;
}

export async function newSession(client: Client, ttlSeconds = SESSION_TTL_SECONDS): Promise<CtlSession> {
  const lease = await client.lease.grant(ttlSeconds);
  const keepAlive = lease.keepAlive();
  const done = new Promise<void>((resolve) => {
    if (keepAlive.signal.aborted) resolve();
    else keepAlive.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  return { leaseId: lease.id, keepAlive, done };
}

/** `<prefix><lease id>` with Go's %x (no padding). */
export function sessionKey(prefix: string, leaseId: bigint): string {
  return `${prefix}${leaseId.toString(16)}`;
}

function abortedError(): Error {
  return new Error('context canceled');
}

/** Waits until `key` is deleted, watching from `revision`. */
async function waitDelete(client: Client, key: Buffer, revision: bigint, signal: AbortSignal): Promise<void> {
  const watcher = client.watch(key, { startRevision: revision, signal });
  try {
    for await (const ev of watcher) {
      if (ev.kind === 'delete') return;
    }
  } finally {
    watcher.close();
  }
  throw abortedError();
}

/** Waits until every key under `prefix` created at or before `maxCreateRevision` is deleted. */
export async function waitDeletes(client: Client, prefix: string, maxCreateRevision: bigint, signal: AbortSignal): Promise<ResponseHeader> {
  for (;;) {
    if (signal.aborted) throw abortedError();
    const r = await client.range({ key: prefix, prefix: true, sort: { target: 'create', order: 'descend' }, limit: 1, maxCreateRevision, signal });
    const last = r.kvs[0];
    if (last === undefined) return r.header;
    await waitDelete(client, last.key, r.header.revision, signal);
  }
}

export interface CtlMutex {
  key: string;
  header: ResponseHeader;
  unlock(): Promise<void>;
}

/** concurrency.Mutex.Lock: queue under `<name>/`, wait for every earlier waiter to go. */
export async function lockMutex(client: Client, session: CtlSession, name: string, signal: AbortSignal): Promise<CtlMutex> {
  const prefix = `${name}/`;
  const key = sessionKey(prefix, session.leaseId);
  const getOwner = Op.get(prefix, { prefix: true, sort: { target: 'create', order: 'ascend' }, limit: 1 });
  const r = await client
    .txn({ signal })
    .if(Compare.createRevision(key, '=', 0n))
    .then(Op.put(key, '', { lease: session.leaseId }), getOwner)
    .else(Op.get(key), getOwner)
    .commit();
  let myRevision = r.header.revision;
  const first = r.responses[0];
  if (!r.succeeded && first?.kind === 'range' && first.kvs[0]) myRevision = first.kvs[0].createRevision;
  const unlock = async (): Promise<void> => {
    await client.delete(key);
  };
  const owner = r.responses[1];
  const ownerKv = owner?.kind === 'range' ? owner.kvs[0] : undefined;
  if (ownerKv === undefined || ownerKv.createRevision === myRevision) return { key, header: r.header, unlock };
  try {
    const header = await waitDeletes(client, prefix, myRevision - 1n, signal);
    return { key, header, unlock };
  } catch (err) {
    await unlock().catch(() => undefined);
    throw err;
  }
}

export interface CtlLeadership {
  key: string;
  resign(): Promise<void>;
}

/** concurrency.Election.Campaign: put `<name>/<lease>` = proposal, wait until it is the oldest. */
export async function campaign(client: Client, session: CtlSession, name: string, proposal: string, signal: AbortSignal): Promise<CtlLeadership> {
  const prefix = `${name}/`;
  const key = sessionKey(prefix, session.leaseId);
  const r = await client
    .txn({ signal })
    .if(Compare.createRevision(key, '=', 0n))
    .then(Op.put(key, proposal, { lease: session.leaseId }))
    .else(Op.get(key))
    .commit();
  let leaderRevision = r.header.revision;
  const first = r.responses[0];
  if (!r.succeeded && first?.kind === 'range' && first.kvs[0]) {
    leaderRevision = first.kvs[0].createRevision;
    if (first.kvs[0].value.toString('utf8') !== proposal) await client.txn({ signal }).if(Compare.createRevision(key, '=', leaderRevision)).then(Op.put(key, proposal, { lease: session.leaseId })).commit();
  }
  const resign = async (): Promise<void> => {
    await client.txn().if(Compare.createRevision(key, '=', leaderRevision)).then(Op.delete(key)).commit();
  };
  try {
    await waitDeletes(client, prefix, leaderRevision - 1n, signal);
  } catch (err) {
    if (signal.aborted) await resign().catch(() => undefined);
    throw err;
  }
  return { key, resign };
}

/**
 * concurrency.Election.Observe: calls `onLeader` with the current leader's key-value, then with each
 * new value it proclaims, then with the next leader once it is gone. Returns when `signal` aborts;
 * throws if the watch breaks.
 */
export async function observe(client: Client, name: string, signal: AbortSignal, onLeader: (kv: KeyValue, header: ResponseHeader) => void): Promise<void> {
  const prefix = `${name}/`;
  while (!signal.aborted) {
    const r = await client.range({ key: prefix, prefix: true, sort: { target: 'create', order: 'ascend' }, limit: 1, signal });
    let leader = r.kvs[0];
    let header = r.header;
    if (leader === undefined) {
      const w = client.watch(prefix, { prefix: true, startRevision: r.header.revision, signal, filters: ['delete'] });
      try {
        for await (const ev of w) {
          if (ev.kind === 'put') {
            leader = ev.kv;
            header = { ...r.header, revision: ev.kv.modRevision };
            break;
          }
        }
      } finally {
        w.close();
      }
      if (leader === undefined) return;
    }
    onLeader(leader, header);
    const w = client.watch(leader.key, { startRevision: header.revision + 1n, signal });
    let deleted = false;
    try {
      for await (const ev of w) {
        if (ev.kind === 'delete') {
          deleted = true;
          break;
        }
        if (ev.kind === 'put') onLeader(ev.kv, { ...header, revision: ev.revision });
      }
    } finally {
      w.close();
    }
    if (!deleted) return;
  }
}

/** Aborts the returned signal on the first SIGINT or SIGTERM (etcdctl's Ctrl-C release); `dispose` removes the handlers. */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
