// The bbolt writer and reader: round trips (empty buckets, branch levels, overflow pages), and
// real bbolt's verdict through Debian's etcdctl (`snapshot status` runs tx.Check and hashes every
// bucket) on a written file, and our reader on a snapshot real etcd wrote.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BBOLT_PAGE_BYTES, type BboltBucket } from './bbolt-layout';
import { readBbolt } from './bbolt-reader';
import { writeBbolt } from './bbolt-writer';
import { bboltStatus } from './bbolt-status';

const ETCDCTL = '/usr/bin/etcdctl';
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/** etcd's 17-byte revision key: main (8 BE) '_' sub (8 BE). */
function revKey(main: number, sub = 0): Buffer {
  const b = Buffer.alloc(17);
  b.writeBigUInt64BE(BigInt(main), 0);
  b[8] = 0x5f;
  b.writeBigUInt64BE(BigInt(sub), 9);
  return b;
}

function sample(keys: number, valueBytes: number): BboltBucket[] {
  return [
    { name: utf8('meta'), entries: [[utf8('consistent_index'), Buffer.alloc(8, 1)]] },
    { name: utf8('key'), entries: Array.from({ length: keys }, (_, i) => [revKey(i + 2), Buffer.alloc(valueBytes, i % 251)] as const) },
    { name: utf8('lease'), entries: [] },
    { name: utf8('authUsers'), entries: [[utf8('root'), utf8('user-record')]] },
    { name: utf8('auth'), entries: [[utf8('authEnabled'), Buffer.from([0])]] },
  ];
}

const byName = (buckets: readonly BboltBucket[]): Record<string, Array<[string, string]>> =>
  Object.fromEntries(
    buckets.map((b) => [Buffer.from(b.name).toString(), b.entries.map(([k, v]) => [Buffer.from(k).toString('hex'), Buffer.from(v).toString('hex')] as [string, string])]),
  );

describe('bbolt writer and reader', () => {
  it.each([
    ['empty buckets and one page each', 0, 10],
    ['many small keys: leaf pages under branch levels', 20_000, 20],
    ['values larger than a page: overflow pages', 40, 3 * BBOLT_PAGE_BYTES + 17],
  ])('%s round-trips', (_name, keys, valueBytes) => {
    const buckets = sample(keys, valueBytes);
    const file = writeBbolt(buckets);
    expect(file.length % BBOLT_PAGE_BYTES).toBe(0);
    const read = readBbolt(file);
    expect(read.pgid * BBOLT_PAGE_BYTES).toBe(file.length);
    expect(read.txid).toBe(1n);
    expect(byName(read.buckets)).toEqual(byName(buckets));
    // buckets come back in bbolt's order: by name, bytewise
    expect(read.buckets.map((b) => Buffer.from(b.name).toString())).toEqual(['auth', 'authUsers', 'key', 'lease', 'meta']);
  });

  it('refuses unordered keys and files without a valid meta', () => {
    expect(() => writeBbolt([{ name: utf8('key'), entries: [[revKey(3), utf8('a')], [revKey(2), utf8('b')]] }])).toThrow('not in byte order');
    const file = writeBbolt(sample(3, 3));
    file.writeUInt32LE(0, 16); // meta 0 magic
    file.writeUInt32LE(0, BBOLT_PAGE_BYTES + 16); // meta 1 magic
    expect(() => readBbolt(file)).toThrow('invalid database');
  });
});

(existsSync(ETCDCTL) ? describe : describe.skip)('against real bbolt (Debian etcdctl 3.4)', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bbolt-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const etcdctlStatus = (file: string): { status: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(ETCDCTL, ['snapshot', 'status', file, '-w', 'json'], { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it.each([
    ['small', 10, 30],
    ['branch levels', 20_000, 20],
    ['overflow pages', 40, 3 * BBOLT_PAGE_BYTES + 17],
  ])('%s: bbolt opens it, tx.Check finds nothing, and its hash, revision, key count and size equal ours', async (name, keys, valueBytes) => {
    const file = path.join(dir, `${name}.db`);
    const image = writeBbolt(sample(keys, valueBytes));
    await writeFile(file, image);
    const r = etcdctlStatus(file);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const theirs = JSON.parse(r.stdout) as { hash: number; revision: number; totalKey: number; totalSize: number };
    const ours = bboltStatus(image);
    expect(theirs).toEqual({ hash: ours.hash, revision: Number(ours.revision), totalKey: ours.totalKey, totalSize: ours.totalSize });
    expect(ours.revision).toBe(BigInt(keys + 1 > 1 ? keys + 1 : 0));
  });
});
