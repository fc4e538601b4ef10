// What every v2 command gets: its flags and arguments, the global flags (flag, then ETCDCTL_* env),
// output, and etcdctl's ways of failing (`Error:  …` + exit code) and of making a client.
import { readFileSync } from 'node:fs';
import { goQuote } from '../go-format';
import { V2Client, V2ClusterError, V2NoEndpointsError, isConnectionError, type V2TlsOptions, type V2WireRequest } from '../../v2';
import type { FlagValue, ParsedFlags } from './go-flag';

// etcdctl v2's exit codes
export const EXIT_SUCCESS = 0;
export const EXIT_BAD_ARGS = 1;
export const EXIT_BAD_CONNECTION = 2;
export const EXIT_BAD_AUTH = 3;
export const EXIT_SERVER_ERROR = 4;
export const EXIT_CLUSTER_NOT_HEALTHY = 5;

/** etcdctl's default endpoints when no flag or env names any. */
export const DEFAULT_V2_ENDPOINTS = 'http://127.0.0.1:2379,http://127.0.0.1:4001';
/** Dial timeout of etcdctl's transport (capped by --total-timeout). */
export const DIAL_TIMEOUT_MS = 30_000;

export interface V2CtlIo {
  out(s: string): void;
  err(s: string): void;
  /** All of stdin, its bytes as a latin1 string (as bin-ctl's readStdin gives them). */
  stdin(): Promise<string>;
  env: NodeJS.ProcessEnv;
  /** Aborting it ends a running watch / exec-watch like Ctrl+C does (exit 0). */
  signal?: AbortSignal;
}

/** Ends the command with this exit code (its output has already been written). */
export class V2Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export class V2Ctl {
  constructor(
    readonly io: V2CtlIo,
    private readonly globals: ParsedFlags,
    private readonly flags: ParsedFlags,
  ) {}

  get args(): string[] {
    return this.flags.args;
  }

  private value(parsed: ParsedFlags, name: string): FlagValue | undefined {
    return parsed.values.get(name);
  }

  bool(name: string): boolean {
    return this.value(this.flags, name) === true;
  }
  int(name: string): number {
    const v = this.value(this.flags, name);
    return typeof v === 'number' ? v : 0;
  }
  string(name: string): string {
    const v = this.value(this.flags, name);
    return typeof v === 'string' ? v : '';
  }
  globalBool(name: string): boolean {
    return this.value(this.globals, name) === true;
  }
  globalString(name: string): string {
    const v = this.value(this.globals, name);
    return typeof v === 'string' ? v : '';
  }
  /** A global duration flag, in ms. */
  globalDurationMs(name: string): number {
    const v = this.value(this.globals, name);
    return typeof v === 'number' ? v : 0;
  }

  get output(): string {
    return this.globalString('output');
  }

  exit(code: number): never {
    throw new V2Exit(code);
  }

  /** etcdctl's handleError: `Error:  <err>` (+ per-endpoint detail for cluster errors), then exit. */
  fail(code: number, err: unknown): never {
    const message = err instanceof Error ? err.message : String(err);
    this.io.err(`Error:  ${message}\n`);
    if (err instanceof V2ClusterError) this.io.err(`${err.detail()}\n`);
    this.exit(code);
  }

  /** A signal that fires after --total-timeout (the Go client's context.WithTimeout). */
  totalTimeoutSignal(): AbortSignal | undefined {
    const ms = this.globalDurationMs('total-timeout');
    if (ms <= 0) return undefined;
    // below a millisecond the deadline has passed before any request can go out
    if (ms < 1) return AbortSignal.abort(new DOMException('The operation timed out.', 'TimeoutError'));
    return AbortSignal.timeout(Math.floor(ms));
  }

  endpoints(): string[] {
    const env = this.io.env;
    const pick =
      this.globalString('endpoints') ||
      (env.ETCDCTL_ENDPOINTS ?? '') ||
      this.globalString('endpoint') ||
      (env.ETCDCTL_ENDPOINT ?? '') ||
      this.globalString('peers') ||
      (env.ETCDCTL_PEERS ?? '') ||
      DEFAULT_V2_ENDPOINTS;
    return pick.split(',');
  }

  private clients: V2Client[] = [];

