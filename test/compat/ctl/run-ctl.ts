// Runs the built tsetcdctl bin like test/support's runEtcdctl runs Debian's etcdctl.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCollect, runEtcdctl, type EtcdctlResult } from '../../support/etcdctl';
import { REPO_ROOT, startEtcd, startTsetcd, type ServerHandle } from '../../support/server-process';

export const TSETCDCTL_BIN = process.env.TSETCDCTL_BIN ?? join(REPO_ROOT, 'packages', 'client', 'dist', 'tsetcdctl.cjs');
const TSETCDCTL_TIMEOUT_MS = 20_000;

export function assertTsetcdctlBuilt(): void {
  if (!existsSync(TSETCDCTL_BIN)) throw new Error(`tsetcdctl not built at ${TSETCDCTL_BIN}: run \`npm run build -w packages/client\` (tsup) first`);
}

export function runTsetcdctl(endpoint: string, args: string[], env: Record<string, string> = {}, input = '', timeoutMs = TSETCDCTL_TIMEOUT_MS): Promise<EtcdctlResult> {
  return runCollect(process.execPath, [TSETCDCTL_BIN, '--endpoints', endpoint, ...args], { ...process.env, ETCDCTL_API: '3', ...env }, input, timeoutMs);
}

/**
 * One server of `kind` per describe block: started (tsetcdctl checked as built, then `seed` run
 * with etcdctl, each command required to succeed) in beforeAll, stopped in afterAll.
 * Returns the endpoint getter the steps use.
 */
export function useCtlServer(kind: 'etcd' | 'tsetcd', seed: readonly string[][] = []): () => string {
  let server: ServerHandle | undefined;
  beforeAll(async () => {
    assertTsetcdctlBuilt();
    server = kind === 'etcd' ? await startEtcd() : await startTsetcd();
    for (const args of seed) {
      const r = await runEtcdctl(server.endpoint, args);
      if (r.exitCode !== 0) throw new Error(`seed ${args.join(' ')} failed: ${r.stderr}`);
    }
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('server not started');
    return server.endpoint;
  };
}
