// Runs the built tsetcdctl bin like test/support's runEtcdctl runs Debian's etcdctl.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EtcdctlResult } from '../../support/etcdctl';
import { REPO_ROOT } from '../../support/server-process';

export const TSETCDCTL_BIN = process.env.TSETCDCTL_BIN ?? join(REPO_ROOT, 'packages', 'client', 'dist', 'tsetcdctl.cjs');
const TSETCDCTL_TIMEOUT_MS = 20_000;

export function assertTsetcdctlBuilt(): void {
  if (!existsSync(TSETCDCTL_BIN)) throw new Error(`tsetcdctl not built at ${TSETCDCTL_BIN}: run \`npm run build -w packages/client\` (tsup) first`);
}

export function runTsetcdctl(endpoint: string, args: string[], env: Record<string, string> = {}, input = '', timeoutMs = TSETCDCTL_TIMEOUT_MS): Promise<EtcdctlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSETCDCTL_BIN, '--endpoints', endpoint, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ETCDCTL_API: '3', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, exitCode: code ?? (signal ? 128 : -1) });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}
