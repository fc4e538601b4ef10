// The peer transport on --listen-peer-urls: outbound ws streams (one per peer, carrying this
// member's raft messages), an HTTP server that accepts peers' streams, snapshot POSTs and the
// member lookups (/members, /version) that joining members use.

import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { formatId } from '../etcdserver/member-id';
import { MessageType, type Message } from '../raft/types';
import { isLeasePath, serveLeaseRoute, type LeaseRouteTarget } from './lease-forward-routes';
import { PeerStream } from './peer-stream';
import { decodeBatch, decodeMessage } from './raft-codec';
import { postSnapshot, readSnapshotBody } from './snapshot-sender';
import { createPeerFetch, type PeerFetch } from './peer-fetch';
import { peerIdentityAllowed, peerTlsMissingError, type PeerTls } from './peer-tls';
import {
  HEADER_CLUSTER_ID,
  HEADER_FROM,
  HEADER_TO,
  MEMBERS_PATH,
  PROMOTE_PATH,
  type PromoteHandler,
  RAFT_SNAPSHOT_PATH,
  RAFT_STREAM_PATH,
  VERSION_PATH,
  type PeerHandler,
  type PeerTransport,
} from './transport';

export interface WsTransportOptions {
  readonly selfId: bigint;
  readonly clusterId: bigint;
  readonly logger: Logger;
  /** etcd's /members body: [{id, name, peerURLs, clientURLs, isLearner?}] */
  readonly membersJson: () => string;
  readonly versionJson: () => string;
  /** The peer TLS pair for https peers (streams, snapshots, lookups); undefined: plain http only. */
  readonly tls?: PeerTls;
}

export interface PeerListener {
  readonly url: string;
  readonly server: http.Server | https.Server;
}

/** An https peer listener: the peer TLS pair, and the allowed CN / host name checked on every connection. */
function createTlsPeerServer(peerTls: PeerTls): https.Server {
  const server = https.createServer(peerTls.server);
  server.on('secureConnection', (socket: TLSSocket) => {
    if (!peerIdentityAllowed(socket, peerTls)) socket.destroy();
  });
  return server;
}

/**
 * Binds the peer URLs (port 0 resolves); the transport attaches its routes later. An https URL
 * needs the peer TLS pair (etcd's error otherwise); an http URL ignores it, as etcd does.
 */
export async function bindPeers(listenPeerUrls: readonly string[], peerTls?: PeerTls): Promise<PeerListener[]> {
  const out: PeerListener[] = [];
  try {
    for (const raw of listenPeerUrls) {
      const u = new URL(raw);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`peer URL ${raw}: URL scheme must be http or https`);
      if (u.protocol === 'https:' && peerTls === undefined) throw peerTlsMissingError(u.host);
      const server = u.protocol === 'https:' && peerTls !== undefined ? createTlsPeerServer(peerTls) : http.createServer();
      server.keepAliveTimeout = 30_000;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(Number(u.port || '2380'), u.hostname.replace(/^\[|\]$/g, ''), () => {
          server.off('error', reject);
          resolve();
        });
      });
      const port = (server.address() as AddressInfo).port;
      out.push({ url: `${u.protocol}//${u.hostname}:${port}`, server });
    }
  } catch (err) {
    await Promise.all(out.map((l) => new Promise((r) => l.server.close(r))));
    throw err;
  }
  return out;
}

function parseId(v: string | string[] | undefined): bigint | undefined {
  if (typeof v !== 'string' || !/^[0-9a-f]{1,16}$/i.test(v)) return undefined;
  return BigInt(`0x${v}`);
}

