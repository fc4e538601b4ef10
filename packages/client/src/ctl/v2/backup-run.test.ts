import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InternalRaftRequest, Metadata } from '@tsetcd/api';
import { Backend } from '../../../../server/src/backend/backend';
import { memberDirs, openStorage } from '../../../../server/src/etcdserver/server-storage';
import { Membership } from '../../../../server/src/etcdserver/membership';
import { decodeConfChange, encodeConfChange } from '../../../../server/src/raft/confchange-codec';
import { ConfChangeType, EntryType, type Entry } from '../../../../server/src/raft/types';
import { Snapshotter } from '../../../../server/src/snap';
import { Wal } from '../../../../server/src/wal';
import { runBackup } from './backup';
import { backupEntryFate, filterBackupEntries } from './backup-entries';
import { readWalFrom } from './backup-wal';

const utf8 = new TextEncoder();
const CLUSTER_ID = 0x1234n;
const MEMBER_IDS = [0xa1n, 0xa2n, 0xa3n];

function confChange(index: number, nodeId: bigint): Entry {
  return { term: 1, index, type: EntryType.ConfChange, data: encodeConfChange({ id: 0n, type: ConfChangeType.AddNode, nodeId, context: new Uint8Array(0) }) };
}
function request(index: number, req: Partial<InternalRaftRequest>, term = 2): Entry {
  return { term, index, type: EntryType.Normal, data: InternalRaftRequest.encode(InternalRaftRequest.fromPartial(req)).finish() };
}
const v2Put = (key: string, value: string): Partial<InternalRaftRequest> => ({ v2: { Method: 'PUT', Path: `/1/${key}`, Val: value } as InternalRaftRequest['v2'] });
const attributes = (id: bigint): Partial<InternalRaftRequest> => ({
  v2: { Method: 'PUT', Path: `/0/members/${id.toString(16)}/attributes`, Val: '{"name":"x"}' } as InternalRaftRequest['v2'],
});
const v3Put = (key: string): Partial<InternalRaftRequest> => ({ header: { ID: 1n, username: '', authRevision: 0n }, put: { key: utf8.encode(key), value: utf8.encode('v') } as InternalRaftRequest['put'] });

describe('backup entry filter (etcdctl backup loadWAL)', () => {
  const entries = [
    confChange(1, 1n),
    { term: 2, index: 2, type: EntryType.Normal, data: new Uint8Array(0) },
    request(3, attributes(0xa1n)),
    request(4, v2Put('a', '1')),
    request(5, v3Put('k')),
    request(6, { v2: { Method: 'PUT', Path: '/0/members/zz/attributes' } as InternalRaftRequest['v2'] }),
  ];

  it('turns ConfChanges, member attribute updates and (without --with-v3) v3 requests into no-ops, keeping indexes and terms', () => {
    expect(entries.map((e) => backupEntryFate(e, false))).toEqual(['conf-change', 'keep', 'member-attributes', 'keep', 'v3', 'keep']);
    expect(backupEntryFate(entries[4]!, true)).toBe('keep');
    const out = filterBackupEntries(entries, false);
    expect(out.dropped).toEqual({ 'conf-change': 1, 'member-attributes': 1, v3: 1 });
    expect(out.entries.map((e) => [e.index, e.term])).toEqual(entries.map((e) => [e.index, e.term]));
    for (const i of [0, 2, 4]) expect(out.entries[i]).toEqual({ term: entries[i]!.term, index: i + 1, type: EntryType.Normal, data: new Uint8Array(0) });
    for (const i of [1, 3, 5]) expect(out.entries[i]).toBe(entries[i]);
    expect(filterBackupEntries(entries, true).dropped.v3).toBe(0);
    const lines: string[] = [];
    filterBackupEntries(entries, false, (l) => lines.push(l));
    expect(lines).toEqual(['ignoring EntryConfChange raft entry', 'ignoring member attribute update on /0/members/a1/attributes', 'ignoring v3 raft entry']);
  });
});

