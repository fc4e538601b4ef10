// A service registers itself under "services/greeter" (etcd's naming/endpoints layout) and a
// client finds it, picks instances round-robin and follows up/down events.
import { Client } from '@tsetcd/client';
import { ServiceRegistry } from '@tsetcd/recipes';
import { ENDPOINTS } from './endpoints';

async function main(): Promise<void> {
  await using client = new Client({ endpoints: ENDPOINTS });
  const registry = new ServiceRegistry(client);

  await using a = await registry.register('services/greeter', 'greeter-1', { addr: '127.0.0.1:7001', metadata: { version: '1.0' }, ttlSeconds: 5 });
  await using b = await registry.register('services/greeter', 'greeter-2', { addr: '127.0.0.1:7002', ttlSeconds: 5 });
  console.log('registered', a.key, b.key);

  const found = await registry.discover('services/greeter');
  console.log('discovered', found.map((i) => `${i.instance}@${i.addr}`).join(', '));

  await using picker = await registry.picker('services/greeter', 'round-robin');
  for (let i = 0; i < 4; i++) console.log('picked', picker.pick()?.addr);

  const ac = new AbortController();
  const events = (async () => {
    for await (const ev of registry.watch('services/greeter', { signal: ac.signal })) {
      console.log('event', ev.kind, ev.kind === 'up' ? ev.instance.instance : ev.instance);
    }
  })().catch(() => undefined);
  await new Promise((r) => setTimeout(r, 300));
  await b.close();
  await new Promise((r) => setTimeout(r, 300));
  ac.abort();
  await events;
  console.log('live now', (await registry.discover('services/greeter')).map((i) => i.instance).join(', '));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
