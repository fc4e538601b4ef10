// A gRPC server over node:http2 streams: routes by :path, frames messages, runs unary and
// streaming handlers, and ends every call with grpc-status/grpc-message trailers.
// It does not own sockets: a listener hands it each HTTP/2 stream (handleStream).

import { constants as http2Constants, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { EtcdError, GrpcStatus, ErrMessageTooLarge, type ServiceDefinition } from '@tsetcd/api';
import { CallContext } from './call-context';
import { Deframer, FRAME_HEADER_BYTES, encodeFrame } from './framing';
import { encodeGrpcMessage } from './grpc-message';
import { parseGrpcTimeoutMs } from './grpc-timeout';
import { RequestQueue } from './request-queue';
import { silentLogger, type ApiLogger, type Route, type ServiceHandlers, type StreamCall } from './types';

export interface GrpcServerOptions {
  /** Largest inbound message (etcd: max-request-bytes + 512 KiB). */
  readonly maxReceiveBytes: number;
  readonly logger?: ApiLogger;
  /** Non-gRPC requests arriving over HTTP/2 (no application/grpc content-type). */
  readonly fallback?: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void;
}

/** Decoded requests a streaming call may hold unread before the HTTP/2 stream is paused. */
export const STREAM_REQUEST_QUEUE_MAX = 64;

const RESPONSE_HEADERS = { ':status': 200, 'content-type': 'application/grpc' } as const;
const OK_TRAILERS = { 'grpc-status': '0' } as const;
const kCall = Symbol('grpcCall');
const MAX_TIMER_MS = 2 ** 31 - 1;
const RESOLVED = Promise.resolve();
/** grpc-go sends no Date header; skipping it saves a header per response. */
const RESPOND_WITH_TRAILERS = { waitForTrailers: true, sendDate: false } as const;
const RESPOND_END_STREAM = { endStream: true, sendDate: false } as const;

type CallStream = ServerHttp2Stream & { [kCall]?: GrpcCall };

/** The error a thrown value becomes on the wire. */
/** grpc-go's text for a request it cannot unmarshal (Go's protobuf error wording). */
function unmarshalError(err: unknown): EtcdError {
  const text = err instanceof Error ? err.message : String(err);
  const reason = /premature EOF|out of range|index out of range/i.test(text) ? 'unexpected EOF' : 'proto: cannot parse invalid wire-format data';
  return new EtcdError(GrpcStatus.INTERNAL, `grpc: error unmarshalling request: ${reason}`);
}

export function toGrpcError(err: unknown): { code: number; message: string; known: boolean } {
  if (err instanceof EtcdError) return { code: err.code, message: err.message, known: true };
  const message = err instanceof Error ? err.message : String(err);
  return { code: GrpcStatus.UNKNOWN, message, known: false };
}

export class GrpcServer {
  private readonly routes = new Map<string, Route>();
  private readonly services = new Set<string>();
  readonly maxReceiveBytes: number;
  readonly logger: ApiLogger;
  private readonly fallback: GrpcServerOptions['fallback'];

  constructor(options: GrpcServerOptions) {
    this.maxReceiveBytes = options.maxReceiveBytes;
    this.logger = options.logger ?? silentLogger;
    this.fallback = options.fallback;
  }

  /** Registers every method of `def`; those without a handler answer UNIMPLEMENTED. */
  addService<D extends ServiceDefinition>(def: D, handlers: ServiceHandlers<D>): void {
    if (this.services.has(def.fullName)) throw new Error(`service ${def.fullName} registered twice`);
    this.services.add(def.fullName);
    const table = handlers as Record<string, ((...args: never[]) => unknown) | undefined>;
    for (const [key, method] of Object.entries(def.methods)) {
      const path = `/${def.fullName}/${method.name}`;
      const handler = table[key];
      const unaryKind = !method.requestStream && !method.responseStream;
      const stats = { started: 0, handled: new Float64Array(17) };
      const base = { path, serviceName: def.fullName, method, stats };
      const route: Route = handler === undefined
        ? base
        : unaryKind
          ? { ...base, unary: handler as Route['unary'] }
          : { ...base, stream: handler as Route['stream'] };
      this.routes.set(path, route);
    }
  }

  /** Registers a service whose every method answers UNIMPLEMENTED (not built yet). */
  addUnimplementedService(def: ServiceDefinition): void {
    this.addService(def, {});
  }

  hasService(fullName: string): boolean {
    return this.services.has(fullName);
  }

  hasRoute(path: string): boolean {
    return this.routes.has(path);
  }

  /** Every registered method (for metrics). */
  allRoutes(): IterableIterator<Route> {
    return this.routes.values();
  }

  /** The http2 server's 'stream' listener. */
  handleStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    const contentType = headers['content-type'];
    if (typeof contentType !== 'string' || !contentType.startsWith('application/grpc')) {
      if (this.fallback !== undefined) {
        this.fallback(stream, headers);
        return;
      }
      stream.on('error', ignore);
      stream.respond({ ':status': 415, 'content-type': 'text/plain' }, { endStream: false });
      stream.end('invalid gRPC request content-type');
      return;
    }
    const path = headers[':path'] ?? '';
    const route = this.routes.get(path);
    if (route === undefined) {
      stream.on('error', ignore);
      stream.resume();
      sendTrailersOnly(stream, GrpcStatus.UNIMPLEMENTED, this.unknownPathMessage(path));
      return;
    }
    route.stats.started++;
    const encoding = headers['grpc-encoding'];
    if (encoding !== undefined && encoding !== 'identity') {
      // grpc-go (as built into etcd) has no decompressors installed.
      const call = new GrpcCall(this, route, stream, headers);
      (stream as CallStream)[kCall] = call;
      stream.on('error', ignore);
      stream.on('close', onClose);
      call.fail(new EtcdError(GrpcStatus.UNIMPLEMENTED, `grpc: Decompressor is not installed for grpc-encoding ${JSON.stringify(String(encoding))}`));
      return;
    }
    const call = new GrpcCall(this, route, stream, headers);
    (stream as CallStream)[kCall] = call;
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('close', onClose);
    stream.on('error', ignore);
    stream.on('wantTrailers', onWantTrailers);
    const timeoutMs = parseGrpcTimeoutMs(headers['grpc-timeout']);
    // Longer than a Node timer can wait (~24.8 days) is as good as no deadline.
    if (timeoutMs !== undefined && timeoutMs <= MAX_TIMER_MS) call.timer = setTimeout(onDeadline, timeoutMs, call);
    if (route.stream !== undefined) void call.runStream();
  }

  private unknownPathMessage(path: string): string {
    const slash = path.lastIndexOf('/');
    if (!path.startsWith('/') || slash <= 0) return `malformed method name: ${JSON.stringify(path)}`;
    const service = path.slice(1, slash);
    const method = path.slice(slash + 1);
    if (this.services.has(service)) return `unknown method ${method} for service ${service}`;
    return `unknown service ${service}`;
  }
}

