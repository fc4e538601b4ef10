// Auth through @tsetcd/client against etcd and tsetcd alike: users, roles, permissions, enabling
// auth, authenticating on connect, and re-authenticating after the server forgot the token.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, ErrPermissionDenied, EtcdError } from '@tsetcd/client';
import { freePort, type ServerHandle } from '../../support';
import { TARGETS, sleep } from './targets';

jest.setTimeout(90_000);

describe.each(TARGETS)('client auth against %s', (_name, start) => {
  let server: ServerHandle;
  let dataDir: string;
  let clientPort: number;
  let peerPort: number;
  const clients: Client[] = [];
  const open = (options: Partial<ConstructorParameters<typeof Client>[0]> = {}): Client => {
    const c = new Client({ endpoints: [server.endpoint], callTimeoutMs: 10_000, ...options });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'client-auth-'));
    clientPort = await freePort();
    peerPort = await freePort();
    // simple tokens expire after a second without use: an easy way to make the server forget one
    server = await start({ dataDir, clientPort, peerPort, extraArgs: ['--auth-token-ttl', '1'] });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('users, roles and permissions, then auth enabled: tokens attached, permissions enforced', async () => {
    const admin = open();
    await admin.auth.roleAdd('root');
    await admin.auth.userAdd('root', 'rootpw');
    await admin.auth.userGrantRole('root', 'root');
    await admin.auth.roleAdd('reader');
    await admin.auth.roleGrantPermission('reader', 'read', { key: 'pub/', prefix: true });
    await admin.auth.userAdd('alice', 'alicepw');
    await admin.auth.userGrantRole('alice', 'reader');
    expect((await admin.auth.userList()).users.sort()).toEqual(['alice', 'root']);
    expect((await admin.auth.userGet('alice')).roles).toEqual(['reader']);
    const perms = (await admin.auth.roleGet('reader')).permissions;
    expect(perms.map((p) => [p.type, p.key.toString(), p.rangeEnd.toString()])).toEqual([['read', 'pub/', 'pub0']]);
    await admin.put('pub/x', 'hello');
    await admin.auth.authEnable();

    const root = open({ auth: { username: 'root', password: 'rootpw' } });
    await root.put('pub/y', 'world');
    expect((await root.get('pub/x'))?.valueString()).toBe('hello');

    const alice = open({ auth: { username: 'alice', password: 'alicepw' } });
    expect((await alice.get('pub/y'))?.valueString()).toBe('world');
    await expect(alice.put('pub/z', 'no')).rejects.toBeInstanceOf(ErrPermissionDenied);

    const wrong = open({ auth: { username: 'alice', password: 'nope' } });
    await expect(wrong.get('pub/x')).rejects.toMatchObject({ name: 'ErrAuthFailed' });

    const anonymous = open();
    await expect(anonymous.get('pub/x')).rejects.toBeInstanceOf(EtcdError);
  });

  test('once the server has dropped the token, the client re-authenticates and retries', async () => {
    const root = open({ auth: { username: 'root', password: 'rootpw' } });
    const tokens: string[] = [];
    root.events.on('authenticated', (user) => tokens.push(user));
    await root.put('pub/before', '1');
    expect(tokens).toEqual(['root']);
    await sleep(3_000);
    expect((await root.get('pub/before'))?.valueString()).toBe('1');
    await root.put('pub/after', '2');
    expect(tokens).toEqual(['root', 'root']);
    await root.auth.authDisable();
    const anonymous = open();
    expect((await anonymous.get('pub/after'))?.valueString()).toBe('2');
  });

  test('user and role lifecycle: change password, revoke permission and role, delete', async () => {
    const admin = open();
    await admin.auth.roleAdd('writer');
    await admin.auth.roleGrantPermission('writer', 'readwrite', { key: 'w/', prefix: true });
    await admin.auth.roleGrantPermission('writer', 'write', { key: 'single' });
    expect((await admin.auth.roleGet('writer')).permissions.map((p) => [p.type, p.key.toString()])).toEqual([
      ['write', 'single'],
      ['readwrite', 'w/'],
    ]);
    await admin.auth.roleRevokePermission('writer', { key: 'single' });
    expect((await admin.auth.roleGet('writer')).permissions).toHaveLength(1);
    await admin.auth.userAdd('bob', 'one');
    await admin.auth.userChangePassword('bob', 'two');
    await admin.auth.userGrantRole('bob', 'writer');
    expect((await admin.auth.userGet('bob')).roles).toEqual(['writer']);
    await admin.auth.userRevokeRole('bob', 'writer');
    expect((await admin.auth.userGet('bob')).roles).toEqual([]);
    await admin.auth.userDelete('bob');
    await admin.auth.roleDelete('writer');
    expect((await admin.auth.userList()).users).not.toContain('bob');
    expect((await admin.auth.roleList()).roles).not.toContain('writer');
    await expect(admin.auth.userGet('bob')).rejects.toMatchObject({ name: 'ErrUserNotFound' });
  });
});
