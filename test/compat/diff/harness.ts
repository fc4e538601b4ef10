// Runs one scripted sequence of RPCs on a fresh real etcd (expected) and on a fresh target
// (tsetcd, or a second etcd with COMPAT_TARGET=etcd) and compares every step's outcome.
import { Metadata } from '@grpc/grpc-js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rawClient, RawCallError, type RawClient } from '../../support/raw-client';
import { normalize, shapeOf, toPlain, type Normalized } from '../../support/normalize';
import { startEtcd, startTsetcd, type ServerHandle, type ServerOptions } from '../../support/server-process';
import type { Step } from './steps';

export type Outcome = { ok: Normalized } | { error: { code: number; details: string } };

/** Per-call deadline inside a sequence, so a hung target fails steps instead of the whole run. */
export const STEP_TIMEOUT_MS = 5_000;
export const SUITE_SETUP_TIMEOUT_MS = 180_000;

export type TargetKind = 'tsetcd' | 'etcd';

/** COMPAT_TARGET=etcd compares etcd with a second etcd (validates the harness); default tsetcd. */
export function targetKind(): TargetKind {
  const kind = process.env.COMPAT_TARGET ?? 'tsetcd';
  if (kind !== 'tsetcd' && kind !== 'etcd') throw new Error(`COMPAT_TARGET must be tsetcd or etcd, not ${kind}`);
  return kind;
}

export function startTarget(kind: TargetKind, options: ServerOptions = {}): Promise<ServerHandle> {
  return kind === 'etcd' ? startEtcd(options) : startTsetcd(options);
}

/** Starts several servers; if any fails to start, stops the others and rethrows. */
export async function startAll(starters: (() => Promise<ServerHandle>)[]): Promise<ServerHandle[]> {
  const settled = await Promise.allSettled(starters.map((start) => start()));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    throw failed.reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<ServerHandle>).value);
}

/** Sorts (by their JSON text) the arrays held in fields named in `names`, at any depth. */
function sortArrays(value: Normalized, names: ReadonlySet<string>): Normalized {
  if (names.size === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => sortArrays(item, names));
  const out: { [key: string]: Normalized } = {};
  for (const [key, field] of Object.entries(value)) {
    const inner = sortArrays(field, names);
    out[key] = names.has(key) && Array.isArray(inner) ? [...inner].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : inner;
  }
  return out;
}

/** Sends one step; `previous` are this server's earlier raw responses (for computed requests). */
export async function runStep(client: RawClient, s: Step, previous: readonly unknown[] = []): Promise<{ outcome: Outcome; response?: unknown }> {
  try {
    const request = typeof s.request === 'function' ? s.request(previous) : s.request;
    const metadata = new Metadata();
    if (s.token !== undefined) metadata.set('token', s.token(previous));
    const response = await client.call(s.service, s.method, request, metadata);
    return { outcome: toOutcome(s, response), response };
  } catch (err) {
    if (err instanceof RawCallError) return { outcome: { error: { code: err.code, details: err.details } } };
    return { outcome: { error: { code: -1, details: `client-side failure: ${(err as Error).message}` } } };
  }
}

function toOutcome(s: Step, response: unknown): Outcome {
  if (s.compare === 'shape') return { ok: shapeOf(response) };
  return { ok: sortArrays(normalize(response, { volatile: s.volatile ?? [] }), new Set(s.unordered ?? [])) };
}

/** After this many consecutive timeouts/unavailable answers the rest of a sequence is not sent. */
export const UNRESPONSIVE_STEPS_MAX = 3;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

export async function runSequence(server: Pick<ServerHandle, 'endpoint' | 'alive'>, steps: readonly Step[]): Promise<Outcome[]> {
  const client = rawClient(server.endpoint, { callTimeoutMs: STEP_TIMEOUT_MS });
  try {
    const outcomes: Outcome[] = [];
    const responses: unknown[] = [];
    let unresponsive = 0;
    for (const s of steps) {
      if (!server.alive() || unresponsive >= UNRESPONSIVE_STEPS_MAX) {
        const why = server.alive() ? `${UNRESPONSIVE_STEPS_MAX} consecutive timeouts` : 'the server process exited';
        outcomes.push({ error: { code: -1, details: `not sent: ${why}` } });
        responses.push(undefined);
        continue;
      }
      const { outcome, response } = await runStep(client, s, responses);
      responses.push(response);
      const stuck = 'error' in outcome && (outcome.error.code === GRPC_DEADLINE_EXCEEDED || outcome.error.code === GRPC_UNAVAILABLE);
      unresponsive = stuck ? unresponsive + 1 : 0;
      outcomes.push(outcome);
    }
    return outcomes;
  } finally {
    client.close();
  }
}

export function stepLabel(s: Step, index: number): string {
  return `#${String(index + 1).padStart(3, '0')} ${s.name}`;
}

