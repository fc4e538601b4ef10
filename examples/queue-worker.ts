// A producer enqueues jobs; two workers dequeue them (each job handled once, FIFO).
import { Client } from '@tsetcd/client';
import { Queue } from '@tsetcd/recipes';
import { ENDPOINTS } from './endpoints';

const JOBS = 6;

async function main(): Promise<void> {
  await using client = new Client({ endpoints: ENDPOINTS });
  const queue = new Queue(client, 'examples/jobs');
  let handled = 0;
  const worker = async (name: string): Promise<void> => {
    while (handled < JOBS) {
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), 2_000);
      try {
        const job = await queue.dequeue({ signal: ac.signal });
        handled++;
        console.log(`${name} handled ${job.toString()}`);
      } catch {
        return;
      } finally {
        clearTimeout(timer);
      }
    }
  };
  const workers = [worker('worker-1'), worker('worker-2')];
  for (let i = 1; i <= JOBS; i++) await queue.enqueue(`job-${i}`);
  await Promise.all(workers);
  console.log(`${handled} jobs handled`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
