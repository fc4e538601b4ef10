// --auth-token jwt on real etcd and on tsetcd with the same RSA key pair and the same auth
// history: a token one server issued is accepted by the other (same JWT header, claims and
// signature scheme), and both refuse it once their auth revision moved past the token's.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata } from '@grpc/grpc-js';
import { rawClient, type RawClient } from '../support/raw-client';
import { startEtcd, type ServerHandle } from '../support/server-process';
import { startAll, startTarget, targetKind } from './diff/harness';

jest.setTimeout(120_000);

const withToken = (token: string): Metadata => {
  const md = new Metadata();
  md.set('token', token);
  return md;
};

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { details?: string }).details ?? String(err);
  }
  return 'ok';
}

describe('jwt tokens: etcd and tsetcd accept each other\'s', () => {
  let dir: string;
  let servers: ServerHandle[] = [];
  let clients: RawClient[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'auth-jwt-'));
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'jwt.key'), privateKey.export({ format: 'pem', type: 'pkcs8' }));
    writeFileSync(join(dir, 'jwt.pub'), publicKey.export({ format: 'pem', type: 'spki' }));
    const flag = ['--auth-token', `jwt,pub-key=${join(dir, 'jwt.pub')},priv-key=${join(dir, 'jwt.key')},sign-method=RS256,ttl=10m`];
    servers = await startAll([() => startEtcd({ extraArgs: flag }), () => startTarget(targetKind(), { extraArgs: flag })]);
    clients = servers.map((s) => rawClient(s.endpoint));
    // The same auth history on both: equal auth revisions.
    for (const c of clients) {
      await c.call('Auth', 'userAdd', { name: 'root', password: 'rootpw' });
      await c.call('Auth', 'userGrantRole', { user: 'root', role: 'root' });
      await c.call('Auth', 'authEnable', {});
    }
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('a token from either server works on both; an auth change on one makes it stale there', async () => {
    const [etcd, ours] = clients as [RawClient, RawClient];
    const fromEtcd = ((await etcd.call('Auth', 'authenticate', { name: 'root', password: 'rootpw' })) as { token: string }).token;
    const fromOurs = ((await ours.call('Auth', 'authenticate', { name: 'root', password: 'rootpw' })) as { token: string }).token;
    expect(fromEtcd.split('.')).toHaveLength(3);
    expect(fromOurs.split('.')).toHaveLength(3);
    // Same header and the same claim names/values apart from exp.
    const claims = (t: string): Record<string, unknown> => {
      const c = JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      delete c.exp;
      return c;
    };
    expect(fromOurs.split('.')[0]).toBe(fromEtcd.split('.')[0]);
    expect(claims(fromOurs)).toEqual(claims(fromEtcd));
    for (const c of clients) {
      for (const token of [fromEtcd, fromOurs]) {
        await c.call('KV', 'put', { key: Buffer.from('k'), value: Buffer.from('v') }, withToken(token));
      }
    }
    for (const c of clients) {
      const rootMd = withToken(fromEtcd);
      await c.call('Auth', 'roleAdd', { name: 'later' }, rootMd);
      for (const token of [fromEtcd, fromOurs]) {
        expect(await failure(c.call('KV', 'put', { key: Buffer.from('k'), value: Buffer.from('v') }, withToken(token)))).toBe(
          'etcdserver: revision of auth store is old',
        );
      }
      const forged = `${fromOurs.slice(0, -4)}AAAA`;
      expect(await failure(c.call('KV', 'put', { key: Buffer.from('k'), value: Buffer.from('v') }, withToken(forged)))).toBe(
        'etcdserver: invalid auth token',
      );
    }
  });
});
