// The member's side of the peer transport: steps peers' messages into raft, sends raft's
// messages (MsgSnap as a merged snapshot with the backend image, etcd's
// createMergedSnapshotMessage), stores received images, keeps the transport's peer set equal
// to the membership, and notices this member's own removal.

import * as fs from 'node:fs';
import type { Logger } from 'pino';
import type { Backend } from '../backend/backend';
import type { MemoryStorage } from '../raft/memory-storage';
import { MessageType, type ConfState, type Message, type RawNodeApi } from '../raft/types';
import type { Snapshotter } from '../snap';
import type { PeerHandler, PeerTransport } from '../peer/transport';
import { formatId } from './member-id';
import type { Membership, MemberRecord } from './membership';
import { errorFromStatus } from '@tsetcd/api';
import { PROMOTE_PATH } from '../peer/transport';
import { decodeMembersJson } from './join';
import type { LeaseRouteTarget } from '../peer/lease-forward-routes';
import type { PeerFetch } from '../peer/peer-fetch';

/** A transport the member can start with its handler (WsTransport, MemoryTransport). */
export interface StartablePeerTransport extends PeerTransport {
  start(handler: PeerHandler): void;
  /** Serves MemberPromote forwarded by followers (peer HTTP). */
  setPromoteHandler?(fn: (id: bigint) => Promise<string>): void;
  /** Serves lease keepalive / time-to-live forwarded by followers (peer HTTP). */
  setLeaseTarget?(target: LeaseRouteTarget): void;
  /** Every peer's URLs, for forwarding lease requests to the primary. */
  peerUrlList?(): ReadonlyArray<readonly string[]>;
  /** HTTP to the peers (promote and lease forwarding), with the peer TLS pair for https peers. */
  readonly peerFetch?: PeerFetch;
}

export interface ClusterLinkDeps {
  readonly selfId: bigint;
  readonly transport: StartablePeerTransport;
  readonly node: RawNodeApi;
  readonly raftStorage: MemoryStorage;
  readonly backend: Backend;
  readonly snapshotter: Snapshotter;
  readonly membership: Membership;
  readonly logger: Logger;
  /** Wakes the raft loop after a step/report. */
  readonly notify: () => void;
  /**
   * The applied state for a merged snapshot: the index the state machine is at (synchronously, not
   * the driver's lagging applied index), its ConfState and its snap data (members + v2 store).
   */
  readonly stateSnapshot: () => { index: number; confState: ConfState; data: Uint8Array };
  readonly isStopped: () => boolean;
  /** This member was removed: stop it (etcd: "the member has been permanently removed"). */
  readonly onRemoved: () => void;
  /** Sees every peer message before raft steps it (the v2 stats count appends and latencies). */
  readonly onReceive?: (m: Message) => void;
  /** A removed member's peer was dropped (its follower stats go too). */
  readonly onPeerRemoved?: (id: bigint) => void;
}

export class ClusterLink implements PeerHandler {
  private removedNoticed = false;
  /** Every member id the transport was told about (to drop the removed ones). */
  private readonly known = new Set<bigint>();

  constructor(private readonly deps: ClusterLinkDeps) {}

  start(): void {
    this.deps.transport.start(this);
    this.syncPeers();
  }

  close(): Promise<void> {
    return this.deps.transport.close();
  }

  /** Raft's outgoing messages: MsgSnap goes by HTTP with the backend image, the rest by stream. */
  send(messages: readonly Message[]): void {
    const plain: Message[] = [];
    for (const m of messages) {
      if (m.type === MessageType.MsgSnap) this.sendMergedSnapshot(m);
      else plain.push(m);
    }
    if (plain.length > 0) this.deps.transport.send(plain);
  }

  /** The transport's peers follow the membership (after bootstrap, conf changes, snapshots). */
  syncPeers(): void {
    const { membership, transport, selfId } = this.deps;
    const ids = new Set(membership.ids());
    for (const m of membership.all()) {
      if (m.id === selfId) continue;
      if (transport.hasPeer(m.id)) transport.updatePeer(m.id, m.peerUrls);
      else transport.addPeer(m.id, m.peerUrls);
    }
    for (const id of this.known) if (!ids.has(id) && membership.isRemoved(id)) this.dropPeer(id);
    for (const id of ids) this.known.add(id);
    if (!ids.has(selfId) && membership.isRemoved(selfId)) this.onRemovedSelf();
  }

