// Differential watch tests: one Watch stream per server, a script of KV calls and stream
// requests, and after each item the stream's output collected until the number of "units" the
// item expects has arrived (a unit = one event, or one response without events: created,
// canceled, progress). Units are compared per item, ordered by watch id (etcd sends different
// watchers' responses in Go map order) and, within a watch, in arrival order. Response
// boundaries (how events are batched into responses) are not compared.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalize, toPlain, type Normalized } from '../../support/normalize';
import { rawClient, type BidiStream, type RawCallError } from '../../support/raw-client';
import { startEtcd, type ServerHandle } from '../../support/server-process';
import { runStep, startAll, startTarget, targetKind, SUITE_SETUP_TIMEOUT_MS, STEP_TIMEOUT_MS, type Outcome, type TargetKind } from './harness';
import type { Call, Step } from './steps';

export type WatchItem =
  | { name: string; call: Call; error?: string; units?: number }
  | { name: string; send: Record<string, unknown>; units: number }
  | { name: string; units: number };

/** How long an item waits for its units before recording what arrived. */
export const UNITS_WAIT_MS = 3_000;
/** How long the final drain listens for stray units. */
export const DRAIN_MS = 500;
/** After this many items in a row got none of their units, later items wait only DRAIN_MS. */
export const STARVED_ITEMS_MAX = 3;

export interface ItemOutcome {
  call?: Outcome;
  units: Normalized[];
}

interface WatchResponseLike {
  header?: { revision: bigint };
  watchId: bigint;
  created: boolean;
  canceled: boolean;
  compactRevision: bigint;
  cancelReason: string;
  events: unknown[];
}

function unitsOf(response: WatchResponseLike): { watchId: bigint; unit: Normalized }[] {
  if (response.events.length === 0) {
    return [
      {
        watchId: response.watchId,
        unit: normalize({
          watchId: response.watchId,
          created: response.created,
          canceled: response.canceled,
          compactRevision: response.compactRevision,
          cancelReason: response.cancelReason,
          headerRevision: response.header?.revision ?? 0n,
        }),
      },
    ];
  }
  return response.events.map((event) => ({ watchId: response.watchId, unit: normalize({ watchId: response.watchId, event }) }));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runWatchScript(server: Pick<ServerHandle, 'endpoint' | 'alive'>, items: readonly WatchItem[]): Promise<ItemOutcome[]> {
  const client = rawClient(server.endpoint, { callTimeoutMs: STEP_TIMEOUT_MS });
  const pending: { watchId: bigint; unit: Normalized }[] = [];
  let streamEnd: string | undefined;
  let stream: BidiStream | undefined;
  try {
    stream = client.bidi('Watch', 'watch', {
      onResponse: (response) => pending.push(...unitsOf(response as WatchResponseLike)),
      onEnd: (error: RawCallError | null) => {
        streamEnd = error === null ? 'stream ended' : `stream error ${error.code}: ${error.details}`;
      },
    });
    const outcomes: ItemOutcome[] = [];
    const previous: unknown[] = [];
    let starved = 0;
    for (const item of items) {
      let call: Outcome | undefined;
      if ('call' in item) {
        const result = await runStep(client, { name: item.name, compare: 'normalized', ...item.call } as Step, previous);
        call = result.outcome;
        previous.push(result.response);
      } else {
        if ('send' in item) stream.send(item.send);
        previous.push(undefined);
      }
      const wanted = item.units ?? 0;
      const deadline = Date.now() + (wanted === 0 || starved >= STARVED_ITEMS_MAX ? DRAIN_MS : UNITS_WAIT_MS);
      while (pending.length < wanted && Date.now() < deadline && streamEnd === undefined && server.alive()) await sleep(10);
      starved = wanted > 0 && pending.length === 0 ? starved + 1 : 0;
      if (wanted === 0) await sleep(Math.min(DRAIN_MS, 100));
      const taken = pending.splice(0, Math.max(wanted, pending.length));
      const ordered = taken
        .map((u, i) => ({ ...u, i }))
        .sort((a, b) => (a.watchId === b.watchId ? a.i - b.i : a.watchId < b.watchId ? -1 : 1))
        .map((u) => u.unit);
      if (streamEnd !== undefined) ordered.push(`(${streamEnd})`);
      outcomes.push(call === undefined ? { units: ordered } : { call, units: ordered });
    }
    return outcomes;
  } finally {
    stream?.cancel();
    client.close();
  }
}

export function defineWatchSuite(title: string, items: readonly WatchItem[], options: { target?: TargetKind } = {}): void {
  const kind = options.target ?? targetKind();
  const names: [string, string] = ['etcd', kind === 'etcd' ? 'etcd#2' : 'tsetcd'];
  describe(`${title}: ${names[0]} (expected) vs ${names[1]} (received)`, () => {
    let servers: ServerHandle[] = [];
    let expected: ItemOutcome[] = [];
    let received: ItemOutcome[] = [];

    beforeAll(async () => {
      servers = await startAll([() => startEtcd(), () => startTarget(kind)]);
      const [reference, target] = servers as [ServerHandle, ServerHandle];
      [expected, received] = await Promise.all([runWatchScript(reference, items), runWatchScript(target, items)]);
      const dumpDir = process.env.COMPAT_DUMP_DIR;
      if (dumpDir !== undefined) {
        mkdirSync(dumpDir, { recursive: true });
        const entries = items.map((item, i) => ({ item: item.name, [names[0]]: expected[i], [names[1]]: received[i] }));
        writeFileSync(join(dumpDir, `${title}.json`), JSON.stringify(entries, null, 1));
      }
    }, SUITE_SETUP_TIMEOUT_MS);

    afterAll(async () => {
      await Promise.all(servers.map((s) => s.stop()));
    }, 30_000);

    test('etcd produces exactly the units and answers each item expects', () => {
      expect(expected).toHaveLength(items.length);
      items.forEach((item, i) => {
        const outcome = expected[i] as ItemOutcome;
        const label = `#${i + 1} ${item.name}`;
        expect({ label, units: outcome.units.length }).toEqual({ label, units: item.units ?? 0 });
        if ('call' in item) {
          const failed = outcome.call !== undefined && 'error' in outcome.call ? outcome.call.error.details : undefined;
          expect({ label, error: failed }).toEqual({ label, error: item.error });
        }
      });
    });

    test.each(items.map((item, i) => [`#${String(i + 1).padStart(2, '0')} ${item.name}`, i] as const))('%s', (_label, i) => {
      const item = items[i] as WatchItem;
      const want = expected[i];
      const got = received[i];
      if (want === undefined || got === undefined) throw new Error('no outcome recorded (did both servers start?)');
      try {
        expect(got).toEqual(want);
      } catch (err) {
        const what = 'send' in item ? `sent ${JSON.stringify(toPlain(item.send))}` : 'call' in item ? `${item.call.service}.${item.call.method}` : 'waited';
        throw new Error(`${item.name} (${what}) differs: Expected = ${names[0]}, Received = ${names[1]}\n${(err as Error).message}`);
      }
    });
  });
}
