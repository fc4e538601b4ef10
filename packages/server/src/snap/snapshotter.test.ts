import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Snapshot } from '../raft/types';
import { NoSnapshotError, Snapshotter, SNAP_MAX_FILES_DEFAULT, snapFileName, decodeSnapshot, encodeSnapshot, SnapCorruptError } from './index';

const dirs: string[] = [];
function newDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tsetcd-snap-'));
  dirs.push(d);
  return path.join(d, 'member', 'snap');
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function snap(term: number, index: number, body = `state@${index}`): Snapshot {
  return {
    data: new TextEncoder().encode(body),
    metadata: { term, index, confState: { voters: [1n, 0xffffffffffffffffn], learners: [7n] } },
  };
}

describe('snap file encoding', () => {
  it('round-trips metadata, conf state and data, and names files term-index', () => {
    const s = snap(3, 0x1234, 'x'.repeat(1000));
    expect(decodeSnapshot(encodeSnapshot(s), 'f')).toEqual(s);
    expect(snapFileName(3, 0x1234)).toBe('0000000000000003-0000000000001234.snap');
  });

  it('detects any single flipped byte', () => {
    const bytes = encodeSnapshot(snap(2, 9));
    for (let i = 0; i < bytes.length; i++) {
      const copy = Buffer.from(bytes);
      copy[i] = copy[i]! ^ 0x10;
      expect(() => decodeSnapshot(copy, 'f')).toThrow(SnapCorruptError);
    }
  });
});

describe('Snapshotter', () => {
  it('saves durably under the etcd name and loads the newest', async () => {
    const dir = newDir();
    const ss = new Snapshotter(dir);
    await expect(ss.load()).rejects.toThrow(NoSnapshotError);
    await ss.save(snap(1, 100));
    await ss.save(snap(2, 250));
    await ss.save(snap(2, 200));
    expect(fs.readdirSync(dir).sort()).toEqual([
      '0000000000000001-0000000000000064.snap',
      '0000000000000002-00000000000000c8.snap',
      '0000000000000002-00000000000000fa.snap',
    ]);
    expect(await ss.load()).toEqual(snap(2, 250));
    await ss.save(snap(0, 0)); // empty: nothing written
    expect(fs.readdirSync(dir).length).toBe(3);
  });

  it('loadNewestAvailable picks the newest snapshot the WAL knows about', async () => {
    const ss = new Snapshotter(newDir());
    await ss.save(snap(1, 100));
    await ss.save(snap(1, 200));
    await ss.save(snap(2, 300)); // newer than anything the WAL committed
    const walSnaps = [{ index: 0, term: 0 }, { index: 100, term: 1 }, { index: 200, term: 1 }];
    expect((await ss.loadNewestAvailable(walSnaps)).metadata.index).toBe(200);
    // Same index, other term: not a match.
    expect((await ss.loadNewestAvailable([{ index: 200, term: 2 }, { index: 100, term: 1 }])).metadata.index).toBe(100);
    await expect(ss.loadNewestAvailable([{ index: 0, term: 0 }])).rejects.toThrow(NoSnapshotError);
  });

  it('renames a corrupt snapshot .broken and falls back to an older one', async () => {
    const dir = newDir();
    const warnings: string[] = [];
    const ss = new Snapshotter(dir, { warn: (m) => warnings.push(m) });
    await ss.save(snap(1, 100));
    await ss.save(snap(1, 200));
    const newest = path.join(dir, snapFileName(1, 200));
    const bytes = fs.readFileSync(newest);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff;
    fs.writeFileSync(newest, bytes);
    const loaded = await ss.loadNewestAvailable([{ index: 100, term: 1 }, { index: 200, term: 1 }]);
    expect(loaded).toEqual(snap(1, 100));
    expect(fs.existsSync(newest)).toBe(false);
    expect(fs.existsSync(`${newest}.broken`)).toBe(true);
    expect(warnings.join()).toContain('0000000000000001-00000000000000c8.snap');
    // A truncated file is set aside too.
    fs.truncateSync(path.join(dir, snapFileName(1, 100)), 10);
    await expect(ss.load()).rejects.toThrow(NoSnapshotError);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.broken')).length).toBe(2);
  });

  it('purges all but the newest N (etcd default 5) and ignores leftovers of an interrupted save', async () => {
    const dir = newDir();
    const ss = new Snapshotter(dir);
    for (let i = 1; i <= 8; i++) await ss.save(snap(1, i * 10));
    fs.writeFileSync(path.join(dir, '0000000000000001-0000000000000100.snap.tmp'), 'partial');
    expect(SNAP_MAX_FILES_DEFAULT).toBe(5);
    const removed = await ss.purge();
    expect(removed).toEqual([10, 20, 30].map((i) => snapFileName(1, i)));
    expect(await ss.snapNames()).toEqual([80, 70, 60, 50, 40].map((i) => snapFileName(1, i)));
    expect(fs.readdirSync(dir).some((n) => n.endsWith('.tmp'))).toBe(false);
    expect(await ss.purge(1)).toEqual([40, 50, 60, 70].map((i) => snapFileName(1, i)));
  });

  it('stores a streamed backend image as %016x.snap.db, and leaves nothing behind on a failed stream', async () => {
    const dir = newDir();
    const ss = new Snapshotter(dir);
    async function* chunks(fail: boolean) {
      for (let i = 0; i < 4; i++) yield new Uint8Array(1000).fill(i + 1);
      if (fail) throw new Error('peer went away');
    }
    const saved = await ss.saveDbFrom(chunks(false), 0x2a);
    expect(saved).toEqual({ path: path.join(fs.realpathSync(dir), '000000000000002a.snap.db'), sizeBytes: 4000 });
    const bytes = fs.readFileSync(saved.path);
    expect([bytes[0], bytes[999], bytes[1000], bytes[3999]]).toEqual([1, 1, 2, 4]);
    await expect(ss.saveDbFrom(chunks(true), 0x2b)).rejects.toThrow('peer went away');
    expect(fs.readdirSync(dir).sort()).toEqual(['000000000000002a.snap.db']);
    // .snap.db files are not snapshots: never listed, loaded or purged as such.
    expect(await ss.snapNames()).toEqual([]);
  });
});