  /** Removes a peer the transport may still hold streams for (a removed member). */
  dropPeer(id: bigint): void {
    this.deps.transport.removePeer(id);
    this.deps.onPeerRemoved?.(id);
  }

  // ---- PeerHandler -----------------------------------------------------------------------------

  process(m: Message): void {
    if (this.deps.isStopped()) return;
    this.deps.onReceive?.(m);
    try {
      this.deps.node.step(m);
    } catch (err) {
      this.deps.logger.warn({ from: formatId(m.from), type: MessageType[m.type], err: String(err) }, 'dropped peer message');
      return;
    }
    this.deps.notify();
  }

  reportUnreachable(id: bigint): void {
    if (this.deps.isStopped()) return;
    this.deps.node.reportUnreachable(id);
    this.deps.notify();
  }

  reportSnapshot(id: bigint, status: 'finish' | 'failure'): void {
    if (this.deps.isStopped()) return;
    this.deps.node.reportSnapshot(id, status);
    this.deps.notify();
  }

  async receiveSnapshot(m: Message, image: AsyncIterable<Uint8Array>, verify: () => void): Promise<void> {
    const snap = m.snapshot;
    if (snap === undefined) throw new Error('MsgSnap without a snapshot');
    const { path, sizeBytes } = await this.deps.snapshotter.saveDbFrom(image, snap.metadata.index);
    try {
      verify();
    } catch (err) {
      fs.rmSync(path, { force: true });
      throw err;
    }
    this.deps.logger.info({ from: formatId(m.from), index: snap.metadata.index, sizeBytes }, 'received snapshot image');
    this.process(m);
  }

  isRemovedMember(id: bigint): boolean {
    return this.deps.membership.isRemoved(id);
  }

  onRemovedSelf(): void {
    if (this.removedNoticed) return;
    this.removedNoticed = true;
    this.deps.logger.error({ memberId: formatId(this.deps.selfId) }, 'the member has been permanently removed from the cluster');
    this.deps.onRemoved();
  }

  // ---- snapshots -------------------------------------------------------------------------------

  /** The state at the applied index with the current ConfState, plus the whole backend image. */
  private sendMergedSnapshot(m: Message): void {
    const { raftStorage, backend } = this.deps;
    const { index, confState, data } = this.deps.stateSnapshot();
    let term: number;
    try {
      term = raftStorage.term(index);
    } catch {
      this.deps.node.reportSnapshot(m.to, 'failure');
      return;
    }
    const merged: Message = { ...m, snapshot: { data, metadata: { index, term, confState } } };
    this.deps.logger.info({ to: formatId(m.to), index, term }, 'sending merged snapshot');
    // The image is copied when iteration starts: it holds at least everything up to `index`
    // (entries after it that it also holds are skipped by the receiver's consistent index).
    this.deps.transport.sendSnapshot(merged, () => backend.snapshot());
  }

  /** Installs the image received for `index` (already durable under snap/) into the backend. */
  async installSnapshotImage(index: number): Promise<boolean> {
    const { backend, snapshotter, membership } = this.deps;
    if (backend.consistentIndex() >= index) return false;
    const file = snapshotter.dbFilePath(index);
    await backend.replaceWith(fs.createReadStream(file));
    membership.reload(backend.readTx());
    fs.rmSync(file, { force: true });
    this.deps.logger.info({ index, consistentIndex: backend.consistentIndex() }, 'installed snapshot image');
    return true;
  }
}

/** POSTs a MemberPromote to the leader's peer URL; returns the member list or throws its error. */
export async function forwardPromote(peerFetch: PeerFetch, leaderPeerUrl: string, id: bigint, timeoutMs: number): Promise<MemberRecord[]> {
  const res = await peerFetch(new URL(`${PROMOTE_PATH}${formatId(id)}`, leaderPeerUrl), { method: 'POST', signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (res.ok) return decodeMembersJson(text);
  let body: { code?: number; message?: string } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = { message: text };
  }
  throw errorFromStatus(body.code ?? 2, body.message ?? `promote forwarded to the leader failed (${res.status})`);
}
