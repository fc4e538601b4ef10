// etcd's Go campaign example in TypeScript: every instance campaigns on "/nanoPing" with a 15 s
// session; a ticker reports whether this instance is the master. Ctrl-C resigns and exits.
import { hostname } from 'node:os';
import { Client } from '@tsetcd/client';
import { Election, Session } from '@tsetcd/recipes';
import { ENDPOINTS } from './endpoints';

const TICK_MS = 1_000;

async function main(): Promise<void> {
  const client = new Client({ endpoints: ENDPOINTS, dialTimeoutMs: 5_000 });
  const session = await Session.create(client, { ttlSeconds: 15 });
  const election = new Election(session, '/nanoPing');
  const stop = new AbortController();
  let isMaster = false;

  const campaign = election
    .campaign(`${hostname()}-${process.pid}`, { signal: stop.signal })
    .then(() => {
      isMaster = true;
    })
    .catch((err: unknown) => {
      if (!stop.signal.aborted) console.error('[error] campaign:', (err as Error).message);
    });
  session.done.then(() => {
    if (stop.signal.aborted) return;
    console.error('[error] session lost');
    isMaster = false;
    shutdown(1);
  });

  const ticker = setInterval(() => {
    console.log(isMaster ? '[info] Service master' : '[info] Service is not master');
  }, TICK_MS);

  let exiting = false;
  async function shutdown(code: number): Promise<void> {
    if (exiting) return;
    exiting = true;
    stop.abort();
    clearInterval(ticker);
    await campaign;
    await election.resign().catch(() => undefined);
    await session.close().catch(() => undefined);
    client.close();
    process.exit(code);
  }
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
