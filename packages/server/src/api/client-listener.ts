// One listener per --listen-client-urls entry serving gRPC (HTTP/2, h2c prior knowledge) and
// HTTP/1.1 on the same port, like etcd's cmux: the first bytes of a connection decide. HTTP/2
// requests without a gRPC content-type go to the HTTP router too.

import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { rm } from 'node:fs/promises';
import type { GrpcServer } from './grpc/server';
import type { HttpRouter } from './http/router';
import { silentLogger, type ApiLogger } from './grpc/types';
import { HANDOFF_HOLD_MAX_MS, handOffH2c } from './h2c-authority';

export interface ClientListenerOptions extends BindOptions {
  readonly grpc: GrpcServer;
  readonly http: HttpRouter;
}

export interface BindOptions {
  /** `http://host:port` (port 0 picks a free one) or `unix://path`. */
  readonly url: string;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS (etcd: --max-concurrent-streams). */
  readonly maxConcurrentStreams?: number;
  /** Server -> client PING period; 0 disables (etcd: --grpc-keepalive-interval). */
  readonly keepaliveIntervalMs?: number;
  /** Close a connection whose PING is not acknowledged within this (--grpc-keepalive-timeout). */
  readonly keepaliveTimeoutMs?: number;
  readonly logger?: ApiLogger;
  /** Required for `https://` and `unixs://` URLs. */
  readonly tls?: ClientTlsOptions;
  /**
   * Let plaintext HTTP/2 connections whose :authority is a URL (grpc-go dialing `http://host:port`)
   * through node:http2 by rewriting it (h2c-authority/); false hands every h2c socket over as is.
   * Default true.
   */
  readonly h2cAuthorityFilter?: boolean;
}

export interface ClientTlsOptions {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** Trusted CA bundle for client certificates (--trusted-ca-file). */
  readonly ca?: Buffer;
  /** --client-cert-auth: require a client certificate signed by `ca`. */
  readonly clientCertAuth?: boolean;
  readonly ciphers?: string;
}

/**
 * A bound port that holds connections (unread) until serve() gives it the handlers: the port is
 * taken before the member starts, like etcd, and nothing is answered before the API exists.
 */
export interface BoundListener {
  readonly url: string;
  readonly port: number;
  serve(grpc: GrpcServer, http: HttpRouter): ClientListener;
  close(graceMs?: number): Promise<void>;
}

export interface ClientListener {
  /** The URL as listened on, with the real port when 0 was asked for. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, sends GOAWAY to HTTP/2 sessions, ends idle HTTP/1.1 connections. */
  close(graceMs?: number): Promise<void>;
}

const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
/** Bytes needed to tell the HTTP/2 preface from an HTTP/1.x request line. */
const SNIFF_BYTES = 3;
/** Node's per-session buffer limit in MB; the default (10) trips ENHANCE_YOUR_CALM under load. */
const HTTP2_SESSION_MEMORY_MB = 64;
const MAX_HTTP2_SETTING = 2 ** 32 - 1;
const DEFAULT_CLOSE_GRACE_MS = 1000;

export function isHttp2Preface(head: Buffer): boolean {
  const n = Math.min(head.length, HTTP2_PREFACE.length);
  return HTTP2_PREFACE.subarray(0, n).equals(head.subarray(0, n));
}

export async function listenClientUrl(options: ClientListenerOptions): Promise<ClientListener> {
  const bound = await bindClientUrl(options);
  return bound.serve(options.grpc, options.http);
}

