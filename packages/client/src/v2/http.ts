// One HTTP exchange with one endpoint of the v2 API (node:http / node:https, keep-alive agents).
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { V2AbortedError, V2ConnectionError, V2HeaderTimeoutError } from './errors';
import { canonicalUrlPath, goEncodeValues, goPathEscape } from './go-url';

export interface V2HttpRequest {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Unescaped path below the endpoint, e.g. `/v2/keys/foo`. */
  path: string;
  query?: Map<string, string>;
  /** An `application/x-www-form-urlencoded` body (sent even when empty). */
  form?: Map<string, string>;
  /** An `application/json` body. */
  json?: string;
  /** A long-poll watch: no per-request header timeout. */
  wait?: boolean;
}

export interface V2HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A request as it goes on the wire: the full URL and the body text (undefined = no body). */
export interface V2WireRequest {
  method: string;
  url: string;
  body: string | undefined;
}

export interface V2TlsOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** Per-request settings shared by every exchange of one client. */
export interface V2Transport {
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
  /** 0 = no header timeout. */
  headerTimeoutMs: number;
  /** `Authorization: Basic …` value, when credentials are set. */
  authorization?: string;
  onRequest?: (req: V2WireRequest) => void;
}

export function newTransport(options: { headerTimeoutMs: number; tls?: V2TlsOptions; username?: string; password?: string }): V2Transport {
  const transport: V2Transport = {
    httpAgent: new http.Agent({ keepAlive: true }),
    httpsAgent: new https.Agent({ keepAlive: true, ...(options.tls ?? {}) }),
    headerTimeoutMs: options.headerTimeoutMs,
  };
  if (options.username !== undefined) {
    transport.authorization = `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`;
  }
  return transport;
}

/** Go's url.URL.String of an endpoint (no trailing slash added). */
export function endpointText(endpoint: URL): string {
  const path = endpoint.pathname === '/' && !endpoint.href.endsWith('/') ? '' : endpoint.pathname;
  return `${endpoint.protocol}//${endpoint.host}${path === '/' ? '' : path}`;
}

export function wireRequest(endpoint: URL, req: V2HttpRequest): V2WireRequest {
  const base = endpoint.pathname === '/' ? '' : endpoint.pathname;
  const path = goPathEscape(canonicalUrlPath(base + req.path));
  const query = req.query && req.query.size > 0 ? `?${goEncodeValues(req.query)}` : '';
  const body = req.json ?? (req.form ? goEncodeValues(req.form) : undefined);
  return { method: req.method, url: `${endpoint.protocol}//${endpoint.host}${path}${query}`, body };
}

function connectionError(err: NodeJS.ErrnoException & { address?: string; port?: number }): Error {
  if (err.code === 'ECONNREFUSED') {
    const host = err.address?.includes(':') ? `[${err.address}]` : err.address;
    return new V2ConnectionError(`dial tcp ${host}:${err.port}: connect: connection refused`);
  }
  const connectionCodes = ['ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED'];
  if (err.code !== undefined && connectionCodes.includes(err.code)) return new V2ConnectionError(err.message);
  return err;
}

/** Sends one request to one endpoint and reads the whole answer. */
export function sendRequest(
  endpoint: URL,
  req: V2HttpRequest,
  transport: V2Transport,
  signal?: AbortSignal,
): Promise<V2HttpResponse> {
  const wire = wireRequest(endpoint, req);
  transport.onRequest?.(wire);
  return new Promise<V2HttpResponse>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const headers: Record<string, string> = {};
    if (req.json !== undefined) headers['Content-Type'] = 'application/json';
    else if (req.form !== undefined || req.method === 'DELETE') headers['Content-Type'] = 'application/x-www-form-urlencoded';
    if (transport.authorization) headers.Authorization = transport.authorization;
    if (wire.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(wire.body));
    const isHttps = endpoint.protocol === 'https:';
    const request = (isHttps ? https : http).request(wire.url, {
      method: req.method,
      headers,
      agent: isHttps ? transport.httpsAgent : transport.httpAgent,
    });
    let settled = false;
    let headerTimer: NodeJS.Timeout | undefined;
    const finish = (err: Error | undefined, res?: V2HttpResponse): void => {
      if (settled) return;
      settled = true;
      if (headerTimer) clearTimeout(headerTimer);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else if (res) resolve(res);
    };
    const onAbort = (): void => {
      const err = abortError(signal);
      request.destroy(err);
      finish(err);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (!req.wait && transport.headerTimeoutMs > 0) {
      const expire = (): void => {
        const err = new V2HeaderTimeoutError(endpointText(endpoint));
        request.destroy(err);
        finish(err);
      };
      // below a millisecond no answer can beat it (Go's 1ns timeout always fires)
      if (transport.headerTimeoutMs < 1) {
        request.on('error', () => undefined);
        expire();
        return;
      }
      headerTimer = setTimeout(expire, transport.headerTimeoutMs);
    }
    request.on('error', (err) => finish(connectionError(err)));
    request.on('response', (res) => {
      if (headerTimer) clearTimeout(headerTimer);
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => finish(connectionError(err)));
      res.on('end', () =>
        finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    request.end(wire.body);
  });
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  // a DOMException (AbortSignal.timeout's reason) may come from another realm: test the name only
  const deadline = typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError';
  return new V2AbortedError(deadline);
}
