// A TS recipes process for the fault and interop tests (bundled with esbuild, run by node):
//   lock <endpoint> <prefix> <ttl>             LOCKED <token> <lease>; stdin "check" -> SIGNAL <aborted>, FENCED <succeeded>
//   register <endpoint> <service> <id> <ttl>   REGISTERED
//   incr <endpoint> <prefix> <counterKey> <n>  increments under the Mutex, then DONE
//   campaign <endpoint> <prefix> <value> <ttl> LEADER <value> once elected
import { createInterface } from 'node:readline';
import { Client, Op } from '@tsetcd/client';
import { Election, Mutex, ServiceRegistry, Session } from '@tsetcd/recipes';

async function main(): Promise<void> {
  const [mode, endpoint, a = '', b = '', c = ''] = process.argv.slice(2);
  const client = new Client({ endpoints: [endpoint ?? ''], callTimeoutMs: 10_000 });
  switch (mode) {
    case 'lock': {
      const session = await Session.create(client, { ttlSeconds: Number(b) });
      const hold = await new Mutex(session, a).lock();
      console.log(`LOCKED ${hold.token} ${session.leaseId}`);
      for await (const line of createInterface({ input: process.stdin })) {
        if (line !== 'check') continue;
        console.log(`SIGNAL ${hold.signal.aborted}`);
        const res = await hold.txn(client).then(Op.put('fenced', `stale-${hold.token}`)).commit();
        console.log(`FENCED ${res.succeeded}`);
      }
      return;
    }
    case 'register': {
      await new ServiceRegistry(client).register(a, b, { addr: `${b}.local:80`, ttlSeconds: Number(c) });
      console.log('REGISTERED');
      return;
    }
    case 'incr': {
      const session = await Session.create(client, { ttlSeconds: 10 });
      const mutex = new Mutex(session, a);
      for (let i = 0; i < Number(c); i++) {
        const hold = await mutex.lock();
        const v = Number((await client.get(b))?.valueString() ?? '0');
        await client.put(b, String(v + 1));
        await hold.release();
      }
      await session.close();
      console.log('DONE');
      client.close();
      return;
    }
    case 'campaign': {
      const session = await Session.create(client, { ttlSeconds: Number(c) });
      await new Election(session, a).campaign(b);
      console.log(`LEADER ${b}`);
      return;
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

main().catch((err: unknown) => {
  console.error('ERROR', err);
  process.exit(1);
});