function ignore(): void {}

function resetIfOpen(stream: ServerHttp2Stream): void {
  if (!stream.closed && !stream.destroyed) stream.close(http2Constants.NGHTTP2_NO_ERROR);
}

function countHandled(route: Route, code: number): void {
  const handled = route.stats.handled;
  if (code >= 0 && code < handled.length) handled[code] = (handled[code] as number) + 1;
}

function sendTrailersOnly(stream: ServerHttp2Stream, code: number, message: string): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  stream.respond(
    { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(code), 'grpc-message': encodeGrpcMessage(message) },
    RESPOND_END_STREAM,
  );
}

function onData(this: CallStream, chunk: Buffer): void {
  this[kCall]?.onData(chunk);
}

function onEnd(this: CallStream): void {
  this[kCall]?.onEnd();
}

function onClose(this: CallStream): void {
  this[kCall]?.onClose();
}

function onWantTrailers(this: CallStream): void {
  const call = this[kCall];
  if (call === undefined || call.trailers === undefined) {
    this.sendTrailers(OK_TRAILERS);
    return;
  }
  this.sendTrailers(call.trailers);
}

function onDeadline(call: GrpcCall): void {
  call.timer = undefined;
  call.fail(new EtcdError(GrpcStatus.DEADLINE_EXCEEDED, 'context deadline exceeded'));
}

