// The client: endpoints, auth, timeouts, and the APIs (KV/txn/watch/lease via KeyspaceView,
// cluster, maintenance, auth).
import { AuthApi } from './auth';
import { Caller, type Credentials } from './caller';
import { ClusterApi } from './cluster';
import { KeepAliveHub } from './keepalive';
import { IDENTITY_MAPPER } from './key-mapper';
import { MaintenanceApi } from './maintenance';
import { Transport, type TlsOptions } from './transport';
import { TypedEmitter } from './typed-emitter';
import { KeyspaceView } from './view';
import { WatchHub } from './watch';

/** clientv3's defaults. */
export const DEFAULT_DIAL_TIMEOUT_MS = 5_000;
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;

export interface ClientOptions {
  /** "host:port", "http://host:port" or "https://host:port"; tried in order (pick-first, rotating on failure). */
  endpoints: string[];
  auth?: Credentials;
  tls?: TlsOptions;
  /** How long to wait for one endpoint to connect before trying the next. */
  dialTimeoutMs?: number;
  /** Default budget of a unary call, retries included. */
  callTimeoutMs?: number;
  /** Extra grpc-js channel options. */
  channelOptions?: Record<string, string | number>;
}

export interface ClientEvents {
  connecting(endpoint: string): void;
  /** A channel to `endpoint` became ready. */
  connected(endpoint: string): void;
  /** A ready channel to `endpoint` was lost. */
  disconnected(endpoint: string): void;
  /** Calls move from `from` to `to` after `from` was unavailable. */
  failover(from: string, to: string): void;
  /** A token was obtained for `username` (on first use, and again after the server rejected the old one). */
  authenticated(username: string): void;
  closed(): void;
}

class ClientEmitter extends TypedEmitter<ClientEvents> {
  fire<K extends keyof ClientEvents & string>(event: K, ...args: Parameters<ClientEvents[K]>): void {
    this.emit(event, ...args);
  }
}

export class Client extends KeyspaceView implements AsyncDisposable {
  readonly cluster: ClusterApi;
  readonly maintenance: MaintenanceApi;
  readonly auth: AuthApi;
  /** Connection-state events: connected, disconnected, failover, closed. */
  readonly events: TypedEmitter<ClientEvents>;
  readonly #emitter: ClientEmitter;
  readonly #transport: Transport;
  readonly #caller: Caller;
  readonly #watchHub: WatchHub;
  readonly #keepAliveHub: KeepAliveHub;
  #closed = false;

  constructor(options: ClientOptions) {
    const emitter = new ClientEmitter();
    const transport = new Transport({
      endpoints: options.endpoints,
      tls: options.tls,
      dialTimeoutMs: options.dialTimeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS,
      channelOptions: options.channelOptions,
      onEvent: (event, ...args) => (emitter.fire as (e: string, ...a: unknown[]) => void)(event, ...args),
    });
    const caller = new Caller(transport, options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS, options.auth, (username) =>
      emitter.fire('authenticated', username),
    );
    const watchHub = new WatchHub(caller);
    const keepAliveHub = new KeepAliveHub(caller);
    super(caller, watchHub, keepAliveHub, IDENTITY_MAPPER);
    this.#emitter = emitter;
    this.events = emitter;
    this.#transport = transport;
    this.#caller = caller;
    this.#watchHub = watchHub;
    this.#keepAliveHub = keepAliveHub;
    this.cluster = new ClusterApi(caller);
    this.maintenance = new MaintenanceApi(caller);
    this.auth = new AuthApi(caller);
  }

  get endpoints(): readonly string[] {
    return this.#transport.endpoints;
  }

  /** The endpoint calls currently go to. */
  get currentEndpoint(): string {
    return this.#transport.currentEndpoint;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Authenticate now (otherwise done before the first call when `auth` is set). */
  async authenticate(): Promise<void> {
    await this.#caller.authenticate();
  }

  /** Ask the server for a progress notification on every watcher of this client. */
  requestWatchProgress(): void {
    this.#watchHub.requestProgress();
  }

  /** Ends watches (they throw ClientClosedError), keepalives (signals abort) and connections. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#watchHub.close();
    this.#keepAliveHub.close();
    this.#transport.close();
    this.#emitter.fire('closed');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
