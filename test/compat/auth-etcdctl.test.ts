// Debian's etcdctl driving auth against real etcd (expected) and tsetcd (received): users, roles,
// permissions, `auth enable`, then `--user name:password` commands; outputs and exit codes compared.
import { runEtcdctl, type EtcdctlResult } from '../support/etcdctl';
import { startEtcd, type ServerHandle } from '../support/server-process';
import { startAll, startTarget, targetKind } from './diff/harness';
import { normalizeEtcdctl } from './etcdctl-output';

interface CtlStep {
  readonly name: string;
  readonly args: string[];
}

const ROOT = ['--user', 'root:rootpw'];
const ALICE = ['--user', 'alice:apw'];

const steps: CtlStep[] = [
  { name: 'auth enable without root', args: ['auth', 'enable'] },
  { name: 'role add root', args: ['role', 'add', 'root'] },
  { name: 'user add root', args: ['user', 'add', 'root:rootpw'] },
  { name: 'user add root again', args: ['user', 'add', 'root:x'] },
  { name: 'user grant-role root root', args: ['user', 'grant-role', 'root', 'root'] },
  { name: 'role add reader', args: ['role', 'add', 'reader'] },
  { name: 'role grant-permission --prefix', args: ['role', 'grant-permission', 'reader', 'read', 'pub/', '--prefix'] },
  { name: 'role grant-permission readwrite one key', args: ['role', 'grant-permission', 'reader', 'readwrite', 'pub/w'] },
  { name: 'role grant-permission to a missing role', args: ['role', 'grant-permission', 'nobody', 'read', 'x'] },
  { name: 'user add alice', args: ['user', 'add', 'alice:apw'] },
  { name: 'user grant-role alice reader', args: ['user', 'grant-role', 'alice', 'reader'] },
  { name: 'role get reader', args: ['role', 'get', 'reader'] },
  { name: 'user get alice', args: ['user', 'get', 'alice'] },
  { name: 'user get --detail alice', args: ['user', 'get', 'alice', '--detail'] },
  { name: 'user list', args: ['user', 'list'] },
  { name: 'role list', args: ['role', 'list'] },
  { name: 'put pub/a', args: ['put', 'pub/a', '1'] },
  { name: 'auth enable', args: ['auth', 'enable'] },
  { name: 'get without a user', args: ['get', 'pub/a'] },
  { name: 'get as root', args: [...ROOT, 'get', 'pub/a'] },
  { name: 'put as root', args: [...ROOT, 'put', 'secret', 's'] },
  { name: 'get --prefix as alice', args: [...ALICE, 'get', 'pub/', '--prefix'] },
  { name: 'put as alice on her key', args: [...ALICE, 'put', 'pub/w', 'w'] },
  { name: 'put as alice elsewhere', args: [...ALICE, 'put', 'pub/a', '2'] },
  { name: 'get a secret as alice', args: [...ALICE, 'get', 'secret'] },
  { name: 'del as alice', args: [...ALICE, 'del', 'pub/a'] },
  { name: 'user list as alice', args: [...ALICE, 'user', 'list'] },
  // etcd 3.4 does not gate compaction on auth; hash-kv needs root and fails with the raw error.
  { name: 'compact without a user', args: ['compact', '2'] },
  { name: 'compact as alice', args: [...ALICE, 'compact', '3'] },
  { name: 'endpoint hashkv as alice', args: [...ALICE, 'endpoint', 'hashkv'] },
  { name: 'wrong password', args: ['--user', 'alice:nope', 'get', 'pub/a'] },
  { name: 'user list as root', args: [...ROOT, 'user', 'list'] },
  { name: 'user delete root while enabled', args: [...ROOT, 'user', 'delete', 'root'] },
  { name: 'user passwd alice as root', args: [...ROOT, 'user', 'passwd', 'alice', '--interactive=false'] },
  { name: 'role revoke-permission', args: [...ROOT, 'role', 'revoke-permission', 'reader', 'pub/w'] },
  { name: 'auth disable', args: [...ROOT, 'auth', 'disable'] },
  { name: 'get without a user again', args: ['get', 'pub/a'] },
];

interface Side {
  readonly server: ServerHandle;
  readonly results: EtcdctlResult[];
}

const kind = targetKind();
const names = ['etcd', kind === 'etcd' ? 'etcd#2' : 'tsetcd'] as const;

async function runAll(side: Side): Promise<void> {
  for (const s of steps) {
    // `user passwd --interactive=false` reads the new password from stdin.
    const input = s.name.startsWith('user passwd') ? 'apw2\n' : '';
    side.results.push(await runEtcdctl(side.server.endpoint, s.args, {}, { input }));
  }
}

describe(`etcdctl auth: ${names[0]} (expected) vs ${names[1]} (received)`, () => {
  const sides: Side[] = [];

  beforeAll(async () => {
    const servers = await startAll([() => startEtcd(), () => startTarget(kind)]);
    for (const server of servers) sides.push({ server, results: [] });
    await Promise.all(sides.map(runAll));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(sides.map((s) => s.server.stop()));
  }, 30_000);

  test.each(steps.map((s, i) => [`#${String(i + 1).padStart(2, '0')} etcdctl ${s.name}`, i] as const))('%s', (_label, i) => {
    const [reference, target] = sides;
    const expected = reference?.results[i];
    const received = target?.results[i];
    if (reference === undefined || target === undefined || expected === undefined || received === undefined) {
      throw new Error('a server did not run the sequence');
    }
    expect(normalizeEtcdctl(received, target.server)).toEqual(normalizeEtcdctl(expected, reference.server));
  });

  test('the sequence really exercised auth: root reads, alice is refused, enable/disable worked', () => {
    const byName = new Map(steps.map((s, i) => [s.name, sides[1]?.results[i]]));
    expect(byName.get('get as root')).toMatchObject({ exitCode: 0, stdout: 'pub/a\n1\n' });
    expect(byName.get('put as alice elsewhere')?.stderr).toContain('etcdserver: permission denied');
    expect(byName.get('get without a user')?.stderr).toContain('etcdserver: user name is empty');
    expect(byName.get('wrong password')?.stderr).toContain('authentication failed, invalid user ID or password');
    expect(byName.get('get without a user again')).toMatchObject({ exitCode: 0, stdout: 'pub/a\n1\n' });
    expect(byName.get('compact as alice')).toMatchObject({ exitCode: 0, stdout: 'compacted revision 3\n' });
    expect(byName.get('endpoint hashkv as alice')?.stderr).toContain('auth: permission denied');
  });
});