const CANCELLED = new EtcdError(GrpcStatus.CANCELLED, 'context canceled');

/** One gRPC call: inbound framing, the handler run, the response and its trailers. */
class GrpcCall implements StreamCall<unknown, unknown> {
  readonly ctx: CallContext;
  /** Created on the first chunk that is not exactly one whole message (rare for unary calls). */
  private deframer: Deframer | undefined;
  timer: NodeJS.Timeout | undefined;
  trailers: Record<string, string> | undefined;
  private done = false;
  private inboundEnded = false;
  private unaryRequest: Uint8Array | undefined;
  private queue: RequestQueue<unknown> | undefined;

  constructor(
    private readonly server: GrpcServer,
    private readonly route: Route,
    private readonly stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
  ) {
    this.ctx = new CallContext(headers);
    if (route.stream !== undefined) {
      this.queue = new RequestQueue(STREAM_REQUEST_QUEUE_MAX, (paused) => {
        if (paused) stream.pause();
        else stream.resume();
      });
    }
  }

  get requests(): AsyncIterable<unknown> {
    return this.queue as RequestQueue<unknown>;
  }

  onData(chunk: Buffer): void {
    if (this.done) return;
    let deframer = this.deframer;
    if (deframer === undefined) {
      // Fast path: a unary request whose one message arrives in one chunk needs no buffering.
      if (this.queue === undefined && this.unaryRequest === undefined && chunk.length >= FRAME_HEADER_BYTES && chunk[0] === 0) {
        const length = chunk.readUInt32BE(1);
        if (length + FRAME_HEADER_BYTES === chunk.length && length <= this.server.maxReceiveBytes) {
          this.unaryRequest = chunk.subarray(FRAME_HEADER_BYTES);
          return;
        }
      }
      deframer = this.deframer = new Deframer(this.server.maxReceiveBytes);
    }
    deframer.push(chunk);
    for (;;) {
      const next = deframer.next();
      if (next === undefined) return;
      if (next.kind === 'compressed') {
        this.fail(new EtcdError(GrpcStatus.INTERNAL, 'grpc: compressed flag set with identity or empty encoding'));
        return;
      }
      if (next.kind === 'too-large') {
        this.fail(new ErrMessageTooLarge(next.length, this.server.maxReceiveBytes));
        return;
      }
      if (this.queue === undefined) {
        if (this.unaryRequest === undefined) this.unaryRequest = next.bytes;
        continue;
      }
      let request: unknown;
      try {
        request = this.route.method.requestType.decode(next.bytes);
      } catch (err) {
        this.fail(unmarshalError(err));
        return;
      }
      this.queue.push(request);
    }
  }

  onEnd(): void {
    this.inboundEnded = true;
    if (this.done) return;
    if (this.queue !== undefined) {
      this.queue.end();
      return;
    }
    void this.runUnary();
  }

