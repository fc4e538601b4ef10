import { spawn } from 'node:child_process';

export const ETCDCTL_BIN = process.env.ETCDCTL_BIN ?? '/usr/bin/etcdctl';
/** A hung etcdctl is killed after this long (its own --command-timeout is 5 s). */
export const ETCDCTL_TIMEOUT_MS = 20_000;

export interface EtcdctlResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface EtcdctlOptions {
  /** Written to etcdctl's stdin, then stdin is closed (e.g. for `txn -i`). */
  input?: string;
  timeoutMs?: number;
}

/**
 * Runs `file ...args`, writes `input` to its stdin and resolves with its output and exit code once it
 * exits; SIGKILLed after `timeoutMs` (exit code 128). Rejects only if it cannot be spawned.
 */
export function runCollect(file: string, args: string[], env: NodeJS.ProcessEnv, input: string, timeoutMs: number): Promise<EtcdctlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
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

/**
 * Runs `etcdctl --endpoints <endpoint> ...args` with ETCDCTL_API=3 and resolves with its output and
 * exit code (never rejects on a non-zero exit; rejects only if etcdctl cannot be spawned).
 */
export function runEtcdctl(
  endpoint: string,
  args: string[],
  env: Record<string, string> = {},
  options: EtcdctlOptions = {},
): Promise<EtcdctlResult> {
  return runCollect(
    ETCDCTL_BIN,
    ['--endpoints', endpoint, ...args],
    { ...process.env, ETCDCTL_API: '3', ...env },
    options.input ?? '',
    options.timeoutMs ?? ETCDCTL_TIMEOUT_MS,
  );
}
