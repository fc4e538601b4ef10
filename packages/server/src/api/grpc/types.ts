// What a gRPC method handler looks like. Unary: a function of (request, ctx). Every streaming kind
// (server, client, bidi): a function of a StreamCall (an async iterable of requests plus send()).

import type { MethodDefinition, ServiceDefinition } from '@tsetcd/api';
import type { RequestContext } from '../../etcdserver/server-api';

export type UnaryHandler<Req, Res> = (request: Req, ctx: RequestContext) => Promise<Res> | Res;

export interface StreamCall<Req, Res> {
  readonly ctx: RequestContext;
  /** Client messages in order; ends when the client half-closes; throws if the call fails. */
  readonly requests: AsyncIterable<Req>;
  /** Sends one response; resolves when the stream can take more (HTTP/2 flow control). */
  send(response: Res): Promise<void>;
}

/** Resolve to end the call with OK; throw (an EtcdError) to end it with that status. */
export type StreamHandler<Req, Res> = (call: StreamCall<Req, Res>) => Promise<void>;

type RequestOf<M> = M extends { requestType: { decode(...args: never[]): infer R } } ? R : never;
type ResponseOf<M> = M extends { responseType: { decode(...args: never[]): infer R } } ? R : never;

export type HandlerFor<M> = M extends { requestStream: false; responseStream: false }
  ? UnaryHandler<RequestOf<M>, ResponseOf<M>>
  : StreamHandler<RequestOf<M>, ResponseOf<M>>;

/** Handlers of a service, keyed like the definition's methods; a missing one answers UNIMPLEMENTED. */
export type ServiceHandlers<D extends ServiceDefinition> = {
  [K in keyof D['methods']]?: HandlerFor<D['methods'][K]>;
};

/** A registered method as the router sees it. */
export interface Route {
  readonly path: string;
  readonly serviceName: string;
  readonly method: MethodDefinition;
  readonly unary?: UnaryHandler<unknown, unknown>;
  readonly stream?: StreamHandler<unknown, unknown>;
  /** grpc_server_started_total / grpc_server_handled_total for this method (by status code). */
  readonly stats: RouteStats;
}

export interface RouteStats {
  started: number;
  readonly handled: Float64Array;
}

/** grpc-prometheus' grpc_type label. */
export function grpcTypeOf(method: { requestStream: boolean; responseStream: boolean }): string {
  if (method.requestStream) return method.responseStream ? 'bidi_stream' : 'client_stream';
  return method.responseStream ? 'server_stream' : 'unary';
}

/** The subset of pino the API layer logs through. */
export interface ApiLogger {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export const silentLogger: ApiLogger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
};