export class WsTransport implements PeerTransport {
  private readonly streams = new Map<bigint, PeerStream>();
  private readonly urls = new Map<bigint, readonly string[]>();
  private leaseTarget: LeaseRouteTarget | undefined;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 512 * 1024 * 1024 });
  private handler: PeerHandler | undefined;
  private closed = false;
  private readonly unreachableAt = new Map<bigint, number>();
  private promoteHandler: PromoteHandler | undefined;
  /** Streams peers opened to us, by sender (closed when the sender is removed). */
  private readonly inbound = new Map<bigint, Set<import('ws').WebSocket>>();
  /** HTTP to the peers' peer URLs, with the peer TLS pair for https ones. */
  readonly peerFetch: PeerFetch;

  constructor(
    private readonly opts: WsTransportOptions,
    private readonly listeners: readonly PeerListener[],
  ) {
    this.peerFetch = createPeerFetch(opts.tls);
    for (const l of listeners) {
      l.server.on('request', (req, res) => this.onRequest(req, res));
      l.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket as import('node:net').Socket, head));
    }
  }

  setPromoteHandler(fn: PromoteHandler): void {
    this.promoteHandler = fn;
  }

  /** Who answers the lease routes (the member's lease front end); unset: "not a primary lessor". */
  setLeaseTarget(target: LeaseRouteTarget): void {
    this.leaseTarget = target;
  }

  /** Every peer's URLs (lease requests are forwarded to whichever is the primary). */
  peerUrlList(): ReadonlyArray<readonly string[]> {
    return [...this.urls.values()];
  }

  /** Starts serving peer traffic into `handler`. */
  start(handler: PeerHandler): void {
    this.handler = handler;
  }

  addPeer(id: bigint, peerUrls: readonly string[]): void {
    if (id === this.opts.selfId || this.closed) return;
    this.urls.set(id, peerUrls);
    if (this.streams.has(id)) return this.updatePeer(id, peerUrls);
    this.streams.set(
      id,
      new PeerStream(
        {
          selfId: this.opts.selfId,
          peerId: id,
          clusterId: this.opts.clusterId,
          logger: this.opts.logger,
          onUnreachable: () => this.reportUnreachable(id),
          onRemovedSelf: () => this.handler?.onRemovedSelf(),
          ...(this.opts.tls !== undefined ? { tls: this.opts.tls.client } : {}),
        },
        peerUrls,
      ),
    );
  }

  updatePeer(id: bigint, peerUrls: readonly string[]): void {
    this.urls.set(id, peerUrls);
    this.streams.get(id)?.setUrls(peerUrls);
  }

  removePeer(id: bigint): void {
    // Its streams to us go too: the reconnect is answered 410, which tells it it was removed.
    for (const ws of this.inbound.get(id) ?? []) ws.terminate();
    this.streams.get(id)?.close();
    this.streams.delete(id);
    this.urls.delete(id);
  }

  hasPeer(id: bigint): boolean {
    return this.streams.has(id);
  }

  activePeers(): bigint[] {
    return [...this.streams].filter(([, s]) => s.isOpen).map(([id]) => id);
  }

  send(messages: readonly Message[]): void {
    for (const m of messages) {
      if (m.to === 0n) continue;
      const s = this.streams.get(m.to);
      if (s === undefined) {
        this.reportUnreachable(m.to);
        continue;
      }
      s.send(m);
    }
  }

  sendSnapshot(m: Message, image: () => AsyncIterable<Uint8Array>): void {
    const urls = this.urls.get(m.to);
    const url = urls?.[0];
    if (url === undefined) {
      this.handler?.reportSnapshot(m.to, 'failure');
      return;
    }
    const started = Date.now();
    postSnapshot(url, { selfId: this.opts.selfId, clusterId: this.opts.clusterId }, m, image(), this.opts.tls?.client).then(
      () => {
        this.opts.logger.info({ peer: formatId(m.to), index: m.snapshot?.metadata.index, ms: Date.now() - started }, 'sent snapshot');
        this.handler?.reportSnapshot(m.to, 'finish');
      },
      (err: unknown) => {
        this.opts.logger.warn({ peer: formatId(m.to), err: String(err) }, 'sending snapshot failed');
        this.handler?.reportSnapshot(m.to, 'failure');
        this.reportUnreachable(m.to);
      },
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.leaseTarget = undefined;
    for (const s of this.streams.values()) s.close();
    this.streams.clear();
    for (const c of this.wss.clients) c.terminate();
    await Promise.all(
      this.listeners.map(
        (l) =>
          new Promise<void>((resolve) => {
            l.server.close(() => resolve());
            l.server.closeAllConnections();
          }),
      ),
    );
  }

  /** At most one report per peer per 100 ms: raft only needs to know the peer is not hearing us. */
  private reportUnreachable(id: bigint): void {
    const now = Date.now();
    if ((this.unreachableAt.get(id) ?? 0) + 100 > now) return;
    this.unreachableAt.set(id, now);
    this.handler?.reportUnreachable(id);
  }

  /** Cluster/member checks shared by streams and snapshots; returns an error status or undefined. */
  private checkPeer(req: http.IncomingMessage): { status: number; text: string } | { from: bigint } {
    const cid = parseId(req.headers[HEADER_CLUSTER_ID]);
    if (cid !== undefined && cid !== this.opts.clusterId) {
      this.opts.logger.warn({ remoteClusterId: formatId(cid), localClusterId: formatId(this.opts.clusterId) }, 'request cluster ID mismatch');
      return { status: 412, text: 'cluster ID mismatch' };
    }
    const from = parseId(req.headers[HEADER_FROM]);
    if (from === undefined) return { status: 400, text: 'missing sender id' };
    const to = parseId(req.headers[HEADER_TO]);
    if (to !== undefined && to !== this.opts.selfId) return { status: 412, text: 'to field mismatch' };
    if (this.handler === undefined) return { status: 503, text: 'member not started' };
    if (this.handler.isRemovedMember(from)) return { status: 410, text: 'the member has been permanently removed from the cluster' };
    return { from };
  }

  private onUpgrade(req: http.IncomingMessage, socket: import('node:net').Socket, head: Buffer): void {
    // After 'upgrade' the http server no longer guards the socket: a reset must not crash us.
    socket.on('error', () => socket.destroy());
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!path.startsWith(RAFT_STREAM_PATH)) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const check = this.checkPeer(req);
    if (!('from' in check)) {
      socket.end(`HTTP/1.1 ${check.status} ${http.STATUS_CODES[check.status] ?? ''}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(check.text)}\r\nX-Etcd-Cluster-ID: ${formatId(this.opts.clusterId)}\r\n\r\n${check.text}`);
      return;
    }
    const from = check.from;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      let set = this.inbound.get(from);
      if (set === undefined) this.inbound.set(from, (set = new Set()));
      set.add(ws);
      ws.on('close', () => set.delete(ws));
      ws.on('message', (data: Buffer) => {
        let batch: Message[];
        try {
          batch = decodeBatch(data);
        } catch (err) {
          this.opts.logger.warn({ peer: formatId(from), err: String(err) }, 'bad raft frame; closing stream');
          ws.terminate();
          return;
        }
        if (this.handler?.isRemovedMember(from) === true) {
          ws.terminate();
          return;
        }
        for (const m of batch) if (m.to === this.opts.selfId) this.handler?.process(m);
      });
      ws.on('error', () => undefined);
    });
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    res.setHeader('X-Etcd-Cluster-ID', formatId(this.opts.clusterId));
    if (req.method === 'GET' && path === MEMBERS_PATH) {
      res.setHeader('Content-Type', 'application/json');
      res.end(this.opts.membersJson());
      return;
    }
    if (req.method === 'GET' && path === VERSION_PATH) {
      res.setHeader('Content-Type', 'application/json');
      res.end(this.opts.versionJson());
      return;
    }
    if (req.method === 'POST' && path.startsWith(PROMOTE_PATH)) {
      const id = parseId(path.slice(PROMOTE_PATH.length));
      const handler = this.promoteHandler;
      if (id === undefined || handler === undefined) {
        res.statusCode = 400;
        res.end(JSON.stringify({ code: 3, message: 'bad promote request' }));
        return;
      }
      handler(id).then(
        (json) => {
          res.setHeader('Content-Type', 'application/json');
          res.end(json);
        },
        (err: unknown) => {
          const e = err as { code?: number; message?: string };
          res.statusCode = 500;
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify({ code: typeof e.code === 'number' ? e.code : 2, message: e.message ?? String(err) }));
        },
      );
      return;
    }
    if (req.method === 'POST' && isLeasePath(path)) return serveLeaseRoute(this.leaseTarget, path, req, res);
    if (req.method === 'POST' && path === RAFT_SNAPSHOT_PATH) {
      void this.onSnapshot(req, res);
      return;
    }
    res.statusCode = 404;
    res.end('404 page not found\n');
  }

  private async onSnapshot(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const check = this.checkPeer(req);
    if (!('from' in check)) {
      res.statusCode = check.status;
      res.end(check.text);
      return;
    }
    try {
      const body = await readSnapshotBody(req);
      const m = decodeMessage(body.message);
      if (m.type !== MessageType.MsgSnap || m.snapshot === undefined) throw new Error('snapshot request without a MsgSnap');
      await this.handler!.receiveSnapshot(m, body.image, body.verify);
      res.statusCode = 204;
      res.end();
    } catch (err) {
      this.opts.logger.warn({ peer: formatId(check.from), err: String(err) }, 'receiving snapshot failed');
      res.statusCode = 400;
      res.end(String(err));
    }
  }
}
