// Debian's etcdctl given `--endpoints http://host:port` (a URL, not host:port) for the commands
// that dial Maintenance with grpc-go's passthrough resolver: their HTTP/2 :authority is then the
// whole URL, which node:http2 resets unless tsetcd's h2c :authority filter rewrites it. Each
// command runs against real etcd (expected) and tsetcd (received); outputs are compared masked.
import type { EtcdctlResult } from '../support/etcdctl';
import type { ServerHandle } from '../support/server-process';
import { normalizeEtcdctl } from './etcdctl-output';
import { SIDE_NAMES, useEtcdctlStepDiff, type EtcdctlStep } from './etcdctl-steps';

const steps: EtcdctlStep[] = [
  { name: 'endpoint status', args: ['endpoint', 'status'], exitCode: 0 },
  { name: 'endpoint status -w table', args: ['endpoint', 'status', '-w', 'table'], exitCode: 0 },
  { name: 'endpoint status -w json', args: ['endpoint', 'status', '-w', 'json'], exitCode: 0 },
  { name: 'endpoint status --cluster', args: ['endpoint', 'status', '--cluster'], exitCode: 0 },
  { name: 'endpoint hashkv', args: ['endpoint', 'hashkv'], exitCode: 0 },
  { name: 'endpoint hashkv --cluster -w json', args: ['endpoint', 'hashkv', '--cluster', '-w', 'json'], exitCode: 0 },
  { name: 'endpoint health', args: ['endpoint', 'health'], exitCode: 0 },
  // Reaches the server (it answers bad leader transferee) only if the URL authority gets through.
  { name: 'move-leader to an unknown member', args: ['move-leader', 'abcdef'], exitCode: 1 },
];

/** `endpoint status` / `hashkv` simple output lines: the URL endpoint is not masked by etcdctl-output. */
function maskUrlLines(text: string): string {
  return text
    .replace(/^(http:\/\/<client>), [0-9a-f]+, 3\.4\.\d+, [0-9.]+ [kMGT]?B, (true|false), (true|false), \d+, \d+, \d+, (.*)$/gm, '$1, <id>, 3.4.x, <size>, $2, $3, <n>, <n>, <n>, $4')
    .replace(/^(http:\/\/<client>), \d+$/gm, '$1, <hash>')
    .replace(/"hash":\d+/g, '"hash":"<n>"');
}

function normalize(result: EtcdctlResult, server: ServerHandle): EtcdctlResult {
  const n = normalizeEtcdctl(result, server);
  return { exitCode: n.exitCode, stdout: maskUrlLines(n.stdout), stderr: maskUrlLines(n.stderr) };
}

describe(`etcdctl --endpoints http://host:port: ${SIDE_NAMES[0]} (expected) vs ${SIDE_NAMES[1]} (received)`, () => {
  const { servers, results } = useEtcdctlStepDiff(steps, normalize);

  test('the endpoints really are URLs', () => {
    for (const server of servers) expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('etcd answers the URL endpoint with real values (the masks hide only what differs)', () => {
    const status = results[0]![0]!.stdout;
    expect(status).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${servers[0]!.clientPort}, [0-9a-f]+, 3\\.4\\.\\d+, `));
    expect(results[0]![4]!.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+, \d+\n$/);
    expect(results[0]![7]!.stderr).toContain('bad leader transferee');
  });
});
