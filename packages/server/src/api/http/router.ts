// The client port's HTTP router: exact paths and subtree prefixes (like Go's ServeMux), CORS
// headers on every response, OPTIONS answered 200, everything else 404 like etcd. Other layers
// (the /v3 gateway, /v2) extend it with addPrefix / addRawPrefix / addUpgrade.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { Duplex } from 'node:stream';
import { NOT_FOUND, goHttpError } from './responses';
import { checkGoPath, GO_BAD_REQUEST, goRedirect } from './go-path';
import type { HttpChunkSource, HttpHandler, HttpRequest, HttpResponse, RawHttpHandler, UpgradeHandler } from './types';
import { silentLogger, type ApiLogger } from '../grpc/types';

export interface HttpRouterOptions {
  /** --cors: `*` or empty allows all; otherwise the Origin is echoed when listed. */
  readonly cors?: readonly string[];
  /** --host-whitelist: `*` or empty allows all; otherwise plain-HTTP requests need a listed Host. */
  readonly hostWhitelist?: readonly string[];
  readonly logger?: ApiLogger;
  /** Default body limit for readBody(). */
  readonly maxBodyBytes?: number;
}

const CORS_METHODS = 'POST, GET, OPTIONS, PUT, DELETE';
const CORS_HEADERS = 'accept, content-type, authorization';
const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;
const ALL_ORIGINS_CORS: Readonly<Record<string, string>> = Object.freeze({
  'access-control-allow-methods': CORS_METHODS,
  'access-control-allow-origin': '*',
  'access-control-allow-headers': CORS_HEADERS,
});
const NO_CORS: Readonly<Record<string, string>> = Object.freeze({});

export class HttpRouter {
  private readonly exact = new Map<string, HttpHandler>();
  private prefixes: Array<{ prefix: string; handler: HttpHandler }> = [];
  private rawPrefixes: Array<{ prefix: string; handler: RawHttpHandler }> = [];
  private upgrades: Array<{ prefix: string; handler: UpgradeHandler }> = [];
  private readonly allowAllOrigins: boolean;
  private readonly allowAllHosts: boolean;
  private readonly hosts: ReadonlySet<string>;
  private readonly origins: ReadonlySet<string>;
  private readonly logger: ApiLogger;
  private readonly maxBodyBytes: number;