  /** newClient: endpoints, TLS files, credentials; a failure prints the error and exits 1. */
  private async newClient(): Promise<V2Client> {
    try {
      const endpoints = this.endpoints().map(checkEndpoint);
      const tls = this.tlsOptions();
      let user = this.globalString('username') || (this.io.env.ETCDCTL_USERNAME ?? '');
      let password: string | undefined;
      if (user !== '') {
        const colon = user.indexOf(':');
        if (colon >= 0) {
          password = user.slice(colon + 1);
          user = user.slice(0, colon);
        } else {
          this.io.err('Password: ');
          password = Buffer.from((await this.io.stdin()).split('\n')[0] ?? '', 'latin1').toString('utf8');
        }
      }
      const client = new V2Client({
        endpoints,
        headerTimeoutMs: this.globalDurationMs('timeout'),
        ...(tls ? { tls } : {}),
        ...(user !== '' ? { username: user, password: password ?? '' } : {}),
      });
      this.clients.push(client);
      return client;
    } catch (err) {
      this.io.err(`${err instanceof Error ? err.message : String(err)}\n`);
      this.exit(1);
    }
  }

  private tlsOptions(): V2TlsOptions | undefined {
    const env = this.io.env;
    const ca = this.globalString('ca-file') || (env.ETCDCTL_CA_FILE ?? '');
    const cert = this.globalString('cert-file') || (env.ETCDCTL_CERT_FILE ?? '');
    const key = this.globalString('key-file') || (env.ETCDCTL_KEY_FILE ?? '');
    if (!ca && !cert && !key) return undefined;
    const read = (path: string): Buffer => {
      try {
        return readFileSync(path);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new Error(code === 'ENOENT' ? `open ${path}: no such file or directory` : `open ${path}: ${String(err)}`);
      }
    };
    const tls: V2TlsOptions = {};
    if (ca) tls.ca = read(ca);
    if (cert) tls.cert = read(cert);
    if (key) tls.key = read(key);
    return tls;
  }

  private enableDebug(client: V2Client): void {
    client.observeRequests((r: V2WireRequest) => {
      this.io.err(`cURL Command: curl -X ${r.method} ${r.url}${r.body !== undefined ? ` -d ${goQuote(r.body)}` : ''}\n`);
    });
  }

  /** mustNewClient: a client synced with the cluster's published client URLs (unless --no-sync). */
  async client(): Promise<V2Client> {
    const client = await this.newClient();
    const debug = this.globalBool('debug');
    if (debug) this.enableDebug(client);
    if (!this.globalBool('no-sync')) {
      if (debug) this.io.err(`start to sync cluster using endpoints(${client.endpoints().join(',')})\n`);
      try {
        await client.sync(this.totalTimeoutSignal());
      } catch (err) {
        if (err instanceof V2NoEndpointsError) {
          this.io.err('etcd cluster has no published client endpoints.\n');
          this.io.err(`Try '--no-sync' if you want to access non-published client endpoints(${client.endpoints().join(',')}).\n`);
          this.fail(EXIT_SERVER_ERROR, err);
        }
        if (isConnectionError(err)) this.fail(EXIT_BAD_CONNECTION, err);
      }
      if (debug) this.io.err(`got endpoints(${client.endpoints().join(',')}) after sync\n`);
    }
    if (debug) this.io.err(`Cluster-Endpoints: ${client.endpoints().join(', ')}\n`);
    return client;
  }

  /** mustNewClientNoSync (cluster-health). */
  async clientNoSync(): Promise<V2Client> {
    const client = await this.newClient();
    if (this.globalBool('debug')) {
      this.io.err(`Cluster-Endpoints: ${client.endpoints().join(', ')}\n`);
      this.enableDebug(client);
    }
    return client;
  }

  /** argOrStdin: the i-th argument, else all of stdin (undefined when both are empty). */
  async argOrStdin(i: number): Promise<string | undefined> {
    const arg = this.args[i];
    if (arg !== undefined) return arg;
    const input = await this.io.stdin().catch(() => '');
    // the bytes as etcdctl sends them: UTF-8 text stays text
    return input === '' ? undefined : Buffer.from(input, 'latin1').toString('utf8');
  }

  close(): void {
    for (const c of this.clients) c.close();
  }
}

/** Go's url.Parse + default scheme, for the forms etcdctl users type. */
function checkEndpoint(text: string): string {
  if (text.includes('://')) return text;
  const colon = text.indexOf(':');
  const slash = text.indexOf('/');
  if (colon >= 0 && (slash < 0 || colon < slash) && !/^[a-zA-Z][a-zA-Z0-9+.-]*$/.test(text.slice(0, colon))) {
    throw new Error(`parse ${JSON.stringify(text)}: first path segment in URL cannot contain colon`);
  }
  return `http://${text}`;
}
