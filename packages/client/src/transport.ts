// Endpoints and connections: one grpc-js channel per endpoint, pick-first with rotation when the
// current endpoint is unavailable. Hands out a connected grpc Client for unary calls and streams.
import { Client as GrpcClient, ChannelCredentials, connectivityState, credentials } from '@grpc/grpc-js';
import { NoEndpointError, ClientClosedError } from './errors';
import { parseEndpoint } from './endpoint';

export interface TlsOptions {
  /** PEM root certificates (omit to use the system roots). */
  ca?: Uint8Array;
  /** PEM client certificate and key, for mutual TLS. */
  cert?: Uint8Array;
  key?: Uint8Array;
}

/** Channel arguments matching clientv3's: unlimited receive size, quick reconnects. */
export const CHANNEL_OPTIONS = {
  'grpc.max_receive_message_length': 2 ** 31 - 1,
  'grpc.max_send_message_length': 2 * 1024 * 1024,
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1_000,
  'grpc.enable_retries': 0,
} as const;

export interface TransportEvents {
  connecting(endpoint: string): void;
  connected(endpoint: string): void;
  disconnected(endpoint: string): void;
  failover(from: string, to: string): void;
}

export interface TransportOptions {
  endpoints: readonly string[];
  tls?: TlsOptions;
  dialTimeoutMs: number;
  /** Extra grpc-js channel options (merged over CHANNEL_OPTIONS). */
  channelOptions?: Record<string, string | number>;
  onEvent: <K extends keyof TransportEvents>(event: K, ...args: Parameters<TransportEvents[K]>) => void;
}

export interface Connection {
  endpoint: string;
  client: GrpcClient;
}

export class Transport {
  readonly endpoints: readonly string[];
  #index = 0;
  #clients = new Map<string, GrpcClient>();
  #closed = false;
  #connected = new Set<string>();

  constructor(private readonly options: TransportOptions) {
    if (options.endpoints.length === 0) throw new Error('Client: at least one endpoint is required');
    this.endpoints = [...options.endpoints];
  }

  get closed(): boolean {
    return this.#closed;
  }

  get currentEndpoint(): string {
    return this.endpoints[this.#index] as string;
  }

  #clientFor(endpoint: string): GrpcClient {
    let client = this.#clients.get(endpoint);
    if (client === undefined) {
      const { address, secure } = parseEndpoint(endpoint);
      const tls = this.options.tls;
      const creds: ChannelCredentials =
        secure || tls !== undefined
          ? credentials.createSsl(
              tls?.ca ? Buffer.from(tls.ca) : null,
              tls?.key ? Buffer.from(tls.key) : null,
              tls?.cert ? Buffer.from(tls.cert) : null,
            )
          : credentials.createInsecure();
      client = new GrpcClient(address, creds, { ...CHANNEL_OPTIONS, ...this.options.channelOptions });
      this.#clients.set(endpoint, client);
      this.#watchState(endpoint, client);
    }
    return client;
  }

  /** Reports connected/disconnected transitions of a channel as events. */
  #watchState(endpoint: string, client: GrpcClient): void {
    const channel = client.getChannel();
    const loop = (): void => {
      if (this.#closed || this.#clients.get(endpoint) !== client) return;
      const state = channel.getConnectivityState(false);
      if (state === connectivityState.SHUTDOWN) return;
      if (state === connectivityState.READY && !this.#connected.has(endpoint)) {
        this.#connected.add(endpoint);
        this.options.onEvent('connected', endpoint);
      } else if (state !== connectivityState.READY && this.#connected.has(endpoint)) {
        this.#connected.delete(endpoint);
        this.options.onEvent('disconnected', endpoint);
      }
      // watchConnectivityState needs a deadline; re-arm it far ahead (timers are unref'd by grpc-js)
      channel.watchConnectivityState(state, Date.now() + 3_600_000, loop);
    };
    loop();
  }

  /** The endpoint failed (UNAVAILABLE): move to the next one if it is still the current one. */
  rotateFrom(endpoint: string): void {
    if (this.endpoints.length < 2 || this.currentEndpoint !== endpoint) return;
    this.#index = (this.#index + 1) % this.endpoints.length;
    this.options.onEvent('failover', endpoint, this.currentEndpoint);
  }

  /**
   * A connected channel: the current endpoint if it connects within the dial timeout, else the
   * next ones in turn. Rejects with NoEndpointError (nothing was sent) when none connects.
   */
  async connect(deadlineMs: number, signal?: AbortSignal): Promise<Connection> {
    const failures: string[] = [];
    for (let tried = 0; tried < this.endpoints.length; tried++) {
      if (this.#closed) throw new ClientClosedError();
      const endpoint = this.currentEndpoint;
      const client = this.#clientFor(endpoint);
      const dialDeadline = Math.min(deadlineMs, Date.now() + this.options.dialTimeoutMs);
      const outcome = await this.#waitReady(client, dialDeadline, this.endpoints.length > 1, signal);
      if (outcome === 'ready') return { endpoint, client };
      failures.push(`${endpoint}: ${outcome}`);
      if (Date.now() >= deadlineMs || signal?.aborted) break;
      this.rotateFrom(endpoint);
    }
    throw new NoEndpointError(failures.join('; '));
  }

  /** A connected channel to exactly `endpoint` (no failover); NoEndpointError if it does not connect. */
  async connectTo(endpoint: string, deadlineMs: number, signal?: AbortSignal): Promise<Connection> {
    if (this.#closed) throw new ClientClosedError();
    const client = this.#clientFor(endpoint);
    const outcome = await this.#waitReady(client, Math.min(deadlineMs, Date.now() + this.options.dialTimeoutMs), false, signal);
    if (outcome !== 'ready') throw new NoEndpointError(`${endpoint}: ${outcome}`);
    return { endpoint, client };
  }

  #waitReady(
    client: GrpcClient,
    deadlineMs: number,
    failFast: boolean,
    signal?: AbortSignal,
  ): Promise<'ready' | 'connection failed' | 'dial timeout' | 'aborted'> {
    const channel = client.getChannel();
    return new Promise((resolve) => {
      let settled = false;
      let sawConnecting = false;
      const onAbort = (): void => finish('aborted');
      const finish = (outcome: 'ready' | 'connection failed' | 'dial timeout' | 'aborted'): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      if (signal?.aborted) return finish('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
      const check = (first: boolean): void => {
        if (settled) return;
        const state = channel.getConnectivityState(true);
        if (state === connectivityState.READY) return finish('ready');
        if (state === connectivityState.SHUTDOWN) return finish('connection failed');
        if (state === connectivityState.CONNECTING) sawConnecting = true;
        if (state === connectivityState.TRANSIENT_FAILURE && (sawConnecting || (first && failFast))) {
          return finish('connection failed');
        }
        if (Date.now() >= deadlineMs) return finish('dial timeout');
        channel.watchConnectivityState(state, deadlineMs, (err) => {
          if (err) return finish('dial timeout');
          check(false);
        });
      };
      check(true);
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }
}
