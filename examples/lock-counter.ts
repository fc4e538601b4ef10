// Several workers increment one counter under a Mutex; every write is fenced with the hold's
// token, so a holder that lost its lease cannot overwrite a newer holder's update.
import { Client, Op } from '@tsetcd/client';
import { Mutex, Session } from '@tsetcd/recipes';
import { ENDPOINTS } from './endpoints';

const WORKERS = 4;
const INCREMENTS = 10;
const COUNTER_KEY = 'examples/counter';

async function main(): Promise<void> {
  await using client = new Client({ endpoints: ENDPOINTS });
  await client.put(COUNTER_KEY, '0');
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      await using session = await Session.create(client, { ttlSeconds: 10 });
      const mutex = new Mutex(session, 'examples/counter-lock');
      for (let i = 0; i < INCREMENTS; i++) {
        await using hold = await mutex.lock();
        const current = Number((await client.get(COUNTER_KEY))?.valueString() ?? '0');
        const res = await hold.txn(client).then(Op.put(COUNTER_KEY, String(current + 1))).commit();
        if (!res.succeeded) throw new Error(`worker ${w}: lost the lock (token ${hold.token})`);
      }
    }),
  );
  console.log('counter =', (await client.get(COUNTER_KEY))?.valueString(), `(expected ${WORKERS * INCREMENTS})`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
