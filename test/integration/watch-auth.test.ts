// Watch creates checked by auth like etcd's isWatchPermitted: a refused create is one response
// {watch_id: -1, created, canceled} whose cancel_reason is the full grpc-go status text.

import { Metadata } from '@grpc/grpc-js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunningServer } from '../../packages/server/src/main';
import { startServing } from './member-helpers';
import { rawClient, type RawClient } from '../support/raw-client';
import { waitFor } from '../support/wait';


interface Resp {
  watchId: bigint;
  created: boolean;
  canceled: boolean;
  cancelReason: string;
}

describe('watch with auth enabled', () => {
  let dir: string;
  let server: RunningServer;
  let client: RawClient;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tsetcd-watch-auth-'));
    server = await startServing(dir);
    client = rawClient(server.clientUrls[0]!.replace('http://', ''));
    await client.call('Auth', 'roleAdd', { name: 'root' });
    await client.call('Auth', 'userAdd', { name: 'root', password: 'pw' });
    await client.call('Auth', 'userGrantRole', { user: 'root', role: 'root' });
    await client.call('Auth', 'userAdd', { name: 'alice', password: 'apw' });
    await client.call('Auth', 'authEnable', {});
  }, 30_000);

  afterAll(async () => {
    client?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function createOnce(metadata?: Metadata): Promise<Resp> {
    const got: Resp[] = [];
    const stream = client.bidi('Watch', 'watch', { onResponse: (r) => got.push(r as Resp) }, metadata);
    try {
      stream.send({ createRequest: { key: Buffer.from('secret') } });
      await waitFor(() => got.length === 1);
      return got[0]!;
    } finally {
      stream.cancel();
    }
  }

  const tokenOf = async (name: string, password: string): Promise<Metadata> => {
    const { token } = (await client.call('Auth', 'authenticate', { name, password })) as { token: string };
    const md = new Metadata();
    md.set('token', token);
    return md;
  };

  test('no token: user name is empty (InvalidArgument)', async () => {
    expect(await createOnce()).toMatchObject({
      watchId: -1n,
      created: true,
      canceled: true,
      cancelReason: 'rpc error: code = InvalidArgument desc = etcdserver: user name is empty',
    });
  });

  test('a bad token: invalid auth token (Unauthenticated)', async () => {
    const md = new Metadata();
    md.set('token', 'nope.1');
    expect((await createOnce(md)).cancelReason).toBe('rpc error: code = Unauthenticated desc = etcdserver: invalid auth token');
  });

  test('a user without permission: permission denied; root: created', async () => {
    expect((await createOnce(await tokenOf('alice', 'apw'))).cancelReason).toBe('rpc error: code = PermissionDenied desc = etcdserver: permission denied');
    expect(await createOnce(await tokenOf('root', 'pw'))).toMatchObject({ watchId: 0n, created: true, canceled: false });
  });
});
