// Opening a member's disk state (etcd's bootstrap in etcdserver/server.go NewServer):
//   new member  -> create the WAL with {NodeID, ClusterID} metadata and store the membership in
//                  the backend (the raft core then emits etcd's bootstrap log: one committed
//                  ConfChange(AddNode) per initial member at term 1);
//   restart     -> open the backend, load the newest snapshot the WAL knows, replay the WAL after
//                  it into the in-memory raft log, restore the HardState; with --force-new-cluster,
//                  commit ConfChanges leaving this member alone first (force-new-cluster.ts).
// Layout: <data-dir>/member/wal/*.wal, <data-dir>/member/snap/*.snap, <data-dir>/member/snap/db/.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Metadata } from '@tsetcd/api';
import { Backend } from '../backend/backend';
import { MemoryStorage } from '../raft/memory-storage';
import { EMPTY_HARD_STATE, type HardState, type Snapshot } from '../raft/types';
import { NoSnapshotError, Snapshotter } from '../snap';
import { Wal } from '../wal';
import { assert } from './assert';
import { fetchClusterFromPeers, findSelf, type RemoteCluster } from './join';
import { createPeerFetch, type PeerFetch } from '../peer/peer-fetch';
import { forceNewClusterRestart, type ForceNewClusterPlan } from './force-new-cluster';
import { bootstrapCluster, Membership, type MemberRecord } from './membership';

export interface MemberDirs {
  readonly memberDir: string;
  readonly walDir: string;
  readonly snapDir: string;
  readonly backendDir: string;
}

export function memberDirs(dataDir: string, walDirFlag = ''): MemberDirs {
  const memberDir = path.join(dataDir, 'member');
  const snapDir = path.join(memberDir, 'snap');
  return {
    memberDir,
    walDir: walDirFlag !== '' ? walDirFlag : path.join(memberDir, 'wal'),
    snapDir,
    backendDir: path.join(snapDir, 'db'),
  };
}

export interface BootstrapParams {
  readonly dataDir: string;
  readonly walDir: string;
  readonly name: string;
  readonly initialCluster: ReadonlyMap<string, readonly string[]>;
  readonly initialClusterToken: string;
  readonly initialClusterState: 'new' | 'existing';
  readonly advertiseClientUrls: readonly string[];
  readonly clusterVersion: string;
  readonly quotaBackendBytes: number;
  /** --initial-advertise-peer-urls (finds this member in an existing cluster). */
  readonly advertisePeerUrls?: readonly string[];
  /** Member lookup for --initial-cluster-state=existing (default: GET /members on the other peers). */
  readonly fetchRemoteCluster?: () => Promise<RemoteCluster>;
  /** HTTP to the peers for the default lookup (with the peer TLS pair for https peers). */
  readonly peerFetch?: PeerFetch;
  /** --force-new-cluster: on restart, commit ConfChanges that leave this member alone (force-new-cluster.ts). */
  readonly forceNewCluster?: boolean;
  /** Told what a forced restart did (discarded / added / removed), for the log. */
  readonly onForcedRestart?: (plan: ForceNewClusterPlan) => void;
}

export interface OpenedStorage {
  readonly isNew: boolean;
  readonly memberId: bigint;
  readonly clusterId: bigint;
  readonly backend: Backend;
  readonly wal: Wal;
  readonly snapshotter: Snapshotter;
  readonly raftStorage: MemoryStorage;
  readonly membership: Membership;
  readonly hardState: HardState;
  /** The snapshot the raft log starts after (undefined: none yet). */
  readonly snapshot: Snapshot | undefined;
  readonly dirs: MemberDirs;
  /** Joining an existing cluster: raft starts empty (no bootstrap log), the leader fills it. */
  readonly joining?: boolean;
  /** Peers to dial before the membership is known locally (a joining member). */
  readonly initialPeers?: readonly MemberRecord[];
}

export async function openStorage(params: BootstrapParams): Promise<OpenedStorage> {
  const dirs = memberDirs(params.dataDir, params.walDir);
  fs.mkdirSync(dirs.snapDir, { recursive: true });
  const haveWal = Wal.exists(dirs.walDir);
  const backend = Backend.open(dirs.backendDir);
  try {
    const snapshotter = new Snapshotter(dirs.snapDir);
    return haveWal ? await restart(params, dirs, backend, snapshotter) : await bootstrapNew(params, dirs, backend, snapshotter);
  } catch (err) {
    await backend.close().catch(() => undefined);
    throw err;
  }
}

async function bootstrapNew(params: BootstrapParams, dirs: MemberDirs, backend: Backend, snapshotter: Snapshotter): Promise<OpenedStorage> {
  if (params.initialClusterState === 'existing') return joinExisting(params, dirs, backend, snapshotter);
  const cluster = bootstrapCluster(params.initialCluster, params.initialClusterToken, params.name, params.advertiseClientUrls);
  const self = cluster.members.find((m) => m.name === params.name);
  assert(self !== undefined, 'bootstrapCluster checks the local member is present');
  const membership = new Membership(cluster.clusterId, cluster.members);
  backend.batchTx((tx) => membership.save(tx, params.clusterVersion));
  await backend.sync();

  fs.mkdirSync(path.dirname(dirs.walDir), { recursive: true });
  const metadata = Metadata.encode({ NodeID: self.id, ClusterID: cluster.clusterId }).finish();
  // The bootstrap log (one committed AddNode per member at term 1) comes out of the raft core's
  // first Ready (RawNode.bootstrap) and is written by the driver like any other entries.
  const wal = await Wal.create(dirs.walDir, metadata);
  const raftStorage = new MemoryStorage();
  const hardState = EMPTY_HARD_STATE;
  return {
    isNew: true,
    memberId: self.id,
    clusterId: cluster.clusterId,
    backend,
    wal,
    snapshotter,
    raftStorage,
    membership,
    hardState,
    snapshot: undefined,
    dirs,
  };
}

