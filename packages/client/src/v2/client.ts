// V2Client: etcd's v2 HTTP API over a list of endpoints, with the Go client's failover rules
// (try from the pinned endpoint on; a failed one-shot write is not retried elsewhere) and
// cluster sync from /v2/members.
import { V2AbortedError, V2ClusterError, V2NoEndpointsError, V2ServerError } from './errors';
import { endpointText, newTransport, sendRequest, type V2HttpRequest, type V2HttpResponse, type V2TlsOptions, type V2Transport, type V2WireRequest } from './http';
import { KeysApi } from './keys';
import { MembersApi } from './members';

/** etcd's client default per-request header timeout is none; etcdctl passes --timeout (2 s). */
export const DEFAULT_V2_HEADER_TIMEOUT_MS = 0;

export interface V2ClientOptions {
  /** e.g. ['http://127.0.0.1:2379']; a missing scheme means http. */
  endpoints: string[];
  /** Time allowed for each request's response headers (not for watches); 0 = none. */
  headerTimeoutMs?: number;
  username?: string;
  password?: string;
  tls?: V2TlsOptions;
  /** Called with every request as it goes out (etcdctl --debug prints these as curl lines). */
  onRequest?: (req: V2WireRequest) => void;
}

export interface V2DoOptions {
  signal?: AbortSignal;
  /** A request that must not be repeated on another endpoint after a failure (create, delete). */
  oneShot?: boolean;
}

/** Parses an endpoint like Go's url.Parse + "default scheme http". */
export function parseEndpoint(text: string): URL {
  const withScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text) ? text : `http://${text}`;
  return new URL(withScheme);
}

export class V2Client {
  readonly keys: KeysApi;
  readonly members: MembersApi;
  private endpointList: URL[];
  private pinned = 0;
  private readonly transport: V2Transport;

  constructor(options: V2ClientOptions) {
    this.endpointList = options.endpoints.map(parseEndpoint);
    this.transport = newTransport({
      headerTimeoutMs: options.headerTimeoutMs ?? DEFAULT_V2_HEADER_TIMEOUT_MS,
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.username !== undefined ? { username: options.username, password: options.password ?? '' } : {}),
    });
    if (options.onRequest) this.transport.onRequest = options.onRequest;
    this.keys = new KeysApi(this);
    this.members = new MembersApi(this);
  }

  /** The endpoints in use, as Go prints them. */
  endpoints(): string[] {
    return this.endpointList.map(endpointText);
  }

  /** Replaces the endpoints with the client URLs the cluster publishes (shuffled when they change). */
  async sync(signal?: AbortSignal): Promise<void> {
    const members = await this.members.list(signal);
    const urls = members.flatMap((m) => m.clientURLs);
    if (urls.length === 0) throw new V2NoEndpointsError();
    const next = urls.map(parseEndpoint);
    const same =
      next.length === this.endpointList.length &&
      [...next.map(endpointText)].sort().join(',') === [...this.endpoints()].sort().join(',');
    if (same) return;
    for (let i = next.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [next[i], next[j]] = [next[j] as URL, next[i] as URL];
    }
    this.endpointList = next;
    this.pinned = 0;
  }

  /**
   * Sends one request, starting at the pinned endpoint and moving on after connection failures
   * and 5xx answers; resolves with the first other answer (any status).
   */
  async do(req: V2HttpRequest, options: V2DoOptions = {}): Promise<V2HttpResponse> {
    const eps = this.endpointList;
    if (eps.length === 0) throw new V2NoEndpointsError();
    const errors: Error[] = [];
    for (let i = this.pinned; i < this.pinned + eps.length; i++) {
      const k = i % eps.length;
      const ep = eps[k] as URL;
      let failure: Error | undefined;
      try {
        const res = await sendRequest(ep, req, this.transport, options.signal);
        if (Math.floor(res.status / 100) === 5) {
          errors.push(new V2ServerError(endpointText(ep), res.status));
          failure = errors[0];
        } else {
          this.pinned = k;
          return res;
        }
      } catch (err) {
        if (err instanceof V2AbortedError) throw err;
        failure = err instanceof Error ? err : new Error(String(err));
        errors.push(failure);
      }
      if (options.oneShot) {
        this.pinned = (k + 1) % eps.length;
        throw failure;
      }
    }
    throw new V2ClusterError(errors);
  }

  /** Calls `observer` with every request as it goes out (etcdctl --debug prints them as curl lines). */
  observeRequests(observer: (req: V2WireRequest) => void): void {
    this.transport.onRequest = observer;
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.transport.httpAgent.destroy();
    this.transport.httpsAgent.destroy();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