/** Throws a readable report when `received` differs from `expected` for step `s`. */
export function assertSameOutcome(s: Step, index: number, expected: Outcome | undefined, received: Outcome | undefined, names: [string, string]): void {
  if (expected === undefined || received === undefined) {
    throw new Error(`${stepLabel(s, index)}: no outcome recorded (did the servers start?)`);
  }
  try {
    expect(received).toEqual(expected);
  } catch (err) {
    const request = typeof s.request === 'function' ? '(computed from earlier responses)' : JSON.stringify(toPlain(s.request));
    throw new Error(
      `${stepLabel(s, index)} differs — ${s.service}.${s.method} ${request}\n` +
        `Expected = ${names[0]}, Received = ${names[1]}\n${(err as Error).message}`,
    );
  }
}

/** Checks the reference's own outcome against what the step says etcd answers. */
export function assertMatchesAnnotation(s: Step, index: number, outcome: Outcome | undefined): void {
  if (outcome === undefined) throw new Error(`${stepLabel(s, index)}: no outcome recorded`);
  if (s.error !== undefined) {
    if (!('error' in outcome) || outcome.error.details !== s.error) {
      throw new Error(`${stepLabel(s, index)}: etcd should fail with "${s.error}", got ${JSON.stringify(outcome)}`);
    }
  } else if ('error' in outcome) {
    throw new Error(`${stepLabel(s, index)}: etcd should succeed, got ${JSON.stringify(outcome.error)}`);
  }
}

/** Writes both sides' outcomes, one step per entry, to `<dir>/<title>.json` for review. */
function dumpTranscripts(dir: string, title: string, steps: readonly Step[], expected: Outcome[], received: Outcome[], names: [string, string]): void {
  mkdirSync(dir, { recursive: true });
  const entries = steps.map((s, i) => ({
    step: stepLabel(s, i),
    call: `${s.service}.${s.method}`,
    request: typeof s.request === 'function' ? '(computed)' : s.request,
    [names[0]]: expected[i],
    ...(JSON.stringify(expected[i]) === JSON.stringify(received[i]) ? {} : { [names[1]]: received[i] }),
  }));
  const text = JSON.stringify(entries, (_k, v: unknown) => (v instanceof Uint8Array ? toPlain(v) : typeof v === 'bigint' ? Number(v) : v), 1);
  writeFileSync(join(dir, `${title}.json`), text);
}

export interface DiffSuiteOptions {
  /** Flags for both servers (e.g. a smaller --max-request-bytes). */
  extraArgs?: string[];
  target?: TargetKind;
}

/**
 * One describe block: a fresh etcd and a fresh target, the whole sequence run on each (in
 * parallel), then one test per step comparing outcomes, plus one checking etcd's own answers
 * against the steps' annotations (so a sequence cannot silently stop testing what it says).
 */
export function defineDiffSuite(title: string, steps: readonly Step[], options: DiffSuiteOptions = {}): void {
  const kind = options.target ?? targetKind();
  const names: [string, string] = ['etcd', kind === 'etcd' ? 'etcd#2' : 'tsetcd'];
  describe(`${title}: ${names[0]} (expected) vs ${names[1]} (received)`, () => {
    let servers: ServerHandle[] = [];
    let expected: Outcome[] = [];
    let received: Outcome[] = [];

    beforeAll(async () => {
      const serverOptions: ServerOptions = options.extraArgs ? { extraArgs: options.extraArgs } : {};
      servers = await startAll([() => startEtcd(serverOptions), () => startTarget(kind, serverOptions)]);
      const [reference, target] = servers as [ServerHandle, ServerHandle];
      [expected, received] = await Promise.all([runSequence(reference, steps), runSequence(target, steps)]);
      const dumpDir = process.env.COMPAT_DUMP_DIR;
      if (dumpDir !== undefined) dumpTranscripts(dumpDir, title, steps, expected, received, names);
    }, SUITE_SETUP_TIMEOUT_MS);

    afterAll(async () => {
      const target = servers[1];
      const anyDiff = steps.some((_, i) => JSON.stringify(expected[i]) !== JSON.stringify(received[i]));
      if (target !== undefined && anyDiff) {
        console.log(`${title}: ${names[1]} log tail (${target.endpoint}, pid ${target.pid}):\n${target.logs().slice(-3000)}`);
      }
      await Promise.all(servers.map((s) => s.stop()));
    }, 30_000);

    test('etcd answers every step as annotated', () => {
      expect(expected).toHaveLength(steps.length);
      steps.forEach((s, i) => assertMatchesAnnotation(s, i, expected[i]));
    });

    test.each(steps.map((s, i) => [stepLabel(s, i), i] as const))('%s', (_label, i) => {
      const s = steps[i] as Step;
      assertSameOutcome(s, i, expected[i], received[i], names);
    });
  });
}
