// A small HTTP model shared by HTTP/1.1 and non-gRPC HTTP/2 requests on the client port.

import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface HttpRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/health`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The query string as sent (undecoded), undefined without a `?`. */
  readonly rawQuery?: string;
  readonly headers: IncomingHttpHeaders;
  /** Reads the whole body; rejects past `limitBytes`. */
  readBody(limitBytes?: number): Promise<Buffer>;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Instead of `body`: headers are flushed at once, then chunks are written as they come. */
  readonly chunks?: HttpChunkSource;
}

/** A body written piece by piece (long-poll and streaming watches); one owner, the router. */
export interface HttpChunkSource {
  /** The next chunk; undefined ends the response. */
  next(): Promise<string | undefined>;
  /** The response ended or the client went away: release what the source holds. Idempotent. */
  close(): void;
}

export type HttpHandler = (req: HttpRequest) => HttpResponse | Promise<HttpResponse>;

/** For handlers that stream (gateway watch, chunked responses): HTTP/1.1 only. */
export type RawHttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** WebSocket and other upgrades (HTTP/1.1). */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
