import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Backend } from './backend';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString());

describe('Backend', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsetcd-backend-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('commits a batch with its consistent index and reads it back after reopen', async () => {
    const dbPath = path.join(dir, 'member', 'snap', 'db');
    const b = Backend.open(dbPath);
    expect(b.consistentIndex()).toBe(0);
    b.batchTx((tx) => {
      tx.put('key', enc('a'), enc('1'));
      tx.put('lease', enc('l'), enc('2'));
      expect(dec(tx.get('key', enc('a')))).toBe('1'); // a batch sees its own writes
      tx.setConsistentIndex(42);
    });
    expect(dec(b.get('key', enc('a')))).toBe('1');
    expect(b.consistentIndex()).toBe(42);
    await b.close();
    expect(fs.existsSync(path.join(dbPath, 'data.mdb'))).toBe(true);
    const b2 = Backend.open(dbPath);
    expect(b2.consistentIndex()).toBe(42);
    expect(dec(b2.get('lease', enc('l')))).toBe('2');
    await b2.close();
  });

  it('size follows the data file across commits (cached between them)', async () => {
    const p = path.join(dir, 'db');
    const b = Backend.open(p);
    const stat = (): number => fs.statSync(path.join(p, 'data.mdb')).size;
    b.batchTx((tx) => tx.put('key', enc('a'), enc('1')));
    const before = b.size;
    expect(before).toBe(stat());
    const value = new Uint8Array(4096).fill(1);
    b.batchTx((tx) => {
      for (let i = 0; i < 500; i++) tx.put('key', enc(`big-${i}`), value);
    });
    expect(stat()).toBeGreaterThan(before);
    expect(b.size).toBe(stat());
    await b.close();
  });

  it('aborts the whole batch (data and consistent index) when the callback throws', async () => {
    const b = Backend.open(path.join(dir, 'db'));
    b.batchTx((tx) => tx.setConsistentIndex(1));
    expect(() =>
      b.batchTx((tx) => {
        tx.put('key', enc('x'), enc('1'));
        tx.setConsistentIndex(2);
        b.batchTx((inner) => inner.put('key', enc('y'), enc('1'))); // nested call joins the outer one
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(b.get('key', enc('x'))).toBeUndefined();
    expect(b.get('key', enc('y'))).toBeUndefined();
    expect(b.consistentIndex()).toBe(1);
    await b.close();
  });

  it('ranges forward and backward over [start, end)', async () => {
    const b = Backend.open(path.join(dir, 'db'));
    b.batchTx((tx) => {
      for (const k of ['a', 'b', 'c', 'd']) tx.put('key', enc(k), enc(k.toUpperCase()));
    });
    const keys = (it: Iterable<{ key: Uint8Array }>): string[] => [...it].map((e) => dec(e.key)!);
    expect(keys(b.range('key', enc('b')))).toEqual(['b', 'c', 'd']);
    expect(keys(b.range('key', enc('b'), { end: enc('d') }))).toEqual(['b', 'c']);
    expect(keys(b.range('key', enc('b'), { end: enc('d'), reverse: true }))).toEqual(['c', 'b']);
    expect(keys(b.range('key', enc('a'), { reverse: true, limit: 2 }))).toEqual(['d', 'c']);
    expect(keys(b.range('key', enc('a'), { limit: 1 }))).toEqual(['a']);
    b.batchTx((tx) => tx.delete('key', enc('c')));
    expect(keys(b.range('key', enc('a')))).toEqual(['a', 'b', 'd']);
    await b.close();
  });

  it('hash is stable across reopen, ignores what it is told to, and changes with data', async () => {
    const p = path.join(dir, 'db');
    const b = Backend.open(p);
    b.batchTx((tx) => {
      tx.put('key', enc('k'), enc('v'));
      tx.setConsistentIndex(7);
    });
    const ignore = [{ bucket: 'meta' as const, key: enc('consistent_index') }];
    const h1 = b.hash(ignore);
    b.batchTx((tx) => tx.setConsistentIndex(8));
    expect(b.hash(ignore)).toBe(h1);
    expect(b.hash()).not.toBe(h1);
    await b.close();
    const b2 = Backend.open(p);
    expect(b2.hash(ignore)).toBe(h1);
    b2.batchTx((tx) => tx.put('key', enc('k2'), enc('v')));
    expect(b2.hash(ignore)).not.toBe(h1);
    await b2.close();
  });

  it('defragment shrinks the file and keeps the data; snapshot streams a consistent copy', async () => {
    const p = path.join(dir, 'db');
    const b = Backend.open(p);
    const value = new Uint8Array(1024).fill(7);
    for (let batch = 0; batch < 20; batch++) {
      b.batchTx((tx) => {
        for (let i = 0; i < 100; i++) tx.put('key', enc(`k${batch}-${i}`), value);
      });
    }
    b.batchTx((tx) => {
      for (let batch = 0; batch < 19; batch++) for (let i = 0; i < 100; i++) tx.delete('key', enc(`k${batch}-${i}`));
      tx.setConsistentIndex(9);
    });
    const hashBefore = b.hash();
    const sizeBefore = b.size;
    expect(b.sizeInUse).toBeLessThan(sizeBefore);
    await b.defragment();
    expect(b.size).toBeLessThan(sizeBefore);
    expect(b.hash()).toBe(hashBefore);
    expect(b.consistentIndex()).toBe(9);
    b.batchTx((tx) => tx.put('key', enc('after'), enc('defrag')));
    expect(dec(b.get('key', enc('after')))).toBe('defrag');

    const chunks: Uint8Array[] = [];
    for await (const c of b.snapshot(4096)) chunks.push(c);
    expect(chunks.length).toBeGreaterThan(1);
    const restored = path.join(dir, 'restored');
    fs.mkdirSync(restored);
    fs.writeFileSync(path.join(restored, 'data.mdb'), Buffer.concat(chunks));
    const hashLive = b.hash();
    await b.close();
    const r = Backend.open(restored);
    expect(r.hash()).toBe(hashLive);
    expect(dec(r.get('key', enc('after')))).toBe('defrag');
    await r.close();
    expect(fs.readdirSync(dir).sort()).toEqual(['db', 'restored']); // temporary copies are removed
  });

  it('replaceWith installs another backend image (a received snapshot) with its consistent index', async () => {
    const source = Backend.open(path.join(dir, 'source'));
    source.batchTx((tx) => {
      tx.put('key', enc('from'), enc('source'));
      tx.setConsistentIndex(500);
    });
    const target = Backend.open(path.join(dir, 'target'));
    const dbHandleBefore = target.readTx();
    target.batchTx((tx) => {
      tx.put('key', enc('old'), enc('target'));
      tx.setConsistentIndex(3);
    });
    await target.replaceWith(source.snapshot());
    expect(target.consistentIndex()).toBe(500);
    expect(dec(target.get('key', enc('from')))).toBe('source');
    expect(target.get('key', enc('old'))).toBeUndefined();
    expect(dec(dbHandleBefore.get('key', enc('from')))).toBe('source'); // views follow the swap
    expect(target.hash()).toBe(source.hash());
    target.batchTx((tx) => tx.put('key', enc('after'), enc('1')));
    await target.close();
    await source.close();
    const reopened = Backend.open(path.join(dir, 'target'));
    expect(reopened.consistentIndex()).toBe(500);
    expect(dec(reopened.get('key', enc('after')))).toBe('1');
    await reopened.close();
    expect(fs.readdirSync(dir).sort()).toEqual(['source', 'target']);
  });
});
