// A 3-member cluster of real etcd or of tsetcd on 127.0.0.1 (free ports, temp data dirs), started
// with the same flags, for the follower-side v2 differential.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../support/free-port';
import { probeRange } from '../../support/grpc-probe';
import { ETCD_BIN, START_TIMEOUT_MS, TSETCD_BIN } from '../../support/server-process';
import { v2Http } from './v2-http';

export const THREE_MEMBERS = 3;
const LOG_TAIL_CHARS = 8_000;
const LEADER_TIMEOUT_MS = 15_000;

export interface ThreeMemberCluster {
  kind: 'etcd' | 'tsetcd';
  urls: string[];
  alive(): boolean;
  logs(): string;
  /** The client URL of a member that reports itself a follower in /v2/stats/self. */
  follower(): Promise<string>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export async function startThreeMembers(kind: 'etcd' | 'tsetcd', extraArgs: readonly string[] = []): Promise<ThreeMemberCluster> {
  const root = mkdtempSync(join(tmpdir(), `v2-3m-${kind}-`));
  const ports = await Promise.all(Array.from({ length: THREE_MEMBERS * 2 }, () => freePort()));
  const names = Array.from({ length: THREE_MEMBERS }, (_, i) => `${kind}-m${i + 1}`);
  const peer = (i: number): string => `http://127.0.0.1:${ports[2 * i + 1]}`;
  const client = (i: number): string => `http://127.0.0.1:${ports[2 * i]}`;
  const initialCluster = names.map((n, i) => `${n}=${peer(i)}`).join(',');
  const children: ChildProcess[] = [];
  let tail = '';
  for (let i = 0; i < THREE_MEMBERS; i++) {
    const args = [
      '--name', names[i] as string,
      '--data-dir', join(root, names[i] as string),
      '--listen-client-urls', client(i),
      '--advertise-client-urls', client(i),
      '--listen-peer-urls', peer(i),
      '--initial-advertise-peer-urls', peer(i),
      '--initial-cluster', initialCluster,
      '--initial-cluster-token', `v2-3m-${kind}`,
      '--initial-cluster-state', 'new',
      ...extraArgs,
    ];
    const child = kind === 'etcd' ? spawn(ETCD_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(process.execPath, [TSETCD_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    child.once('exit', () => running.delete(child));
    const collect = (c: Buffer): void => {
      tail = (tail + `[${names[i]}] ${c.toString()}`).slice(-LOG_TAIL_CHARS);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    children.push(child);
  }
  const urls = Array.from({ length: THREE_MEMBERS }, (_, i) => client(i));
  const alive = (): boolean => children.every((c) => c.exitCode === null && c.signalCode === null);
  const stop = async (): Promise<void> => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGKILL');
          }),
      ),
    );
    rmSync(root, { recursive: true, force: true });
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (let i = 0; i < THREE_MEMBERS; i++) {
    while (!(await probeRange(`127.0.0.1:${ports[2 * i]}`, 1_000))) {
      if (!alive() || Date.now() > deadline) {
        await stop();
        throw new Error(`3-member ${kind} did not start:\n${tail}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const follower = async (): Promise<string> => {
    const until = Date.now() + LEADER_TIMEOUT_MS;
    for (;;) {
      const states = await Promise.all(
        urls.map((u) =>
          v2Http(u, { method: 'GET', path: '/v2/stats/self' })
            .then((r) => (JSON.parse(r.body) as { state?: string }).state)
            .catch(() => undefined),
        ),
      );
      const leaders = states.filter((s) => s === 'StateLeader').length;
      const i = states.indexOf('StateFollower');
      if (leaders === 1 && i >= 0) return urls[i] as string;
      if (Date.now() > until) throw new Error(`3-member ${kind}: no leader/follower within ${LEADER_TIMEOUT_MS} ms (${states.join(',')})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { kind, urls, alive, logs: () => tail, follower, stop };
}
