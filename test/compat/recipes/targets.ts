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

/** One server of `kind` and a client on it per describe block: started in beforeAll, closed in afterAll. */
export function useTarget(kind: TargetKind): { readonly server: ServerHandle; readonly client: Client } {
  let server: ServerHandle | undefined;
  let client: Client | undefined;
  beforeAll(async () => {
    server = await startKind(kind);
    client = clientFor(server);
  });
  afterAll(async () => {
    client?.close();
    await server?.stop();
  });
  return {
    get server(): ServerHandle {
      if (server === undefined) throw new Error('target not started');
      return server;
    },
    get client(): Client {
      if (client === undefined) throw new Error('target not started');
      return client;
    },
  };
}
