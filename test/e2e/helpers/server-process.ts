// Spawns a real server process (our built bin, or any etcd-compatible binary) on loopback with
// free ports, and kills it. Every test that uses it must call kill() in afterAll.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const BUILT_BIN = path.join(REPO_ROOT, 'packages/server/dist/bin.cjs');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') return reject(new Error('no port'));
      srv.close(() => resolve(addr.port));
    });
  });
}

export interface ServerProcessOptions {
  readonly dataDir: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly extraArgs?: readonly string[];
}

/** The command that runs a server: TSETCD_E2E_BIN overrides (e.g. /usr/bin/etcd to check the harness). */
export function serverCommand(): { file: string; prefixArgs: string[] } {
  const override = process.env.TSETCD_E2E_BIN;
  if (override !== undefined && override !== '') return { file: override, prefixArgs: [] };
  if (!fs.existsSync(BUILT_BIN)) {
    throw new Error(`e2e: ${BUILT_BIN} is missing; run \`npm run build\` before the e2e tests`);
  }
  return { file: process.execPath, prefixArgs: [BUILT_BIN] };
}

export class ServerProcess {
  private child: ChildProcess | undefined;
  private output = '';
  private exited: Promise<number | null> | undefined;

  constructor(private readonly opts: ServerProcessOptions) {}

  get endpoint(): string {
    return `127.0.0.1:${this.opts.clientPort}`;
  }

  get logs(): string {
    return this.output;
  }

  start(): void {
    const { file, prefixArgs } = serverCommand();
    const clientUrl = `http://127.0.0.1:${this.opts.clientPort}`;
    const peerUrl = `http://127.0.0.1:${this.opts.peerPort}`;
    const args = [
      ...prefixArgs,
      '--name', 'e2e',
      '--data-dir', this.opts.dataDir,
      '--listen-client-urls', clientUrl,
      '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `e2e=${peerUrl}`,
      ...(this.opts.extraArgs ?? []),
    ];
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
    this.child = child;
    const keep = (b: Buffer): void => {
      this.output = (this.output + b.toString()).slice(-64 * 1024);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    // 'close' (not 'exit'): the output pipes are drained by then.
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** SIGKILL (crash) by default, and wait for the exit; a graceful signal escalates after 15 s. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const escalate = signal === 'SIGKILL' ? undefined : setTimeout(() => child.kill('SIGKILL'), 15_000);
    await this.exited;
    if (escalate !== undefined) clearTimeout(escalate);
  }
}
