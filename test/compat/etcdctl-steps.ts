// One differential fixture for etcdctl step lists: inside a describe block, starts etcd (expected)
// and the target (received) with the same options, runs every step with Debian's etcdctl against
// each server's URL, and adds one test per step comparing exit codes (also against the code etcd
// must give, so a step cannot silently stop testing what it claims) and normalised outputs.
import { runEtcdctl, type EtcdctlResult } from '../support/etcdctl';
import { startEtcd, type ServerHandle, type ServerOptions } from '../support/server-process';
import { startAll, startTarget, targetKind } from './diff/harness';

export interface EtcdctlStep {
  readonly name: string;
  readonly args: string[];
  /** What etcd itself must answer. */
  readonly exitCode: number;
}

export interface EtcdctlStepDiff {
  /** [expected (etcd), received (target)] once started. */
  readonly servers: ServerHandle[];
  /** Per side, one result per step. */
  readonly results: EtcdctlResult[][];
}

/** Labels of the two sides: etcd, and tsetcd (or a second etcd when COMPAT_TARGET=etcd). */
export const SIDE_NAMES = ['etcd', targetKind() === 'etcd' ? 'etcd#2' : 'tsetcd'] as const;

export function useEtcdctlStepDiff(
  steps: readonly EtcdctlStep[],
  normalize: (result: EtcdctlResult, server: ServerHandle) => EtcdctlResult,
  options: ServerOptions = {},
  /** More etcdctl runs per side after the steps (results of its own). */
  after?: (server: ServerHandle, side: number) => Promise<void>,
): EtcdctlStepDiff {
  const diff: EtcdctlStepDiff = { servers: [], results: [[], []] };

  beforeAll(async () => {
    diff.servers.push(...(await startAll([() => startEtcd(options), () => startTarget(targetKind(), options)])));
    await Promise.all(
      diff.servers.map(async (server, side) => {
        for (const s of steps) diff.results[side]!.push(await runEtcdctl(server.url, s.args));
        await after?.(server, side);
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(diff.servers.map((s) => s.stop()));
  }, 30_000);

  test.each(steps.map((s, i) => [s.name, i] as const))('etcdctl %s', (_name, i) => {
    const s = steps[i]!;
    const [expected, received] = [diff.results[0]![i], diff.results[1]![i]];
    if (expected === undefined || received === undefined) throw new Error('no etcdctl result recorded (did both servers start?)');
    expect(expected.exitCode).toBe(s.exitCode);
    expect(received.exitCode).toBe(s.exitCode);
    try {
      expect(normalize(received, diff.servers[1]!)).toEqual(normalize(expected, diff.servers[0]!));
    } catch (err) {
      throw new Error(`etcdctl ${s.args.join(' ')} differs (Expected = ${SIDE_NAMES[0]}, Received = ${SIDE_NAMES[1]})\n${(err as Error).message}`);
    }
  });

  return diff;
}
