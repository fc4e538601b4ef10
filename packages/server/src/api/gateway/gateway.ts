// etcd's /v3 JSON gateway on the client port. Each route calls the gRPC handler registered for its
// method (as etcd's gateway re-dials its own gRPC server), so every service served over gRPC is
// served here too, and one not built answers the same UNIMPLEMENTED. Unary: POST JSON in, JSON out.
// Streams (HTTP/1.1): newline-delimited JSON values in, `{"result":...}\n` chunks out; also over
// a websocket (one message per request / response).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { EtcdError, GatewayJsonError, GrpcStatus, fromGatewayJson, methodTypeNames, toGatewayJson } from '@tsetcd/api';
import type { RequestContext } from '../../etcdserver/server-api';
import type { GrpcServer } from '../grpc/server';
import type { Route } from '../grpc/types';
import type { HttpRouter } from '../http/router';
import type { HttpRequest, HttpResponse } from '../http/types';
import { goHttpError } from '../http/responses';
import { streamErrorChunk, unaryError, unaryErrorOf } from './gateway-errors';
import { goJsonSyntaxError, JsonValueSplitter } from './json-stream';
import { PushQueue } from './request-queue';
import { canonicalGatewayPath, GATEWAY_ROUTES, type GatewayRoute } from './routes';
import { attachGatewayWebsocket } from './websocket';

/** Largest unary request body the gateway reads (etcd's --max-request-bytes is checked by gRPC). */
export const GATEWAY_MAX_BODY_BYTES = 2 * 1024 * 1024 * 1024 - 1;

const JSON_HEADERS = { 'content-type': 'application/json', 'grpc-metadata-content-type': 'application/grpc' } as const;

export interface ResolvedRoute {
  readonly gateway: GatewayRoute;
  readonly grpc: Route | undefined;
  readonly requestType: string;
  readonly responseType: string;
  readonly streaming: boolean;
}

export class Gateway {
  private grpcRoutes: Map<string, Route> | undefined;

  constructor(private readonly grpc: GrpcServer) {}

  resolve(path: string): ResolvedRoute | undefined {
    const gateway = GATEWAY_ROUTES.get(canonicalGatewayPath(path));
    if (gateway === undefined) return undefined;
    const method = gateway.def.methods[gateway.methodKey];
    if (method === undefined) return undefined;
    this.grpcRoutes ??= new Map([...this.grpc.allRoutes()].map((r) => [r.path, r]));
    const types = methodTypeNames(gateway.def, gateway.methodKey);
    return {
      gateway,
      grpc: this.grpcRoutes.get(`/${gateway.def.fullName}/${method.name}`),
      requestType: types.request,
      responseType: types.response,
      streaming: method.requestStream || method.responseStream,
    };
  }

  /** One unary call: the body (JSON of the request) -> status and JSON body. */
  async unary(route: ResolvedRoute, body: string, ctx: RequestContext): Promise<{ status: number; body: string }> {
    let request: unknown;
    try {
      request = body.trim() === '' ? fromGatewayJson(route.requestType, {}) : fromGatewayJson(route.requestType, parseJson(body));
    } catch (err) {
      return unaryErrorOf(GrpcStatus.INVALID_ARGUMENT, goJsonpbMessage((err as Error).message));
    }
    const handler = route.grpc?.unary;
    if (handler === undefined) return unaryErrorOf(GrpcStatus.UNIMPLEMENTED, `method ${route.grpc?.method.name ?? route.gateway.methodKey} not implemented`);
    try {
      const response = await handler(request, ctx);
      return { status: 200, body: JSON.stringify(toGatewayJson(route.responseType, response as object)) };
    } catch (err) {
      return unaryError(err);
    }
  }

  /**
   * Runs a streaming route: `requests` are parsed JSON values, `write` gets each output line (no
   * newline) and resolves when the transport can take more (so a slow reader holds the stream
   * back and its watchers become victims, instead of buffering without bound). Resolves when the
   * call ends; errors are written as the gateway's error chunk.
   */
  async stream(
    route: ResolvedRoute,
    requests: AsyncIterable<unknown>,
    ctx: RequestContext,
    write: (line: string, status: number) => Promise<void> | void,
  ): Promise<void> {
    let wrote = false;
    const emit = (line: string, status = 200): Promise<void> | void => {
      wrote = true;
      return write(line, status);
    };
    const handler = route.grpc?.stream;
    try {
      if (handler === undefined) throw new EtcdError(GrpcStatus.UNIMPLEMENTED, `method ${route.grpc?.method.name ?? route.gateway.methodKey} not implemented`);
      const requestType = route.requestType;
      async function* decoded(): AsyncIterable<unknown> {
        for await (const json of requests) yield fromGatewayJson(requestType, json);
      }
      await handler(
        {
          ctx,
          requests: decoded(),
          send: async (response: unknown) => {
            if (!ctx.signal.aborted) await emit(JSON.stringify({ result: toGatewayJson(route.responseType, response as object) }));
          },
        },
      );
    } catch (err) {
      if (ctx.signal.aborted) return;
      const chunk = streamErrorChunk(err);
      await emit(chunk.line, wrote ? 200 : chunk.status);
    }
  }

