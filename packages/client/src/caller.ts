// Unary calls: deadline + signal, auth token metadata (re-authenticate once on an invalid token),
// failover and retries by the rules of retry-policy.ts.
import { Metadata, type ClientDuplexStream, type ServiceError, type Client as GrpcClient } from '@grpc/grpc-js';
import { AuthDefinition, ErrInvalidAuthToken, GrpcStatus, type MethodDefinition } from '@tsetcd/api';
import { CallAbortedError, ClientClosedError, NoEndpointError, toEtcdError } from './errors';
import { isSafeToRetry, shouldRotateEndpoint, type Idempotency } from './retry-policy';
import type { Transport } from './transport';

export interface CallOptions {
  signal?: AbortSignal;
  /** Whole-call budget including retries; the client's callTimeoutMs when omitted. */
  timeoutMs?: number;
  /**
   * Send to exactly this endpoint (e.g. per-member status or defragment), without failover.
   * It need not be one of the client's endpoints.
   */
  endpoint?: string;
}

/** Pause between attempts after a retryable failure. */
export const RETRY_BACKOFF_MS = 50;
export const RETRY_BACKOFF_MAX_MS = 1_000;

export interface Credentials {
  username: string;
  password: string;
}

export function serializerFor<T>(codec: MethodDefinition<T>['requestType']): (message: T) => Buffer {
  return (message) => Buffer.from(codec.encode(message).finish());
}

export function deserializerFor<T>(codec: MethodDefinition<unknown, T>['responseType']): (bytes: Buffer) => T {
  return (bytes) => codec.decode(bytes);
}