  constructor(options: HttpRouterOptions = {}) {
    const cors = options.cors ?? ['*'];
    this.allowAllOrigins = cors.length === 0 || cors.includes('*');
    this.origins = new Set(cors);
    const hosts = options.hostWhitelist ?? ['*'];
    this.allowAllHosts = hosts.length === 0 || hosts.includes('*');
    this.hosts = new Set(hosts);
    this.logger = options.logger ?? silentLogger;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  /** Exact path (any method; the handler checks it). */
  add(path: string, handler: HttpHandler): this {
    this.exact.set(path, handler);
    return this;
  }

  /** Every path under `prefix` (which should end with '/'); the longest prefix wins. */
  addPrefix(prefix: string, handler: HttpHandler): this {
    this.prefixes.push({ prefix, handler });
    this.prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
    return this;
  }

  /** A streaming handler for HTTP/1.1 requests under `prefix` (checked before the others). */
  addRawPrefix(prefix: string, handler: RawHttpHandler): this {
    this.rawPrefixes.push({ prefix, handler });
    this.rawPrefixes.sort((a, b) => b.prefix.length - a.prefix.length);
    return this;
  }

  addUpgrade(prefix: string, handler: UpgradeHandler): this {
    this.upgrades.push({ prefix, handler });
    return this;
  }

  /** etcd's CORS headers: all three when the origin is allowed, none otherwise. Do not mutate. */
  corsHeaders(origin: string | undefined): Readonly<Record<string, string>> {
    if (this.allowAllOrigins) return ALL_ORIGINS_CORS;
    if (origin === undefined || !this.origins.has(origin)) return NO_CORS;
    const allowOrigin = origin;
    return {
      'access-control-allow-methods': CORS_METHODS,
      'access-control-allow-origin': allowOrigin,
      'access-control-allow-headers': CORS_HEADERS,
    };
  }

  /** DNS-rebinding guard for plain-HTTP requests (etcd answers 421 with an explanation). */
  hostAllowed(hostHeader: string | undefined): boolean {
    if (this.allowAllHosts) return true;
    return this.hosts.has(hostnameOf(hostHeader ?? ''));
  }

  /** Resolves a request to a response (no I/O besides the handler's own). */
  async dispatch(req: HttpRequest): Promise<HttpResponse> {
    if (req.method === 'OPTIONS') return { status: 200 };
    const handler = this.exact.get(req.path) ?? this.prefixes.find((p) => req.path.startsWith(p.prefix))?.handler;
    if (handler === undefined) return NOT_FOUND;
    try {
      return await handler(req);
    } catch (err) {
      this.logger.error({ err, path: req.path }, 'HTTP handler failed');
      return goHttpError(500, 'Internal Server Error');
    }
  }

  /** The http.Server 'request' listener. */
  handleHttp1(req: IncomingMessage, res: ServerResponse): void {
    const { path, query, rawQuery } = splitUrl(req.url ?? '/');
    if (!(req.socket as { encrypted?: boolean }).encrypted && !this.hostAllowed(req.headers.host)) {
      this.logger.warn({ host: req.headers.host }, 'rejecting HTTP request to prevent DNS rebinding attacks');
      const rejected = hostRejected(req.headers.host ?? '');
      res.writeHead(rejected.status, rejected.headers);
      res.end(rejected.body);
      return;
    }
    const method = req.method ?? 'GET';
    const verdict = checkGoPath(method, path, rawQuery);
    if (verdict?.kind === 'bad-request') {
      res.writeHead(GO_BAD_REQUEST.status, GO_BAD_REQUEST.headers);
      res.end(GO_BAD_REQUEST.body);
      return;
    }
    const cors = this.corsHeaders(headerString(req.headers.origin));
    if (verdict?.kind === 'redirect') {
      const redirect = goRedirect(method, verdict.location);
      res.writeHead(redirect.status, { ...cors, ...redirect.headers });
      res.end(redirect.body);
      return;
    }
    if (req.method !== 'OPTIONS') {
      const raw = this.rawPrefixes.find((p) => path.startsWith(p.prefix));
      if (raw !== undefined) {
        for (const name in cors) res.setHeader(name, cors[name] as string);
        raw.handler(req, res);
        return;
      }
    }
    const request: HttpRequest = {
      method,
      path,
      query,
      ...(rawQuery !== undefined ? { rawQuery } : {}),
      headers: req.headers,
      readBody: (limit) => readAll(req, limit ?? this.maxBodyBytes),
    };
    void this.dispatch(request).then((response) => {
      if (res.writableEnded) {
        response.chunks?.close();
        return;
      }
      // CORS headers go in writeHead's object, not setHeader: Node's fast path when no header was
      // set before writeHead (no per-header validation pass and header map).
      if (response.chunks !== undefined) {
        res.writeHead(response.status, { ...cors, ...response.headers });
        res.flushHeaders();
        res.on('close', () => response.chunks?.close());
        void this.pump(response.chunks, (chunk) => res.write(chunk), () => res.destroyed, () => res.end());
        return;
      }
      const body = response.body ?? '';
      res.writeHead(response.status, { ...cors, ...response.headers, 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    });
  }

  /** Writes a chunked body until the source ends or the peer leaves; always closes the source. */
  private async pump(source: HttpChunkSource, write: (chunk: string) => void, gone: () => boolean, end: () => void): Promise<void> {
    try {
      for (;;) {
        const chunk = await source.next();
        if (gone()) return;
        if (chunk === undefined) {
          end();
          return;
        }
        write(chunk);
      }
    } catch (err) {
      this.logger.error({ err }, 'HTTP chunked response failed');
      if (!gone()) end();
    } finally {
      source.close();
    }
  }

  /** The http.Server 'upgrade' listener; unknown upgrades are refused with 404. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const { path } = splitUrl(req.url ?? '/');
    const match = this.upgrades.find((u) => path.startsWith(u.prefix));
    if (match !== undefined) {
      match.handler(req, socket, head);
      return;
    }
    socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  }

  /** A non-gRPC request that arrived over HTTP/2 (h2c prior knowledge). */
  handleHttp2(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on('error', () => {});
    const { path, query, rawQuery } = splitUrl(headers[':path'] ?? '/');
    const authority = headerString(headers[':authority']) ?? headerString(headers.host);
    if (!(stream.session?.socket as { encrypted?: boolean } | undefined)?.encrypted && !this.hostAllowed(authority)) {
      const rejected = hostRejected(authority ?? '');
      stream.respond({ ':status': rejected.status, ...rejected.headers });
      stream.end(rejected.body);
      return;
    }
    const method = headerString(headers[':method']) ?? 'GET';
    const request: HttpRequest = {
      method,
      path,
      query,
      ...(rawQuery !== undefined ? { rawQuery } : {}),
      headers,
      readBody: (limit) => readAll(stream, limit ?? this.maxBodyBytes),
    };
    const cors = this.corsHeaders(headerString(headers.origin));
    const verdict = checkGoPath(method, path, rawQuery);
    const answer = verdict === undefined ? this.dispatch(request) : Promise.resolve(verdict.kind === 'redirect' ? goRedirect(method, verdict.location) : GO_BAD_REQUEST);
    void answer.then((response) => {
      if (stream.destroyed || stream.closed) {
        response.chunks?.close();
        return;
      }
      if (response.chunks !== undefined) {
        stream.respond({ ':status': response.status, ...cors, ...response.headers });
        stream.on('close', () => response.chunks?.close());
        void this.pump(response.chunks, (chunk) => stream.write(chunk), () => stream.destroyed || stream.closed, () => stream.end());
        return;
      }
      const body = response.body ?? '';
      stream.respond({ ':status': response.status, ...cors, ...response.headers, 'content-length': String(Buffer.byteLength(body)) });
      stream.end(body);
    });
  }
}

function headerString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Query string split off; `/v3beta/` is served as `/v3/` like etcd. */
function splitUrl(url: string): { path: string; query: URLSearchParams; rawQuery: string | undefined } {
  const q = url.indexOf('?');
  let path = q < 0 ? url : url.slice(0, q);
  if (path.startsWith('/v3beta/')) path = `/v3/${path.slice('/v3beta/'.length)}`;
  const rawQuery = q < 0 ? undefined : url.slice(q + 1);
  return { path, query: rawQuery === undefined ? new URLSearchParams() : new URLSearchParams(rawQuery), rawQuery };
}

/** Host header without its port (Go's httputil.GetHostname). */
function hostnameOf(authority: string): string {
  // `http:--host:port`: a grpc-go URL authority as rewritten by api/h2c-authority.
  const schemeEnd = authority.indexOf(':--');
  const host = schemeEnd > 0 ? authority.slice(schemeEnd + 3) : authority;
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end > 0 ? host.slice(1, end) : host;
  }
  const colon = host.indexOf(':');
  return colon >= 0 && host.indexOf(':', colon + 1) < 0 ? host.slice(0, colon) : host;
}

function hostRejected(host: string): HttpResponse {
  return goHttpError(421, `
etcd received your request, but the Host header was unrecognized.

To fix this, choose one of the following options:
- Enable TLS, then any HTTPS request will be allowed.
- Add the hostname you want to use to the whitelist in settings.
  - e.g. etcd --host-whitelist ${JSON.stringify(hostnameOf(host))}

This requirement has been added to help prevent "DNS Rebinding" attacks (CVE-2018-5702).
`);
}

function readAll(source: NodeJS.ReadableStream, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    source.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > limitBytes) {
        reject(new Error(`request body larger than ${limitBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    source.on('end', () => resolve(Buffer.concat(chunks, total)));
    source.on('error', reject);
  });
}