  /** HTTP/1.1 handler for every /v3/ (and /v3beta/) path. */
  readonly handleHttp1 = (req: IncomingMessage, res: ServerResponse): void => {
    const path = canonicalGatewayPath((req.url ?? '/').split('?')[0] ?? '/');
    const route = this.resolve(path);
    if (route === undefined) return void sendPlain(res, goHttpError(404, 'Not Found'));
    if (req.method !== 'POST') return void sendPlain(res, goHttpError(405, 'Method Not Allowed'));
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    const ctx = contextOf(req.headers.authorization, controller.signal);
    if (!route.streaming) {
      void readText(req).then(async (body) => {
        const out = await this.unary(route, body, ctx);
        if (res.writableEnded) return;
        res.writeHead(out.status, { ...JSON_HEADERS, 'content-length': String(Buffer.byteLength(out.body)) });
        res.end(out.body);
      });
      return;
    }
    const requests = new PushQueue<unknown>();
    const splitter = new JsonValueSplitter();
    let decodedAny = false;
    // etcd: a first request that does not decode fails the call (500, code Unknown); a later one
    // just ends the request side (the watch stays open).
    const badRequest = (text: string): void => {
      if (!decodedAny && !res.headersSent) {
        controller.abort();
        requests.end();
        const out = unaryErrorOf(GrpcStatus.UNKNOWN, goJsonSyntaxError(text));
        res.writeHead(500, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(out.body)) });
        res.end(out.body);
        return;
      }
      requests.end();
    };
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      for (const text of splitter.push(chunk)) {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          badRequest(text);
          return;
        }
        decodedAny = true;
        requests.push(json);
      }
    });
    req.on('end', () => {
      const rest = splitter.rest();
      if (rest !== undefined) badRequest(rest);
      else requests.end();
    });
    req.on('error', () => requests.end());
    void this.stream(route, requests, ctx, (line, status) => {
      if (res.writableEnded || res.destroyed) return;
      if (!res.headersSent) res.writeHead(status, { ...JSON_HEADERS });
      if (res.write(`${line}\n`)) return;
      return new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }).then(() => {
      if (!res.writableEnded) {
        if (!res.headersSent) res.writeHead(200, { ...JSON_HEADERS });
        res.end();
      }
    });
  };

  /** Unary routes for the router's request/response model (HTTP/2 without gRPC). */
  readonly handleRequest = async (req: HttpRequest): Promise<HttpResponse> => {
    const route = this.resolve(req.path);
    if (route === undefined) return goHttpError(404, 'Not Found');
    if (req.method !== 'POST') return goHttpError(405, 'Method Not Allowed');
    if (route.streaming) return { status: 501, headers: JSON_HEADERS, body: unaryErrorOf(GrpcStatus.UNIMPLEMENTED, 'gateway streams are served over HTTP/1.1 only').body };
    const header = req.headers.authorization;
    const out = await this.unary(route, (await req.readBody(GATEWAY_MAX_BODY_BYTES)).toString('utf8'), contextOf(typeof header === 'string' ? header : undefined, new AbortController().signal));
    return { status: out.status, headers: JSON_HEADERS, body: out.body };
  };
}

/** gogo jsonpb decodes field by field: its type errors do not name the field. */
function goJsonpbMessage(message: string): string {
  return message.replace(/ \(field [^)]*\)$/, '');
}

function contextOf(authorization: string | undefined, signal: AbortSignal): RequestContext {
  return authorization !== undefined && authorization !== '' ? { signal, authToken: authorization } : { signal };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new GatewayJsonError(goJsonSyntaxError(text));
  }
}

function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

function sendPlain(res: ServerResponse, r: HttpResponse): void {
  const body = r.body ?? '';
  res.writeHead(r.status, { ...r.headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/**
 * Mounts the gateway on the client port's router: `/v3/` and `/v3beta/` over HTTP/1.1 (unary and
 * streams), HTTP/2 (unary), and websocket upgrades. Call after every gRPC service is registered
 * (routes are looked up on first use, so later registrations are seen too).
 */
export function registerGateway(grpc: GrpcServer, http: HttpRouter): Gateway {
  const gateway = new Gateway(grpc);
  for (const prefix of ['/v3/', '/v3beta/']) {
    http.addRawPrefix(prefix, gateway.handleHttp1);
    http.addUpgrade(prefix, attachGatewayWebsocket(gateway));
  }
  http.addPrefix('/v3/', gateway.handleRequest);
  return gateway;
}