export function pathOf(service: { fullName: string }, method: { name: string }): string {
  return `/${service.fullName}/${method.name}`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** How long a watch or keepalive stream waits for a reachable endpoint before it retries. */
const STREAM_CONNECT_TIMEOUT_MS = 60_000;

export class Caller {
  #token: string | undefined;
  #authenticating: Promise<string> | undefined;

  constructor(
    readonly transport: Transport,
    private readonly callTimeoutMs: number,
    private readonly credentials: Credentials | undefined,
    private readonly onAuthenticated: (username: string) => void = () => undefined,
  ) {}

  /**
   * Opens a bidi stream of `method` on the current endpoint with the auth metadata, or returns
   * undefined when `stillWanted()` turned false while connecting (the owner closed or emptied).
   */
  async openBidiStream<Req, Res>(
    service: { fullName: string },
    method: MethodDefinition<Req, Res>,
    stillWanted: () => boolean,
  ): Promise<{ stream: ClientDuplexStream<Req, Res>; endpoint: string } | undefined> {
    const connection = await this.transport.connect(Date.now() + STREAM_CONNECT_TIMEOUT_MS);
    const metadata = await this.metadata();
    if (!stillWanted()) return undefined;
    const stream = connection.client.makeBidiStreamRequest<Req, Res>(
      pathOf(service, method),
      serializerFor(method.requestType),
      deserializerFor(method.responseType),
      metadata,
      {},
    );
    return { stream, endpoint: connection.endpoint };
  }

  /** Metadata for a call or stream: the auth token once authenticated (authenticating first if needed). */
  async metadata(): Promise<Metadata> {
    const metadata = new Metadata();
    if (this.credentials !== undefined) {
      const token = this.#token ?? (await this.authenticate());
      metadata.set('token', token);
    }
    return metadata;
  }

  /** Authenticate (single flight) and remember the token. */
  authenticate(): Promise<string> {
    const creds = this.credentials;
    if (creds === undefined) return Promise.reject(new Error('Client: no auth credentials configured'));
    if (this.#authenticating === undefined) {
      const method = AuthDefinition.methods.authenticate;
      this.#authenticating = this.#attempt(method, pathOf(AuthDefinition, method), { name: creds.username, password: creds.password }, 'read', {}, false)
        .then((response) => {
          this.#token = response.token;
          this.onAuthenticated(creds.username);
          return response.token;
        })
        .finally(() => {
          this.#authenticating = undefined;
        });
    }
    return this.#authenticating;
  }

  /** Forget the token (the next call authenticates again). */
  invalidateToken(): void {
    this.#token = undefined;
  }

  unary<Req, Res>(
    service: { fullName: string },
    method: MethodDefinition<Req, Res>,
    request: Req,
    kind: Idempotency,
    options: CallOptions = {},
  ): Promise<Res> {
    return this.#attempt(method, pathOf(service, method), request, kind, options, this.credentials !== undefined);
  }

  async #attempt<Req, Res>(
    method: MethodDefinition<Req, Res>,
    path: string,
    request: Req,
    kind: Idempotency,
    options: CallOptions,
    withAuth: boolean,
  ): Promise<Res> {
    const deadlineMs = Date.now() + (options.timeoutMs ?? this.callTimeoutMs);
    const signal = options.signal;
    let reauthenticated = false;
    let backoffMs = RETRY_BACKOFF_MS;
    for (;;) {
      if (this.transport.closed) throw new ClientClosedError();
      if (signal?.aborted) throw new CallAbortedError('signal');
      if (Date.now() >= deadlineMs) throw new CallAbortedError('timeout');
      let failure: ServiceError | NoEndpointError;
      let endpoint: string | undefined;
      try {
        const connection =
          options.endpoint === undefined
            ? await this.transport.connect(deadlineMs, signal)
            : await this.transport.connectTo(options.endpoint, deadlineMs, signal);
        endpoint = connection.endpoint;
        const metadata = withAuth ? await this.metadata() : new Metadata();
        return await this.#send(connection.client, method, path, request, metadata, deadlineMs, signal);
      } catch (err) {
        if (err instanceof CallAbortedError || err instanceof ClientClosedError) throw err;
        if (signal?.aborted) throw new CallAbortedError('signal');
        if (err instanceof NoEndpointError) {
          failure = err;
        } else if (typeof (err as ServiceError).code === 'number') {
          failure = err as ServiceError;
        } else {
          throw err;
        }
      }
      if (failure instanceof NoEndpointError) {
        // nothing was sent: any call may try again while its budget lasts
      } else {
        const typed = toEtcdError(failure);
        if (withAuth && !reauthenticated && typed instanceof ErrInvalidAuthToken) {
          reauthenticated = true;
          this.invalidateToken();
          continue;
        }
        if ((failure.code as number) === GrpcStatus.DEADLINE_EXCEEDED && Date.now() >= deadlineMs) throw new CallAbortedError('timeout');
        if (endpoint !== undefined && options.endpoint === undefined && shouldRotateEndpoint(failure)) this.transport.rotateFrom(endpoint);
        if (!isSafeToRetry(kind, failure)) throw typed;
      }
      if (Date.now() + backoffMs >= deadlineMs) {
        throw failure instanceof NoEndpointError ? failure : toEtcdError(failure);
      }
      await sleep(backoffMs, signal);
      backoffMs = Math.min(backoffMs * 2, RETRY_BACKOFF_MAX_MS);
    }
  }

  #send<Req, Res>(
    client: GrpcClient,
    method: MethodDefinition<Req, Res>,
    path: string,
    request: Req,
    metadata: Metadata,
    deadlineMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      const onAbort = (): void => call.cancel();
      const call = client.makeUnaryRequest<Req, Res>(
        path,
        serializerFor(method.requestType),
        deserializerFor(method.responseType),
        request,
        metadata,
        { deadline: deadlineMs },
        (err, response) => {
          signal?.removeEventListener('abort', onAbort);
          if (err) {
            if (signal?.aborted && (err.code as number) === GrpcStatus.CANCELLED) reject(new CallAbortedError('signal'));
            else reject(err);
          } else resolve(response as Res);
        },
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