  onClose(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.done) return;
    this.done = true;
    countHandled(this.route, GrpcStatus.CANCELLED);
    this.ctx.abort(CANCELLED);
    this.queue?.fail(CANCELLED);
  }

  private async runUnary(): Promise<void> {
    const bytes = this.unaryRequest;
    if (bytes === undefined) {
      this.fail(new EtcdError(GrpcStatus.INTERNAL, 'grpc: request stream ended without a message'));
      return;
    }
    this.unaryRequest = undefined;
    const method = this.route.method;
    let request: unknown;
    try {
      request = method.requestType.decode(bytes);
    } catch (err) {
      this.fail(unmarshalError(err));
      return;
    }
    const handler = this.route.unary;
    if (handler === undefined) {
      this.fail(new EtcdError(GrpcStatus.UNIMPLEMENTED, `method ${method.name} not implemented`));
      return;
    }
    let response: unknown;
    try {
      response = await handler(request, this.ctx);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (this.done) return;
    let frame: Buffer;
    try {
      frame = encodeFrame(method.responseType, response);
    } catch (err) {
      this.fail(new EtcdError(GrpcStatus.INTERNAL, `grpc: error while marshaling: ${(err as Error).message}`));
      return;
    }
    this.finish();
    countHandled(this.route, GrpcStatus.OK);
    const stream = this.stream;
    if (stream.destroyed || stream.closed) return;
    stream.respond(RESPONSE_HEADERS, RESPOND_WITH_TRAILERS);
    stream.end(frame);
  }

  async runStream(): Promise<void> {
    const handler = this.route.stream;
    if (handler === undefined) {
      this.fail(new EtcdError(GrpcStatus.UNIMPLEMENTED, `method ${this.route.method.name} not implemented`));
      return;
    }
    try {
      await handler(this);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (this.done) return;
    this.finish();
    countHandled(this.route, GrpcStatus.OK);
    const stream = this.stream;
    if (stream.destroyed || stream.closed) return;
    const trailersOnly = !stream.headersSent;
    if (trailersOnly) {
      stream.respond({ ...RESPONSE_HEADERS, ...OK_TRAILERS }, RESPOND_END_STREAM);
    } else {
      stream.end();
    }
    this.discardInbound(trailersOnly);
  }

  send(response: unknown): Promise<void> {
    const stream = this.stream;
    if (this.done || stream.destroyed || stream.closed) return RESOLVED;
    const frame = encodeFrame(this.route.method.responseType, response);
    if (!stream.headersSent) stream.respond(RESPONSE_HEADERS, RESPOND_WITH_TRAILERS);
    if (stream.write(frame)) return RESOLVED;
    return new Promise((resolve) => {
      const settle = (): void => {
        stream.off('drain', settle);
        stream.off('close', settle);
        resolve();
      };
      stream.on('drain', settle);
      stream.on('close', settle);
    });
  }

  /** Ends the call with the status of `err` (EtcdError -> its code; anything else -> UNKNOWN). */
  fail(err: unknown): void {
    if (this.done) return;
    this.finish();
    const { code, message, known } = toGrpcError(err);
    countHandled(this.route, code);
    if (!known) {
      this.server.logger.error({ err, method: this.route.path }, 'gRPC handler failed');
    }
    this.ctx.abort(err);
    this.queue?.fail(err);
    const stream = this.stream;
    if (stream.destroyed || stream.closed) return;
    const trailersOnly = !stream.headersSent;
    if (trailersOnly) {
      sendTrailersOnly(stream, code, message);
    } else {
      this.trailers = { 'grpc-status': String(code), 'grpc-message': encodeGrpcMessage(message) };
      stream.end();
    }
    this.discardInbound(trailersOnly);
  }

  private finish(): void {
    this.done = true;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** After the response is complete, drop whatever the client still sends. */
  /**
   * After a complete response, stop the client's upload: drop what still arrives and, once our
   * frames are out, RST_STREAM(NO_ERROR) as RFC 7540 section 8.1 allows (grpc-go does the same).
   */
  private discardInbound(trailersOnly: boolean): void {
    if (this.inboundEnded) return;
    const stream = this.stream;
    stream.off('data', onData);
    stream.resume();
    // Only after a trailers-only response: its HEADERS frame is already queued. Trailers sent on
    // 'wantTrailers' would race the reset.
    if (trailersOnly) setImmediate(resetIfOpen, stream);
  }
}