export async function bindClientUrl(options: BindOptions): Promise<BoundListener> {
  const url = new URL(options.url);
  const logger = options.logger ?? silentLogger;
  const secure = url.protocol === 'https:' || url.protocol === 'unixs:';
  if (!['http:', 'https:', 'unix:', 'unixs:'].includes(url.protocol)) {
    throw new Error(`${options.url}: URL scheme must be http, https, unix, or unixs`);
  }
  if (secure && options.tls === undefined) {
    throw new Error(`TLS key/cert (--cert-file, --key-file) must be provided for client url ${options.url} with HTTPS scheme`);
  }

  const h2Settings: http2.Settings = { maxConcurrentStreams: Math.min(options.maxConcurrentStreams ?? MAX_HTTP2_SETTING, MAX_HTTP2_SETTING) };
  const h2 = http2.createServer({ settings: h2Settings, maxSessionMemory: HTTP2_SESSION_MEMORY_MB });
  let grpc: GrpcServer | undefined;
  let router: HttpRouter | undefined;
  h2.on('stream', (stream, headers) => (grpc as GrpcServer).handleStream(stream, headers));
  const sessions = new Set<http2.ServerHttp2Session>();
  const keepaliveIntervalMs = options.keepaliveIntervalMs ?? 0;
  // The :authority hand-off may wait this long for a connection's first request (no session, so no
  // keepalive ping, exists meanwhile): long enough for clients that dial early and call later.
  const handoffHoldMs = keepaliveIntervalMs > 0 ? Math.min(HANDOFF_HOLD_MAX_MS, keepaliveIntervalMs / 2) : HANDOFF_HOLD_MAX_MS;
  const keepaliveTimeoutMs = options.keepaliveTimeoutMs ?? 0;
  let closingListener = false;
  const sendGoaway = (session: http2.ServerHttp2Session): void => {
    if (!session.closed && !session.destroyed) session.goaway(http2.constants.NGHTTP2_NO_ERROR);
    session.close();
  };
  h2.on('session', (session) => {
    sessions.add(session);
    if (closingListener) {
      setImmediate(sendGoaway, session);
      return;
    }
    session.on('error', (err) => logger.debug({ err }, 'HTTP/2 session error'));
    let pinger: NodeJS.Timeout | undefined;
    if (keepaliveIntervalMs > 0) {
      pinger = setInterval(() => keepalivePing(session, keepaliveTimeoutMs), keepaliveIntervalMs);
      pinger.unref();
    }
    session.once('close', () => {
      sessions.delete(session);
      if (pinger !== undefined) clearInterval(pinger);
    });
  });
  h2.on('sessionError', (err) => logger.debug({ err }, 'HTTP/2 session error'));

  // HTTP/1.1 connections with a request in flight; idle ones are ended at close(). (http.Server's
  // own closeIdleConnections does not track sockets handed to it with emit('connection').)
  const busyH1 = new Set<net.Socket>();
  const h1Sockets = new Set<net.Socket>();
  const h1 = http.createServer((req, res) => {
    const socket = req.socket;
    busyH1.add(socket);
    res.once('finish', () => {
      busyH1.delete(socket);
      if (closingListener) socket.end();
    });
    (router as HttpRouter).handleHttp1(req, res);
  });
  h1.on('connection', (socket: net.Socket) => {
    h1Sockets.add(socket);
    socket.once('close', () => {
      h1Sockets.delete(socket);
      busyH1.delete(socket);
    });
  });
  h1.on('upgrade', (req, socket, head) => (router as HttpRouter).handleUpgrade(req, socket, head));
  h1.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    else socket.destroy();
  });

  const sockets = new Set<net.Socket>();
  const handedOver = new WeakSet<net.Socket>();
  const held: net.Socket[] = [];
  const accept = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (grpc === undefined) {
      socket.pause();
      held.push(socket);
      return;
    }
    route(socket);
  };
  const route = (socket: net.Socket): void => {
    const alpn = (socket as tls.TLSSocket).alpnProtocol;
    if (alpn === 'h2' || alpn === 'http/1.1') {
      // TLS already told us the protocol; no need to look at the bytes.
      handedOver.add(socket);
      (alpn === 'h2' ? h2 : h1).emit('connection', socket);
      return;
    }
    sniff(socket, h1, h2, handedOver, options.h2cAuthorityFilter === false ? undefined : { settings: h2Settings, holdLimitMs: handoffHoldMs });
  };
  let server: net.Server;
  if (secure && options.tls !== undefined) {
    const t = options.tls;
    server = tls.createServer({
      cert: t.cert,
      key: t.key,
      ...(t.ca !== undefined ? { ca: t.ca } : {}),
      ...(t.ciphers !== undefined ? { ciphers: t.ciphers } : {}),
      requestCert: t.clientCertAuth === true,
      rejectUnauthorized: t.clientCertAuth === true,
      ALPNProtocols: ['h2', 'http/1.1'],
      noDelay: true,
    }, accept);
    server.on('tlsClientError', (err) => logger.debug({ err }, 'TLS handshake failed'));
  } else {
    server = net.createServer({ noDelay: true }, accept);
  }

  const listenPath = url.protocol === 'unix:' || url.protocol === 'unixs:' ? decodeURIComponent(url.host + url.pathname) : undefined;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => {
      server.off('error', reject);
      resolve();
    };
    if (listenPath !== undefined) {
      server.listen(listenPath, done);
    } else {
      const host = url.hostname === 'localhost' ? '127.0.0.1' : url.hostname.replace(/^\[|\]$/g, '');
      server.listen(Number(url.port), host, done);
    }
  });
  server.on('error', (err) => logger.error({ err, url: options.url }, 'client listener error'));

  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const boundUrl = listenPath !== undefined ? options.url : `${url.protocol}//${url.hostname}:${port}`;
  let closing: Promise<void> | undefined;
  const close = (graceMs = DEFAULT_CLOSE_GRACE_MS): Promise<void> => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      closingListener = true;
      for (const session of sessions) sendGoaway(session);
      for (const socket of sockets) if (!handedOver.has(socket)) socket.destroy();
      for (const socket of h1Sockets) if (!busyH1.has(socket)) socket.end();
      const timer = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, graceMs);
      timer.unref();
      await closed;
      clearTimeout(timer);
      if (listenPath !== undefined) await rm(listenPath, { force: true });
    })();
    return closing;
  };

  return {
    url: boundUrl,
    port,
    close,
    serve(grpcServer: GrpcServer, httpRouter: HttpRouter): ClientListener {
      if (grpc !== undefined) throw new Error(`${boundUrl} is already serving`);
      grpc = grpcServer;
      router = httpRouter;
      for (const socket of held.splice(0)) {
        if (socket.destroyed) continue;
        socket.resume();
        route(socket);
      }
      return { url: boundUrl, port, close };
    },
  };
}

