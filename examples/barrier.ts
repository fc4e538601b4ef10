// A Barrier holds workers until the coordinator releases it; a DoubleBarrier starts and ends
// three participants together.
import { Client } from '@tsetcd/client';
import { Barrier, DoubleBarrier, Session } from '@tsetcd/recipes';
import { ENDPOINTS } from './endpoints';

async function main(): Promise<void> {
  await using client = new Client({ endpoints: ENDPOINTS });
  const gate = new Barrier(client, 'examples/gate');
  await gate.hold();
  const waiting = [1, 2].map((n) => gate.wait().then(() => console.log(`worker ${n} passed the gate`)));
  console.log('coordinator: releasing the gate');
  await gate.release();
  await Promise.all(waiting);

  const sessions = await Promise.all([1, 2, 3].map(() => Session.create(client, { ttlSeconds: 10 })));
  await Promise.all(
    sessions.map(async (session, i) => {
      const barrier = new DoubleBarrier(session, 'examples/round', sessions.length);
      await barrier.enter();
      console.log(`participant ${i} entered`);
      await barrier.leave();
      console.log(`participant ${i} left`);
    }),
  );
  for (const s of sessions) await s.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
