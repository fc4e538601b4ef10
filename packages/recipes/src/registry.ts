// ServiceRegistry in the key layout of etcd's naming/endpoints: `<service>/<instance>` holding
// JSON {"Op":0,"Addr":...,"Metadata":...} on a kept-alive lease, so Go's resolver sees the same
// instances. A registration registers again (new lease) whenever its lease is lost.
import type { KeyspaceView, KeyValue } from '@tsetcd/client';
import { Session } from './session';
import { delay } from './signals';

/** Default registration TTL (etcd's naming examples use short leases; Go's session default is 60). */
export const DEFAULT_REGISTRATION_TTL_SECONDS = 10;
/** Wait before registering again after a failed attempt. */
export const REREGISTER_BACKOFF_MS = 500;

export interface ServiceInstance {
  service: string;
  /** The instance id (the key's last part). */
  instance: string;
  /** Full etcd key. */
  key: string;
  addr: string;
  metadata: unknown;
}

export interface RegisterOptions {
  /** The address published (default: the instance id). */
  addr?: string;
  metadata?: unknown;
  ttlSeconds?: number;
  signal?: AbortSignal;
}

export type ServiceEvent = { kind: 'up'; instance: ServiceInstance } | { kind: 'down'; service: string; instance: string; key: string };

/** etcd naming/endpoints' internal Update (Op 0 = Add). */
interface EndpointUpdate {
  Op: number;
  Addr: string;
  Metadata?: unknown;
}

function instanceKey(service: string, instance: string): string {
  return `${service}/${instance}`;
}

function decodeInstance(service: string, kv: KeyValue): ServiceInstance | undefined {
  try {
    const update = JSON.parse(kv.valueString()) as EndpointUpdate;
    const key = kv.keyString();
    return { service, instance: key.slice(service.length + 1), key, addr: update.Addr, metadata: update.Metadata ?? null };
  } catch {
    return undefined;
  }
}

/** One live registration; `close()` (or `await using`) deregisters and revokes its lease. */
export class Registration implements AsyncDisposable {
  readonly #stop = new AbortController();
  #session: Session | undefined;
  /** Resolves once registered the first time. */
  readonly ready: Promise<void>;
  readonly #loop: Promise<void>;
  /** How many times the instance was (re)registered. */
  registrations = 0;

  constructor(
    readonly client: KeyspaceView,
    readonly service: string,
    readonly instance: string,
    readonly options: RegisterOptions,
  ) {
    let resolveReady!: () => void;
    let rejectReady!: (err: unknown) => void;
    this.ready = new Promise((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    this.ready.catch(() => undefined);
    if (options.signal) options.signal.addEventListener('abort', () => void this.close(), { once: true });
    this.#loop = this.#run(resolveReady, rejectReady);
  }

  get key(): string {
    return instanceKey(this.service, this.instance);
  }

  get leaseId(): bigint | undefined {
    return this.#session?.leaseId;
  }

  async #run(resolveReady: () => void, rejectReady: (err: unknown) => void): Promise<void> {
    const stop = this.#stop.signal;
    const value: EndpointUpdate = { Op: 0, Addr: this.options.addr ?? this.instance, Metadata: this.options.metadata ?? null };
    while (!stop.aborted) {
      try {
        const session = await Session.create(this.client, { ttlSeconds: this.options.ttlSeconds ?? DEFAULT_REGISTRATION_TTL_SECONDS, signal: stop });
        this.#session = session;
        await this.client.put(this.key, JSON.stringify(value), { lease: session.leaseId, signal: stop });
        this.registrations++;
        resolveReady();
        await Promise.race([session.done, new Promise((r) => stop.addEventListener('abort', r, { once: true }))]);
      } catch {
        if (stop.aborted) break;
        await delay(REREGISTER_BACKOFF_MS, stop).catch(() => undefined);
      }
    }
    rejectReady(new Error('registration closed'));
  }

  async close(): Promise<void> {
    if (this.#stop.signal.aborted) return this.#loop;
    this.#stop.abort();
    await this.#loop;
    await this.#session?.close().catch(() => undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export class ServiceRegistry {
  constructor(readonly client: KeyspaceView) {}

  /** Register `instance` of `service`; resolves once the first registration is written. */
  async register(service: string, instance: string, options: RegisterOptions = {}): Promise<Registration> {
    const registration = new Registration(this.client, service, instance, options);
    try {
      await registration.ready;
    } catch (err) {
      await registration.close();
      throw err;
    }
    return registration;
  }

  /** Live instances of `service`. */
  async discover(service: string, options: { signal?: AbortSignal } = {}): Promise<ServiceInstance[]> {
    const res = await this.client.range({ key: `${service}/`, prefix: true, signal: options.signal });
    return res.kvs.map((kv) => decodeInstance(service, kv)).filter((i): i is ServiceInstance => i !== undefined);
  }

  /** The current instances as `up` events, then every change, until `signal` aborts or the loop breaks. */
  async *watch(service: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<ServiceEvent> {
    const res = await this.client.range({ key: `${service}/`, prefix: true, signal: options.signal });
    for (const kv of res.kvs) {
      const instance = decodeInstance(service, kv);
      if (instance) yield { kind: 'up', instance };
    }
    const w = this.client.watch(`${service}/`, { prefix: true, startRevision: res.header.revision + 1n, signal: options.signal });
    try {
      for await (const ev of w) {
        if (ev.kind === 'put') {
          const instance = decodeInstance(service, ev.kv);
          if (instance) yield { kind: 'up', instance };
        } else if (ev.kind === 'delete') {
          const key = ev.kv.keyString();
          yield { kind: 'down', service, instance: key.slice(service.length + 1), key };
        }
      }
    } finally {
      w.close();
    }
  }

  /** A picker kept up to date by a watch; close() (or `await using`) stops it. */
  async picker(service: string, strategy: PickStrategy = 'round-robin'): Promise<ServicePicker> {
    const picker = new ServicePicker(this, service, strategy);
    await picker.ready;
    return picker;
  }
}

export type PickStrategy = 'round-robin' | 'random';

export class ServicePicker implements AsyncDisposable {
  readonly #instances = new Map<string, ServiceInstance>();
  readonly #stop = new AbortController();
  #next = 0;
  readonly ready: Promise<void>;
  readonly #loop: Promise<void>;

  constructor(
    registry: ServiceRegistry,
    readonly service: string,
    readonly strategy: PickStrategy,
  ) {
    let resolveReady!: () => void;
    this.ready = new Promise((resolve) => (resolveReady = resolve));
    this.#loop = (async () => {
      // the initial snapshot comes first, then live changes
      const initial = await registry.discover(service, { signal: this.#stop.signal });
      for (const i of initial) this.#instances.set(i.key, i);
      resolveReady();
      for await (const ev of registry.watch(service, { signal: this.#stop.signal })) {
        if (ev.kind === 'up') this.#instances.set(ev.instance.key, ev.instance);
        else this.#instances.delete(ev.key);
      }
    })().catch(() => resolveReady());
  }

  /** The live instances known now. */
  get instances(): ServiceInstance[] {
    return [...this.#instances.values()];
  }

  /** The next instance by the strategy, or undefined when none is live. */
  pick(): ServiceInstance | undefined {
    const list = [...this.#instances.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (list.length === 0) return undefined;
    if (this.strategy === 'random') return list[Math.floor(Math.random() * list.length)];
    const chosen = list[this.#next % list.length];
    this.#next = (this.#next + 1) % list.length;
    return chosen;
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
