// Shared setup for the recipes compat suite: every test runs against Debian's etcd 3.4 and tsetcd.
import { Client } from '@tsetcd/client';
import { startEtcd, startTsetcd, type ServerHandle } from '../../support';

export type TargetKind = 'etcd' | 'tsetcd';
export const TARGETS: TargetKind[] = ['etcd', 'tsetcd'];

export function startKind(kind: TargetKind): Promise<ServerHandle> {
  return kind === 'etcd' ? startEtcd() : startTsetcd();
}

export function clientFor(server: ServerHandle): Client {
  return new Client({ endpoints: [server.endpoint], callTimeoutMs: 10_000 });
}

/** Resolves when `p` settles, or with 'pending' after `ms`. */
export async function settledWithin<T>(p: Promise<T>, ms: number): Promise<T | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
