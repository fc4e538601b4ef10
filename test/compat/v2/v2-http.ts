// A curl-like HTTP client for the v2 API: node:http, one connection per request, form bodies sent
// as application/x-www-form-urlencoded (what `curl -d value=...` sends). Long-polls and streams
// hand back the response head as soon as it arrives and the body line by line.

import { request as httpRequest, type IncomingMessage, type ClientRequest } from 'node:http';

export const V2_HTTP_TIMEOUT_MS = 5_000;

export interface V2HttpRequest {
  method: string;
  /** Path with its query string, sent as written (no dot-segment resolution), e.g. `/v2/keys/foo?prevExist=false`. */
  path: string;
  /** Form fields, sent url-encoded in the body. */
  form?: Record<string, string>;
  /** A raw body with its content type (overrides form); no Content-Type header when it is undefined. */
  raw?: { contentType?: string; body: string };
  /** Extra request headers (e.g. Authorization). */
  headers?: Record<string, string>;
}

export interface V2HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function encodeBody(r: V2HttpRequest): { body: string; contentType: string | undefined } | undefined {
  if (r.raw !== undefined) return { body: r.raw.body, contentType: r.raw.contentType };
  if (r.form === undefined) return undefined;
  return { body: new URLSearchParams(r.form).toString(), contentType: 'application/x-www-form-urlencoded' };
}

function headersOf(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function start(baseUrl: string, r: V2HttpRequest): { req: ClientRequest; head: Promise<IncomingMessage> } {
  const url = new URL(baseUrl);
  const encoded = encodeBody(r);
  const headers: Record<string, string> = { 'User-Agent': 'curl/7.88.1', Accept: '*/*', ...r.headers };
  if (encoded !== undefined) {
    if (encoded.contentType !== undefined) headers['Content-Type'] = encoded.contentType;
    headers['Content-Length'] = String(Buffer.byteLength(encoded.body));
  }
  const req = httpRequest({ host: url.hostname, port: url.port, path: r.path, method: r.method, headers, agent: false });
  const head = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  req.end(encoded?.body);
  return { req, head };
}

function withDeadline<T>(p: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`${what}: no answer within ${ms} ms`));
    }, ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e as Error);
      },
    );
  });
}

/** One request, whole body read. */
export async function v2Http(baseUrl: string, r: V2HttpRequest, timeoutMs = V2_HTTP_TIMEOUT_MS): Promise<V2HttpResponse> {
  const { req, head } = start(baseUrl, r);
  const whole = head.then(
    (res) =>
      new Promise<V2HttpResponse>((resolve, reject) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: headersOf(res), body: Buffer.concat(chunks).toString('utf8') }));
        res.once('error', reject);
      }),
  );
  return withDeadline(whole, timeoutMs, `${r.method} ${r.path}`, () => req.destroy());
}

/** A long-poll or stream: the head first, then body lines as they come. */
export interface V2Watch {
  head: Promise<{ status: number; headers: Record<string, string> }>;
  /** The next complete line of the body (without its newline); rejects on timeout or end of body. */
  nextLine(timeoutMs?: number): Promise<string>;
  /** Resolves with the rest of the body once the server ends the response. */
  rest(timeoutMs?: number): Promise<string>;
  close(): void;
}

export function v2Watch(baseUrl: string, r: V2HttpRequest): V2Watch {
  const { req, head } = start(baseUrl, r);
  let buffered = '';
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const poke = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const headPromise = head.then((res) => {
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      buffered += c;
      poke();
    });
    res.once('end', () => {
      ended = true;
      poke();
    });
    res.once('error', (e) => {
      failure = e;
      poke();
    });
    return { status: res.statusCode ?? 0, headers: headersOf(res) };
  });
  headPromise.catch(() => undefined);
  req.on('error', (e) => {
    failure = e;
    poke();
  });

  const until = async (ready: () => boolean, timeoutMs: number, what: string): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (failure !== undefined) throw failure;
      if (ended) throw new Error(`${what}: the response ended`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what}: nothing within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  };

  return {
    head: withDeadline(headPromise, V2_HTTP_TIMEOUT_MS, `${r.method} ${r.path} head`, () => req.destroy()),
    async nextLine(timeoutMs = V2_HTTP_TIMEOUT_MS) {
      await until(() => buffered.includes('\n'), timeoutMs, `${r.path} next line`);
      const i = buffered.indexOf('\n');
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      return line;
    },
    async rest(timeoutMs = V2_HTTP_TIMEOUT_MS) {
      await until(() => ended, timeoutMs, `${r.path} end of body`);
      const out = buffered;
      buffered = '';
      return out;
    },
    close() {
      req.destroy();
    },
  };
}
