// Measures put throughput through the real server process: PUT_CONCURRENCY puts in flight on
// one gRPC connection. Prints the figures; asserts only correctness (every put acknowledged
// with a distinct revision, the final revision accounts for all of them), never speed.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TestEtcdClient } from './helpers/grpc-kv-client';
import { freePort, ServerProcess } from './helpers/server-process';

jest.setTimeout(90_000);

const PUT_CONCURRENCY = 100;
const PUTS_TOTAL = 3000;

describe('e2e: put throughput, one connection', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let client: TestEtcdClient | undefined;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsetcd-e2e-tput-'));
  });

  afterAll(async () => {
    client?.close();
    await server?.kill();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(`${PUTS_TOTAL} puts with ${PUT_CONCURRENCY} in flight`, async () => {
    server = new ServerProcess({ dataDir: path.join(dataDir, 'd'), clientPort: await freePort(), peerPort: await freePort() });
    server.start();
    client = new TestEtcdClient(server.endpoint);
    await client.waitReady(30_000);
    const before = await client.status();

    const revisions: bigint[] = [];
    let next = 0;
    const startMs = performance.now();
    const worker = async (): Promise<void> => {
      while (next < PUTS_TOTAL) {
        const i = next++;
        const res = await client!.put(`tput/${i}`, `value-${i}`);
        revisions.push(res.header!.revision);
      }
    };
    await Promise.all(Array.from({ length: PUT_CONCURRENCY }, worker));
    const elapsedMs = performance.now() - startMs;
    const after = await client.status();

    expect(revisions).toHaveLength(PUTS_TOTAL);
    expect(new Set(revisions).size).toBe(PUTS_TOTAL);
    expect(after.header!.revision - before.header!.revision).toBe(BigInt(PUTS_TOTAL));
    const raftEntries = Number(after.raftIndex - before.raftIndex);
    expect(raftEntries).toBeGreaterThanOrEqual(PUTS_TOTAL);
    let syncLine = '';
    if (process.env.TSETCD_E2E_BIN === undefined || process.env.TSETCD_E2E_BIN === '') {
      // Our member logs its driver counters when it stops gracefully (bootstrap adds a handful).
      await server.kill('SIGTERM');
      const m = /"syncCount":(\d+),"entriesPersisted":(\d+)/.exec(server.logs);
      expect(m).not.toBeNull();
      const syncs = Number(m![1]);
      const entries = Number(m![2]);
      expect(entries).toBeGreaterThanOrEqual(PUTS_TOTAL);
      expect(syncs).toBeLessThan(entries); // group commit: many entries per fdatasync
      syncLine = `; ${syncs} WAL fsyncs (${((syncs * 1000) / elapsedMs).toFixed(0)}/s, ${(entries / syncs).toFixed(1)} entries each)`;
    }
    // eslint-disable-next-line no-console
    console.log(
      `put throughput: ${PUTS_TOTAL} puts, ${PUT_CONCURRENCY} in flight, one connection: ` +
        `${Math.round((PUTS_TOTAL * 1000) / elapsedMs)} puts/s (${elapsedMs.toFixed(0)} ms)${syncLine}`,
    );
  });
});
