// One outbound ws stream to one peer: a bounded queue flushed as one binary frame per turn of the
// event loop, reconnect with backoff, drops reported as unreachable.

import type { ConnectionOptions } from 'node:tls';
import WebSocket from 'ws';
import type { Logger } from 'pino';
import type { Message } from '../raft/types';
import { encodeBatch } from './raft-codec';
import {
  HEADER_CLUSTER_ID,
  HEADER_FROM,
  HEADER_TO,
  PEER_MAX_BUFFERED_BYTES,
  PEER_QUEUE_MESSAGES,
  PEER_RECONNECT_MAX_MS,
  PEER_RECONNECT_MIN_MS,
  RAFT_STREAM_PATH,
} from './transport';
import { formatId } from '../etcdserver/member-id';

export interface PeerStreamOptions {
  readonly selfId: bigint;
  readonly peerId: bigint;
  readonly clusterId: bigint;
  readonly logger: Logger;
  readonly onUnreachable: () => void;
  readonly onRemovedSelf: () => void;
  /** Client TLS for wss:// (https peer URLs): the peer key pair and trusted CA. */
  readonly tls?: ConnectionOptions;
}

/** ws's masking-key hook: leaves the key all zero. */
export function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

export function wsUrl(peerUrl: string, path: string): string {
  const u = new URL(peerUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = path;
  return u.toString();
}

export class PeerStream {
  private ws: WebSocket | undefined;
  private open = false;
  private closed = false;
  private queue: Message[] = [];
  private flushScheduled = false;
  private backoffMs = PEER_RECONNECT_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private urlIndex = 0;
  private lastErrorLogged = '';

  constructor(
    private readonly opts: PeerStreamOptions,
    private urls: readonly string[],
  ) {
    this.connect();
  }

  get isOpen(): boolean {
    return this.open;
  }

  setUrls(urls: readonly string[]): void {
    this.urls = urls;
  }

  send(m: Message): void {
    if (!this.open || this.queue.length >= PEER_QUEUE_MESSAGES || (this.ws?.bufferedAmount ?? 0) > PEER_MAX_BUFFERED_BYTES) {
      this.opts.onUnreachable();
      return;
    }
    this.queue.push(m);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  close(): void {
    this.closed = true;
    this.open = false;
    clearTimeout(this.retryTimer);
    this.queue = [];
    this.ws?.terminate();
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0 || this.ws === undefined || !this.open) return;
    this.ws.send(encodeBatch(batch), { binary: true }, (err) => {
      if (err !== undefined && err !== null) this.opts.onUnreachable();
    });
  }

  private connect(): void {
    if (this.closed) return;
    const base = this.urls[this.urlIndex % Math.max(1, this.urls.length)];
    this.urlIndex++;
    if (base === undefined) return this.retry();
    const url = wsUrl(base, `${RAFT_STREAM_PATH}${formatId(this.opts.selfId)}`);
    const ws = new WebSocket(url, {
      ...(url.startsWith('wss:') ? this.opts.tls : undefined),
      headers: {
        [HEADER_CLUSTER_ID]: formatId(this.opts.clusterId),
        [HEADER_FROM]: formatId(this.opts.selfId),
        [HEADER_TO]: formatId(this.opts.peerId),
      },
      perMessageDeflate: false,
      handshakeTimeout: 2000,
      // An all-zero masking key: ws then neither copies nor XORs the payload on send, and the
      // receiving ws skips the unmask pass (both are byte loops in JS without bufferutil). The
      // mask protects browsers' traffic through caching proxies; raft streams between members
      // carry no such traffic (etcd's rafthttp streams are plain HTTP bodies, unmasked).
      generateMask: zeroMask,
    });
    this.ws = ws;
    ws.on('open', () => {
      if (this.closed) return ws.terminate();
      this.open = true;
      this.backoffMs = PEER_RECONNECT_MIN_MS;
      this.lastErrorLogged = '';
      this.opts.logger.info({ peer: formatId(this.opts.peerId) }, 'peer stream connected');
    });
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        this.logOnce(`peer ${formatId(this.opts.peerId)} refused the stream (${status}): ${body.trim()}`);
        if (status === 410) this.opts.onRemovedSelf();
        ws.terminate();
      });
    });
    ws.on('error', (err) => this.logOnce(`peer ${formatId(this.opts.peerId)} unreachable: ${err.message}`));
    ws.on('close', () => {
      const wasOpen = this.open;
      this.open = false;
      this.queue = [];
      if (this.ws === ws) this.ws = undefined;
      if (wasOpen) {
        this.opts.logger.warn({ peer: formatId(this.opts.peerId) }, 'peer stream lost');
        this.opts.onUnreachable();
      }
      this.retry();
    });
    // Inbound traffic on an outbound stream is not expected; keep the socket alive only.
    ws.on('message', () => undefined);
  }

  private retry(): void {
    if (this.closed || this.retryTimer !== undefined) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, PEER_RECONNECT_MAX_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
  }

  private logOnce(msg: string): void {
    if (msg === this.lastErrorLogged) return;
    this.lastErrorLogged = msg;
    this.opts.logger.warn(msg);
  }
}
