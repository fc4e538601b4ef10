// The v2 keys API: get / set / create / createInOrder / update / delete and long-poll watchers,
// with etcd's Go client's request shapes (see spec/v2-api.md §10).
import type { V2Client } from './client';
import { decodeKeysError, decodeKeysResponse } from './decode';
import type { V2HttpRequest } from './http';
import type {
  V2CreateInOrderOptions,
  V2DeleteOptions,
  V2GetOptions,
  V2Response,
  V2SetOptions,
  V2WatchOptions,
} from './types';

export const V2_KEYS_PREFIX = '/v2/keys';

function keyPath(key: string): string {
  return V2_KEYS_PREFIX + (key !== '' && !key.startsWith('/') ? `/${key}` : key);
}

/** 200/201 with an empty body: the server ended a long poll without an event. */
export class EmptyBodyError extends Error {
  constructor() {
    super('client: response body is empty');
  }
}

function decode(res: { status: number; headers: import('node:http').IncomingHttpHeaders; body: string }): V2Response {
  if (res.status === 200 || res.status === 201) {
    if (res.body.length === 0) throw new EmptyBodyError();
    return decodeKeysResponse(res.headers, res.body);
  }
  throw decodeKeysError(res.body);
}

export class KeysApi {
  constructor(private readonly client: V2Client) {}

  async get(key: string, options: V2GetOptions = {}): Promise<V2Response> {
    const query = new Map([
      ['recursive', String(options.recursive ?? false)],
      ['sorted', String(options.sorted ?? false)],
      ['quorum', String(options.quorum ?? false)],
    ]);
    return decode(await this.client.do({ method: 'GET', path: keyPath(key), query }, signalOf(options)));
  }

  /** PUT: set, or create / update / compareAndSwap depending on prevExist / prevValue / prevIndex. */
  async set(key: string, value: string, options: V2SetOptions = {}): Promise<V2Response> {
    const query = new Map<string, string>();
    const form = new Map<string, string>();
    if (options.dir) {
      query.set('dir', 'true');
    } else {
      if (options.prevValue) query.set('prevValue', options.prevValue);
      form.set('value', value);
    }
    if (options.prevIndex !== undefined && options.prevIndex !== 0n) query.set('prevIndex', options.prevIndex.toString());
    if (options.prevExist === 'exist') query.set('prevExist', 'true');
    if (options.prevExist === 'noexist') query.set('prevExist', 'false');
    if (options.ttlSeconds !== undefined && options.ttlSeconds > 0) form.set('ttl', String(Math.floor(options.ttlSeconds)));
    if (options.refresh) form.set('refresh', 'true');
    if (options.noValueOnSuccess) query.set('noValueOnSuccess', 'true');
    const req: V2HttpRequest = { method: 'PUT', path: keyPath(key), query, form };
    const res = await this.client.do(req, { ...signalOf(options), oneShot: options.prevExist === 'noexist' });
    return decode(res);
  }

  create(key: string, value: string, options: Omit<V2SetOptions, 'prevExist'> = {}): Promise<V2Response> {
    return this.set(key, value, { ...options, prevExist: 'noexist' });
  }

  update(key: string, value: string, options: Omit<V2SetOptions, 'prevExist'> = {}): Promise<V2Response> {
    return this.set(key, value, { ...options, prevExist: 'exist' });
  }

  /** POST: a new key under `dir` named by its creation index (20 digits), for queues. */
  async createInOrder(dir: string, value: string, options: V2CreateInOrderOptions = {}): Promise<V2Response> {
    const form = new Map([['value', value]]);
    if (options.ttlSeconds !== undefined && options.ttlSeconds > 0) form.set('ttl', String(Math.floor(options.ttlSeconds)));
    return decode(await this.client.do({ method: 'POST', path: keyPath(dir), form }, signalOf(options)));
  }

  async delete(key: string, options: V2DeleteOptions = {}): Promise<V2Response> {
    const query = new Map<string, string>();
    if (options.prevValue) query.set('prevValue', options.prevValue);
    if (options.prevIndex !== undefined && options.prevIndex !== 0n) query.set('prevIndex', options.prevIndex.toString());
    if (options.dir) query.set('dir', 'true');
    if (options.recursive) query.set('recursive', 'true');
    const res = await this.client.do({ method: 'DELETE', path: keyPath(key), query }, { ...signalOf(options), oneShot: true });
    return decode(res);
  }

  /** A watcher that long-polls from `afterIndex + 1` (or the next index) and follows on. */
  watcher(key: string, options: V2WatchOptions = {}): V2Watcher {
    const after = options.afterIndex ?? 0n;
    return new V2Watcher(this.client, key, after > 0n ? after + 1n : 0n, options.recursive ?? false);
  }
}

function signalOf(options: { signal?: AbortSignal }): { signal?: AbortSignal } {
  return options.signal ? { signal: options.signal } : {};
}

/** Successive events of one key (or subtree); each next() is one `?wait=true` long poll. */
export class V2Watcher implements AsyncIterable<V2Response> {
  constructor(
    private readonly client: V2Client,
    readonly key: string,
    /** The index the next poll waits from (0n = the next index the store makes). */
    public waitIndex: bigint,
    readonly recursive: boolean,
  ) {}

  async next(signal?: AbortSignal): Promise<V2Response> {
    for (;;) {
      const query = new Map([
        ['wait', 'true'],
        ['waitIndex', this.waitIndex.toString()],
        ['recursive', String(this.recursive)],
      ]);
      const res = await this.client.do({ method: 'GET', path: keyPath(this.key), query, wait: true }, signal ? { signal } : {});
      let resp: V2Response;
      try {
        resp = decode(res);
      } catch (err) {
        if (err instanceof EmptyBodyError) continue;
        throw err;
      }
      this.waitIndex = (resp.node?.modifiedIndex ?? this.waitIndex) + 1n;
      return resp;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<V2Response> {
    for (;;) yield await this.next();
  }
}