/** etcd's join path: ids from the running cluster, an empty raft log, membership from the leader. */
async function joinExisting(params: BootstrapParams, dirs: MemberDirs, backend: Backend, snapshotter: Snapshotter): Promise<OpenedStorage> {
  const advertise = params.advertisePeerUrls ?? params.initialCluster.get(params.name) ?? [];
  const others = [...params.initialCluster.values()].flat().filter((u) => !advertise.includes(u));
  const remote = await (params.fetchRemoteCluster ?? (() => fetchClusterFromPeers(others, params.peerFetch ?? createPeerFetch())))();
  const self = findSelf(remote, advertise);
  if (remote.members.length > 0 && params.initialCluster.size !== remote.members.length) {
    throw new Error(`error validating peerURLs: member count is unequal (--initial-cluster has ${params.initialCluster.size}, the cluster has ${remote.members.length})`);
  }
  // The membership is rebuilt by applying the leader's log (or installing its snapshot).
  const membership = new Membership(remote.clusterId, []);
  fs.mkdirSync(path.dirname(dirs.walDir), { recursive: true });
  const metadata = Metadata.encode({ NodeID: self.id, ClusterID: remote.clusterId }).finish();
  const wal = await Wal.create(dirs.walDir, metadata);
  return {
    isNew: true,
    joining: true,
    initialPeers: remote.members.filter((m) => m.id !== self.id),
    memberId: self.id,
    clusterId: remote.clusterId,
    backend,
    wal,
    snapshotter,
    raftStorage: new MemoryStorage(),
    membership,
    hardState: EMPTY_HARD_STATE,
    snapshot: undefined,
    dirs,
  };
}

async function restart(params: BootstrapParams, dirs: MemberDirs, backend: Backend, snapshotter: Snapshotter): Promise<OpenedStorage> {
  const walSnaps = await Wal.validSnapshotEntries(dirs.walDir);
  let snapshot: Snapshot | undefined;
  try {
    snapshot = await snapshotter.loadNewestAvailable(walSnaps);
  } catch (err) {
    if (!(err instanceof NoSnapshotError)) throw err;
  }
  const start = snapshot === undefined ? { index: 0, term: 0 } : { index: snapshot.metadata.index, term: snapshot.metadata.term };
  const wal = await Wal.open(dirs.walDir, start);
  try {
    const contents = await wal.readAll();
    const meta = Metadata.decode(contents.metadata);
    assert(meta.NodeID !== 0n && meta.ClusterID !== 0n, 'WAL metadata carries the member and cluster ids');
    // A crash between saving a received snapshot and installing its image: install it now.
    if (snapshot !== undefined && backend.consistentIndex() < snapshot.metadata.index) {
      const image = snapshotter.dbFilePath(snapshot.metadata.index);
      if (fs.existsSync(image)) {
        await backend.replaceWith(fs.createReadStream(image));
        fs.rmSync(image, { force: true });
      }
    }
    const consistentIndex = backend.consistentIndex();
    if (snapshot !== undefined && consistentIndex < snapshot.metadata.index) {
      throw new Error(
        `backend consistent index ${consistentIndex} is behind the raft snapshot ${snapshot.metadata.index}: ` +
          'the backend is older than the WAL (restoring a backend image is not supported yet)',
      );
    }
    const membership = Membership.load(meta.ClusterID, backend.readTx());
    if (membership.isRemoved(meta.NodeID)) {
      throw new Error(`the member has been permanently removed from the cluster (member ${meta.NodeID.toString(16)})`);
    }
    let { hardState, entries } = contents;
    if (params.forceNewCluster === true) {
      const plan = await forceNewClusterRestart(
        { wal, backend, membership },
        {
          memberId: meta.NodeID,
          snapshot,
          hardState,
          entries,
          storedMemberIds: membership.ids(),
        },
      );
      ({ hardState, entries } = plan);
      params.onForcedRestart?.(plan);
    } else if (membership.member(meta.NodeID) === undefined) {
      throw new Error(`member ${meta.NodeID.toString(16)} is not in the membership stored in the backend`);
    }
    const raftStorage = new MemoryStorage();
    if (snapshot !== undefined) raftStorage.applySnapshot(snapshot);
    raftStorage.setHardState(hardState);
    if (entries.length > 0) raftStorage.append(entries);
    return {
      isNew: false,
      memberId: meta.NodeID,
      clusterId: meta.ClusterID,
      backend,
      wal,
      snapshotter,
      raftStorage,
      membership,
      hardState,
      snapshot,
      dirs,
    };
  } catch (err) {
    await wal.close().catch(() => undefined);
    throw err;
  }
}