describe('runBackup on a tsetcd data dir', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'backup-run-'));
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** A member's data dir: 3-member membership, a snapshot at 5 and the WAL after it (8 uncommitted). */
  async function makeDataDir(dataDir: string, walDir = ''): Promise<void> {
    const dirs = memberDirs(dataDir, walDir);
    fs.mkdirSync(dirs.snapDir, { recursive: true });
    const backend = Backend.open(dirs.backendDir);
    backend.batchTx((tx) => {
      new Membership(CLUSTER_ID, MEMBER_IDS.map((id, i) => ({ id, name: `m${i}`, peerUrls: [`http://127.0.0.1:${2380 + i}`], clientUrls: [], isLearner: false }))).save(tx, '3.4.0');
      tx.put('key', utf8.encode('rev-1'), utf8.encode('a v3 key'));
      tx.setConsistentIndex(6);
    });
    await backend.close();
    await new Snapshotter(dirs.snapDir).save({ data: utf8.encode('{"v2":"image"}'), metadata: { index: 5, term: 2, confState: { voters: MEMBER_IDS, learners: [] } } });
    const wal = await Wal.create(dirs.walDir, Metadata.encode({ NodeID: MEMBER_IDS[0]!, ClusterID: CLUSTER_ID }).finish());
    await wal.save({ term: 2, vote: 0xa1n, commit: 5 }, [confChange(1, 0xa1n), confChange(2, 0xa2n), confChange(3, 0xa3n), request(4, v2Put('old', '0')), request(5, attributes(0xa2n))]);
    await wal.saveSnapshot({ index: 5, term: 2 });
    await wal.save({ term: 2, vote: 0xa1n, commit: 7 }, [request(6, v3Put('k')), request(7, v2Put('a', '1')), request(8, v2Put('b', 'uncommitted'))]);
    await wal.close();
  }

  it('writes the snapshot, the filtered WAL after it under new ids and a backend without membership (--with-v3)', async () => {
    const src = path.join(root, 'src');
    const dest = path.join(root, 'dest');
    await makeDataDir(src);
    await runBackup({ dataDir: src, walDir: '', backupDir: dest, backupWalDir: '', withV3: true });

    const dirs = memberDirs(dest);
    const snap = await new Snapshotter(dirs.snapDir).load();
    expect(snap.metadata).toEqual({ index: 5, term: 2, confState: { voters: MEMBER_IDS, learners: [] } });
    expect(new TextDecoder().decode(snap.data)).toBe('{"v2":"image"}');

    const read = readWalFrom(dirs.walDir, { index: 5, term: 2 });
    const meta = Metadata.decode(read.metadata);
    expect(meta.NodeID).not.toBe(0n);
    expect(meta.ClusterID).not.toBe(0n);
    expect(MEMBER_IDS).not.toContain(meta.NodeID);
    expect(meta.ClusterID).not.toBe(CLUSTER_ID);
    expect(read.hardState).toEqual({ term: 2, vote: 0xa1n, commit: 7 });
    expect(read.entries.map((e) => [e.index, e.data.length > 0])).toEqual([[6, true], [7, true], [8, true]]);

    const backend = Backend.open(dirs.backendDir);
    try {
      expect(backend.consistentIndex()).toBe(6);
      expect(new TextDecoder().decode(backend.get('key', utf8.encode('rev-1')))).toBe('a v3 key');
      for (const b of ['members', 'members_removed', 'cluster'] as const) expect([...backend.range(b, new Uint8Array(0))]).toEqual([]);
    } finally {
      await backend.close();
    }
    // The source is untouched and still opens (no lock left behind).
    const again = await Wal.open(memberDirs(src).walDir, { index: 5, term: 2 });
    expect((await again.readAll()).entries.map((e) => e.index)).toEqual([6, 7, 8]);
    await again.close();
  });

  it('without --with-v3: v3 entries become no-ops and the backend is empty, applied up to the commit index', async () => {
    const src = path.join(root, 'src');
    const dest = path.join(root, 'dest');
    await makeDataDir(src);
    await runBackup({ dataDir: src, walDir: '', backupDir: dest, backupWalDir: path.join(root, 'destwal'), withV3: false });
    const read = readWalFrom(path.join(root, 'destwal'), { index: 5, term: 2 });
    expect(read.entries.map((e) => [e.index, e.data.length > 0])).toEqual([[6, false], [7, true], [8, true]]);
    expect(Wal.exists(memberDirs(dest).walDir)).toBe(false);
    const backend = Backend.open(memberDirs(dest).backendDir);
    try {
      expect(backend.consistentIndex()).toBe(7);
      expect([...backend.range('key', new Uint8Array(0))]).toEqual([]);
    } finally {
      await backend.close();
    }
  });

  it('opens with --force-new-cluster as a one-member cluster of the new id (uncommitted entry dropped)', async () => {
    const src = path.join(root, 'src');
    const dest = path.join(root, 'dest');
    await makeDataDir(src);
    await runBackup({ dataDir: src, walDir: '', backupDir: dest, backupWalDir: '', withV3: true });
    const newId = Metadata.decode(readWalFrom(memberDirs(dest).walDir, { index: 5, term: 2 }).metadata).NodeID;
    const params = {
      dataDir: dest,
      walDir: '',
      name: 'restored',
      initialCluster: new Map([['restored', ['http://127.0.0.1:12380']]]),
      initialClusterToken: 'etcd-cluster',
      initialClusterState: 'new' as const,
      advertiseClientUrls: ['http://127.0.0.1:12379'],
      advertisePeerUrls: ['http://127.0.0.1:12380'],
      clusterVersion: '3.4.0',
      quotaBackendBytes: 0,
    };
    // Without --force-new-cluster the backup does not start: it has no membership.
    await expect(openStorage(params)).rejects.toThrow(/not in the membership/);
    const storage = await openStorage({ ...params, forceNewCluster: true });
    try {
      expect(storage.memberId).toBe(newId);
      const appended = storage.raftStorage.entries(8, storage.raftStorage.lastIndex() + 1, Infinity);
      expect(appended.map((e) => [e.type, decodeConfChange(e.data).type, decodeConfChange(e.data).nodeId])).toEqual([
        [EntryType.ConfChange, ConfChangeType.AddNode, newId],
        ...MEMBER_IDS.map((id) => [EntryType.ConfChange, ConfChangeType.RemoveNode, id]),
      ]);
      expect(storage.hardState.commit).toBe(11);
      expect(storage.membership.ids()).toEqual(MEMBER_IDS); // placeholders, removed when the entries apply
    } finally {
      await storage.wal.close();
      await storage.backend.close();
    }
  });

  it('reads a WAL kept outside the data dir (--wal-dir) and writes one to --backup-wal-dir', async () => {
    const src = path.join(root, 'src');
    const srcWal = path.join(root, 'srcwal');
    await makeDataDir(src, srcWal);
    expect(fs.existsSync(path.join(src, 'member', 'wal'))).toBe(false);
    await runBackup({ dataDir: src, walDir: srcWal, backupDir: path.join(root, 'dest'), backupWalDir: path.join(root, 'destwal'), withV3: true });
    const read = readWalFrom(path.join(root, 'destwal'), { index: 5, term: 2 });
    expect(read.entries.map((e) => e.index)).toEqual([6, 7, 8]);
  });

  it('refuses an etcd WAL with a clear error, leaving no backup behind', async () => {
    const src = path.join(root, 'src');
    fs.mkdirSync(path.join(src, 'member', 'snap', 'db'), { recursive: true });
    fs.mkdirSync(path.join(src, 'member', 'wal'));
    // etcd's first record: an 8-byte frame length, then walpb.Record{type: crcType(4), crc: 0}.
    const segment = Buffer.alloc(4096);
    segment.writeUInt32LE(4, 0);
    Buffer.from([0x08, 0x04, 0x10, 0x00]).copy(segment, 8);
    fs.writeFileSync(path.join(src, 'member', 'wal', '0000000000000000-0000000000000000.wal'), segment);
    const dest = path.join(root, 'dest');
    await expect(runBackup({ dataDir: src, walDir: '', backupDir: dest, backupWalDir: '', withV3: false })).rejects.toThrow(/is not a tsetcd WAL segment \(an etcd WAL\?\)/);
    expect(fs.existsSync(dest)).toBe(false);
  });

  it('refuses an etcd (bbolt) data dir, a missing one, and an existing backup', async () => {
    const etcdDir = path.join(root, 'etcd');
    fs.mkdirSync(path.join(etcdDir, 'member', 'snap'), { recursive: true });
    fs.writeFileSync(path.join(etcdDir, 'member', 'snap', 'db'), Buffer.alloc(4096));
    await expect(runBackup({ dataDir: etcdDir, walDir: '', backupDir: path.join(root, 'b1'), backupWalDir: '', withV3: false })).rejects.toThrow(/bbolt file \(an etcd data dir\)/);
    const missing = path.join(root, 'missing');
    await expect(runBackup({ dataDir: missing, walDir: '', backupDir: path.join(root, 'b2'), backupWalDir: '', withV3: false })).rejects.toThrow(
      `open ${path.join(missing, 'member', 'snap')}: no such file or directory`,
    );
    expect(fs.existsSync(missing)).toBe(false);
    const src = path.join(root, 'src');
    await makeDataDir(src);
    await runBackup({ dataDir: src, walDir: '', backupDir: path.join(root, 'b3'), backupWalDir: '', withV3: false });
    await expect(runBackup({ dataDir: src, walDir: '', backupDir: path.join(root, 'b3'), backupWalDir: '', withV3: false })).rejects.toThrow(/file already exists/);
  });
});