/** Reads just enough of the connection to pick a protocol, then hands the socket over. */
function sniff(
  socket: net.Socket,
  h1: http.Server,
  h2: http2.Http2Server,
  handedOver: WeakSet<net.Socket>,
  /** The h2 server's settings and the hold limit when the :authority hand-off is on. */
  authorityHandoff: { settings: http2.Settings; holdLimitMs: number } | undefined,
): void {
  let head: Buffer | undefined;
  const onData = (chunk: Buffer): void => {
    head = head === undefined ? chunk : Buffer.concat([head, chunk]);
    if (head.length < SNIFF_BYTES && isHttp2Preface(head)) return;
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.pause();
    socket.unshift(head);
    if (isHttp2Preface(head.subarray(0, SNIFF_BYTES))) {
      // grpc-go dialing `http://host:port` sends that whole URL as :authority, which nghttp2
      // resets (real etcd accepts it): such connections go through a filter that re-encodes it
      // as `http:--host:port`; the others are handed over natively (see h2c-authority/).
      if (authorityHandoff !== undefined) {
        handOffH2c(socket, h2, { ...authorityHandoff, onHandoff: () => handedOver.add(socket) });
      } else {
        handedOver.add(socket);
        h2.emit('connection', socket);
      }
    } else {
      handedOver.add(socket);
      h1.emit('connection', socket);
      socket.resume();
    }
  };
  const onEnd = (): void => {
    socket.destroy();
  };
  socket.on('data', onData);
  socket.on('end', onEnd);
}

function keepalivePing(session: http2.ServerHttp2Session, timeoutMs: number): void {
  if (session.closed || session.destroyed) return;
  let timer: NodeJS.Timeout | undefined;
  if (timeoutMs > 0) {
    timer = setTimeout(() => session.destroy(), timeoutMs);
    timer.unref();
  }
  session.ping((err) => {
    if (timer !== undefined) clearTimeout(timer);
    if (err && !session.destroyed) session.destroy();
  });
}
