// Global flags (with ETCDCTL_* env fallbacks), the output format and the client a command uses.
import { CallAbortedError, Client, EtcdError, NoEndpointError } from '../index';
import { EXIT_BAD_ARGS, EXIT_BAD_FEATURE, EXIT_ERROR, fail } from './exit-codes';
import type { FlagReader, FlagSpec } from './flags';
import { parseGoDurationMs } from './go-format';

export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'endpoints', kind: 'strings', default: '127.0.0.1:2379' },
  { name: 'dial-timeout', kind: 'duration', default: '2s' },
  { name: 'command-timeout', kind: 'duration', default: '5s' },
  { name: 'keepalive-time', kind: 'duration', default: '2s' },
  { name: 'keepalive-timeout', kind: 'duration', default: '6s' },
  { name: 'write-out', short: 'w', kind: 'string', default: 'simple' },
  { name: 'hex', kind: 'bool', default: 'false' },
  { name: 'debug', kind: 'bool', default: 'false' },
  { name: 'user', kind: 'string', default: '' },
  { name: 'password', kind: 'string', default: '' },
  { name: 'cacert', kind: 'string', default: '' },
  { name: 'cert', kind: 'string', default: '' },
  { name: 'key', kind: 'string', default: '' },
  { name: 'insecure-transport', kind: 'bool', default: 'true' },
  { name: 'insecure-skip-tls-verify', kind: 'bool', default: 'false' },
  { name: 'insecure-discovery', kind: 'bool', default: 'true' },
  { name: 'discovery-srv', short: 'd', kind: 'string', default: '' },
  { name: 'discovery-srv-name', kind: 'string', default: '' },
  { name: 'help', short: 'h', kind: 'bool', default: 'false' },
];

export type OutputFormat = 'simple' | 'json' | 'fields' | 'protobuf' | 'table';

/** ETCDCTL_<FLAG> for every global flag not given on the command line. */
export function globalEnvArgs(env: NodeJS.ProcessEnv): Map<string, string> {
  const out = new Map<string, string>();
  for (const spec of GLOBAL_FLAGS) {
    const v = env[`ETCDCTL_${spec.name.toUpperCase().replace(/-/g, '_')}`];
    if (v !== undefined && v !== '') out.set(spec.name, v);
  }
  return out;
}

export class CtlContext {
  #client: Client | undefined;
  readonly format: OutputFormat;
  readonly isHex: boolean;
  readonly commandTimeoutMs: number;
  readonly dialTimeoutMs: number;
  readonly endpoints: string[];

  constructor(
    readonly flags: FlagReader,
    readonly out: (s: string) => void,
    readonly err: (s: string) => void,
    readonly stdin: () => Promise<string>,
    /** stdin read as it arrives (watch -i); process.stdin unless given. */
    readonly stdinStream: NodeJS.ReadableStream = process.stdin,
    /** Raw bytes on stdout (-w protobuf). */
    readonly outBytes: (b: Uint8Array) => void = (b) => void process.stdout.write(b),
  ) {
    const fmt = flags.str('write-out');
    if (!['simple', 'json', 'fields', 'protobuf', 'table'].includes(fmt)) fail(EXIT_BAD_FEATURE, 'unsupported output format');
    this.format = fmt as OutputFormat;
    this.isHex = flags.bool('hex');
    this.commandTimeoutMs = durationFlag(flags, 'command-timeout');
    this.dialTimeoutMs = durationFlag(flags, 'dial-timeout');
    durationFlag(flags, 'keepalive-time');
    durationFlag(flags, 'keepalive-timeout');
    this.endpoints = flags.list('endpoints');
  }

  /** A client on all endpoints (or one endpoint). */
  client(endpoints: string[] = this.endpoints): Client {
    if (this.#client && endpoints === this.endpoints) return this.#client;
    const c = new Client({
      endpoints,
      dialTimeoutMs: this.dialTimeoutMs,
      callTimeoutMs: this.commandTimeoutMs,
      ...(this.credentials() ? { auth: this.credentials() } : {}),
    });
    if (endpoints === this.endpoints) this.#client = c;
    else this.extraClients.push(c);
    return c;
  }

  readonly extraClients: Client[] = [];

  credentials(): { username: string; password: string } | undefined {
    const user = this.flags.str('user');
    if (user === '') return undefined;
    const password = this.flags.str('password');
    if (password !== '') {
      if (user.includes(':')) fail(EXIT_BAD_ARGS, 'Password must not be included in the user flag when --password is set');
      return { username: user, password };
    }
    const i = user.indexOf(':');
    if (i < 0) fail(EXIT_BAD_ARGS, 'password prompt is not supported by tsetcdctl; pass --password or --user name:password');
    return { username: user.slice(0, i), password: user.slice(i + 1) };
  }

  close(): void {
    this.#client?.close();
    for (const c of this.extraClients) c.close();
  }

  /** Formats other than simple/json not built for this command: etcdctl's "<fmt> not supported" (exit 4). */
  requireFormat(...supported: OutputFormat[]): void {
    if (!supported.includes(this.format)) fail(EXIT_BAD_FEATURE, `${this.format} not supported as output format`);
  }
}

function durationFlag(flags: FlagReader, name: string): number {
  const v = parseGoDurationMs(flags.str(name));
  if (v === undefined) fail(EXIT_ERROR, `invalid argument "${flags.str(name)}" for "--${name}" flag: time: invalid duration ${flags.str(name)}`);
  return v;
}

/** The text etcdctl prints for a failed call (the grpc status description, or the context error). */
export function callErrorMessage(err: unknown): string {
  if (err instanceof CallAbortedError) return 'context deadline exceeded';
  if (err instanceof NoEndpointError) return 'context deadline exceeded';
  if (err instanceof EtcdError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
