// What the member's raft loop asks of a peer transport (rafthttp.Transporter's job), and what the
// transport calls back. Implemented by WsTransport (peer/ws-transport.ts, real sockets) and
// MemoryTransport (peer/memory-transport.ts, integration tests).

import type { Message } from '../raft/types';

export interface PeerHandler {
  /** A raft message from a peer, to be stepped into the local raft node. */
  process(m: Message): void;
  /** A message could not be delivered (queue full or peer not connected). */
  reportUnreachable(id: bigint): void;
  /** Outcome of a MsgSnap this member sent. */
  reportSnapshot(id: bigint, status: 'finish' | 'failure'): void;
  /**
   * A MsgSnap arrived with its backend image: store the image durably (verified), then step the
   * message. Rejects when the image cannot be stored; the sender reports a failure.
   */
  receiveSnapshot(m: Message, image: AsyncIterable<Uint8Array>, verify: () => void): Promise<void>;
  /** True when `id` was removed from the cluster (its streams are refused with 410). */
  isRemovedMember(id: bigint): boolean;
  /** A peer told us we were removed from the cluster. */
  onRemovedSelf(): void;
}

export interface PeerTransport {
  addPeer(id: bigint, peerUrls: readonly string[]): void;
  updatePeer(id: bigint, peerUrls: readonly string[]): void;
  removePeer(id: bigint): void;
  hasPeer(id: bigint): boolean;
  /** Queues messages (never blocks); undeliverable ones are dropped and reported unreachable. */
  send(messages: readonly Message[]): void;
  /** Sends a MsgSnap with the backend image `image()` streams; reports the outcome to the handler. */
  sendSnapshot(m: Message, image: () => AsyncIterable<Uint8Array>): void;
  /** Peers with an open outbound stream (for the health of the cluster). */
  activePeers(): bigint[];
  close(): Promise<void>;
}

/** etcd's streamBufSize: messages queued per peer before new ones are dropped. */
export const PEER_QUEUE_MESSAGES = 4096;
/** Bytes the socket may hold unsent before the peer counts as congested. */
export const PEER_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
export const PEER_RECONNECT_MIN_MS = 50;
export const PEER_RECONNECT_MAX_MS = 1000;

export const HEADER_CLUSTER_ID = 'x-etcd-cluster-id';
export const HEADER_FROM = 'x-server-from';
export const HEADER_TO = 'x-raft-to';
export const RAFT_STREAM_PATH = '/raft/stream/';
export const RAFT_SNAPSHOT_PATH = '/raft/snapshot';
export const MEMBERS_PATH = '/members';
export const VERSION_PATH = '/version';
/** POST /members/promote/<hex id>: a follower forwards MemberPromote to the leader (etcd 3.4). */
export const PROMOTE_PATH = '/members/promote/';

/** The leader's side of a forwarded promote: resolves with the member list as /members JSON. */
export type PromoteHandler = (id: bigint) => Promise<string>;
