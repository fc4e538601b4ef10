// The LMDB environment at <data-dir>/member/snap/db: etcd's buckets as named databases, batched
// synchronous write transactions that carry the applied (consistent) index, read views,
// durable flushes, defragmentation and consistent snapshots.

import * as fs from 'node:fs';
import * as pathModule from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { BUCKETS, META_CONSISTENT_INDEX, type BucketName } from './buckets';
import { DEFAULT_MAP_SIZE_BYTES, MAX_DBS, SNAPSHOT_CHUNK_BYTES, type BackendOptions } from './backend-options';
import { crc32c } from '../pkg/crc32c';

export interface KeyValuePair {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

export interface RangeOptions {
  /** Exclusive upper bound; absent = to the end of the bucket. */
  readonly end?: Uint8Array;
  readonly limit?: number;
  readonly reverse?: boolean;
}

/** A read view: sees every committed write (and, inside a batch, the batch's own writes). */
export interface ReadTx {
  get(bucket: BucketName, key: Uint8Array): Uint8Array | undefined;
  /** Entries with key >= start (and < opts.end), ascending unless opts.reverse. */
  range(bucket: BucketName, start: Uint8Array, opts?: RangeOptions): Iterable<KeyValuePair>;
}

export interface BatchTx extends ReadTx {
  put(bucket: BucketName, key: Uint8Array, value: Uint8Array): void;
  delete(bucket: BucketName, key: Uint8Array): void;
  /** Stores meta/consistent_index in this transaction. */
  setConsistentIndex(index: number): void;
}

/** A (bucket, key) pair left out of `hash()`. */
export interface HashIgnore {
  readonly bucket: BucketName;
  readonly key: Uint8Array;
}

type Db = Database<Buffer, Buffer>;
type Env = RootDatabase<Buffer, Buffer>;

const EMPTY = new Uint8Array(0);
const DEFRAG_ATTEMPTS_MAX = 5;

function toBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

export function encodeUint64BE(n: number | bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

export function decodeUint64BE(b: Uint8Array): bigint {
  if (b.length !== 8) throw new Error(`backend: expected 8 bytes, got ${b.length}`);
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0);
}

export class Backend implements ReadTx {
  private env: Env;
  private dbs: Map<BucketName, Db>;
  private batchDepth = 0;
  private pendingConsistentIndex: number | undefined;
  private appliedIndex: number;
  private defragmenting = false;
  private closed = false;
  private tmpSeq = 0;
  private imageGeneration = 0;
  /** The data file's size as of the last commit (see `size`). */
  private cachedSizeBytes: number | undefined;
  private readonly batch: BatchTx;

  private constructor(
    readonly path: string,
    private readonly opts: BackendOptions,
  ) {
    [this.env, this.dbs] = Backend.openEnv(path, opts);
    const ci = this.get('meta', META_CONSISTENT_INDEX);
    this.appliedIndex = ci === undefined ? 0 : Number(decodeUint64BE(ci));
    this.batch = {
      get: (bucket, key) => this.get(bucket, key),
      range: (bucket, start, o) => this.range(bucket, start, o),
      put: (bucket, key, value) => {
        this.db(bucket).putSync(toBuffer(key), toBuffer(value));
      },
      delete: (bucket, key) => {
        this.db(bucket).removeSync(toBuffer(key));
      },
      setConsistentIndex: (index) => {
        this.db('meta').putSync(toBuffer(META_CONSISTENT_INDEX), toBuffer(encodeUint64BE(index)));
        this.pendingConsistentIndex = index;
      },
    };
  }

  /** Opens (creating if needed) the environment directory at `path` (e.g. <data-dir>/member/snap/db). */
  static open(path: string, opts: BackendOptions = {}): Backend {
    return new Backend(path, opts);
  }

  private static openEnv(path: string, opts: BackendOptions): [Env, Map<BucketName, Db>] {
    fs.mkdirSync(path, { recursive: true });
    const env = open<Buffer, Buffer>({
      path,
      maxDbs: MAX_DBS,
      mapSize: opts.mapSizeBytes ?? DEFAULT_MAP_SIZE_BYTES,
      noSync: opts.noSync ?? true,
      keyEncoding: 'binary',
      encoding: 'binary',
    });
    const dbs = new Map<BucketName, Db>();
    for (const name of BUCKETS) {
      dbs.set(name, env.openDB<Buffer, Buffer>({ name, keyEncoding: 'binary', encoding: 'binary' }));
    }
    return [env, dbs];
  }

  private db(bucket: BucketName): Db {
    if (this.closed) throw new Error('backend: closed');
    const db = this.dbs.get(bucket);
    if (!db) throw new Error(`backend: unknown bucket ${bucket}`);
    return db;
  }

  get(bucket: BucketName, key: Uint8Array): Uint8Array | undefined {
    return this.db(bucket).getBinary(toBuffer(key)) ?? undefined;
  }

  range(bucket: BucketName, start: Uint8Array, opts: RangeOptions = {}): Iterable<KeyValuePair> {
    const db = this.db(bucket);
    if (opts.reverse) {
      // lmdb walks a reverse range from `start` down to `end`; swap to keep our [start, end) meaning.
      return db.getRange({
        start: opts.end ? toBuffer(opts.end) : undefined,
        end: toBuffer(start),
        reverse: true,
        limit: opts.limit,
        inclusiveEnd: true,
        exclusiveStart: opts.end !== undefined,
      } as Parameters<Db['getRange']>[0]) as Iterable<KeyValuePair>;
    }
    return db.getRange({
      start: toBuffer(start),
      end: opts.end ? toBuffer(opts.end) : undefined,
      limit: opts.limit,
    }) as Iterable<KeyValuePair>;
  }

  /** A read view over committed state. */
  readTx(): ReadTx {
    return { get: (b, k) => this.get(b, k), range: (b, s, o) => this.range(b, s, o) };
  }

  /**
   * Runs `fn` in ONE synchronous write transaction and commits it (without fsync unless the
   * backend was opened with noSync: false). A call made inside another batch joins it. If `fn`
   * throws, the outermost transaction is aborted and nothing it wrote is kept.
   */
  batchTx<T>(fn: (tx: BatchTx) => T): T {
    if (this.batchDepth > 0) return fn(this.batch);
    if (this.defragmenting) throw new Error('backend: write during defragmentation');
    this.db('meta');
    this.batchDepth++;
    this.pendingConsistentIndex = undefined;
    try {
      const result = this.env.transactionSync(() => fn(this.batch));
      if (this.pendingConsistentIndex !== undefined) this.appliedIndex = this.pendingConsistentIndex;
      return result;
    } finally {
      this.pendingConsistentIndex = undefined;
      this.batchDepth--;
      this.cachedSizeBytes = undefined;
    }
  }

  /** True while defragment() runs (writes are refused meanwhile). */
  get isDefragmenting(): boolean {
    return this.defragmenting;
  }

  /** Counts replaceWith() calls: work planned against an older image must not touch this one. */
  get dataGeneration(): number {
    return this.imageGeneration;
  }

  /** True once close() has begun. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The raft index of the last entry whose effects were committed (meta/consistent_index); 0 if none. */
  consistentIndex(): number {
    return this.appliedIndex;
  }

  /**
   * Bytes of the data file on disk. Read once per committed batch (the quota check asks for it on
   * every request; etcd keeps it in a variable updated at commit as well).
   */
  get size(): number {
    if (this.cachedSizeBytes !== undefined) return this.cachedSizeBytes;
    let size = 0;
    try {
      size = fs.statSync(pathModule.join(this.path, 'data.mdb')).size;
    } catch {
      return 0;
    }
    this.cachedSizeBytes = size;
    return size;
  }

  /** Bytes of pages in use by the trees (file size minus free pages, approximately). */
  get sizeInUse(): number {
    type TreeStats = { treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number };
    const pages = (s: TreeStats): number => s.treeBranchPageCount + s.treeLeafPageCount + s.overflowPages;
    const root = this.env.getStats() as TreeStats & { pageSize: number; root: TreeStats; free: TreeStats };
    let total = 2 + pages(root.root) + pages(root.free); // two meta pages
    for (const db of this.dbs.values()) total += pages(db.getStats() as TreeStats);
    return total * root.pageSize;
  }

  /** Flushes every committed transaction to disk durably. */
  sync(): Promise<void> {
    const env = this.env as unknown as { sync(cb: (err?: Error) => void): void };
    return new Promise((resolve, reject) => env.sync((err) => (err ? reject(err) : resolve())));
  }

  /** etcd's name for the same thing: make everything committed so far durable. */
  forceCommit(): Promise<void> {
    return this.sync();
  }

  /**
   * crc32c over every bucket (in name order): the bucket name, then each key and value not in
   * `ignores`. Same bytes on members with the same history.
   */
  hash(ignores: readonly HashIgnore[] = []): number {
    let h = 0;
    const skip = new Set(ignores.map((i) => `${i.bucket}\u0000${Buffer.from(i.key).toString('hex')}`));
    const names = [...BUCKETS].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const name of names) {
      h = crc32c(h, Buffer.from(name));
      for (const { key, value } of this.range(name, EMPTY)) {
        if (skip.size > 0 && skip.has(`${name}\u0000${Buffer.from(key).toString('hex')}`)) continue;
        h = crc32c(h, key);
        h = crc32c(h, value);
      }
    }
    return h;
  }

  private tmpPath(kind: string): string {
    return `${this.path}.${kind}-${process.pid}-${++this.tmpSeq}`;
  }

  /**
   * Rewrites the environment compactly (LMDB copy with compaction) and swaps it in. Writes must
   * not run meanwhile: batchTx throws while a defragmentation is in progress.
   */
  async defragment(): Promise<void> {
    if (this.batchDepth > 0) throw new Error('backend: defragment inside a batch');
    if (this.defragmenting) throw new Error('backend: defragmentation already in progress');
    this.defragmenting = true;
    try {
      await this.sync();
      for (let attempt = 0; attempt < DEFRAG_ATTEMPTS_MAX; attempt++) {
        const txnBefore = this.lastTxnId();
        const tmp = this.tmpPath('defrag');
        fs.rmSync(tmp, { recursive: true, force: true });
        fs.mkdirSync(tmp, { recursive: true });
        await this.env.backup(tmp, true);
        if (this.lastTxnId() !== txnBefore) {
          fs.rmSync(tmp, { recursive: true, force: true });
          continue;
        }
        const old = this.env;
        const oldPath = this.tmpPath('old');
        fs.renameSync(this.path, oldPath);
        fs.renameSync(tmp, this.path);
        [this.env, this.dbs] = Backend.openEnv(this.path, this.opts);
        await old.close();
        fs.rmSync(oldPath, { recursive: true, force: true });
        return;
      }
      throw new Error('backend: defragmentation kept racing with writes');
    } finally {
      this.defragmenting = false;
      this.cachedSizeBytes = undefined;
    }
  }

  private lastTxnId(): number {
    return (this.env.getStats() as { lastTxnId: number }).lastTxnId;
  }

  /**
   * A consistent copy of the environment's data file, in SNAPSHOT_CHUNK_BYTES chunks
   * (for Maintenance.Snapshot). The copy is taken when iteration starts.
   */
  async *snapshot(chunkBytes: number = SNAPSHOT_CHUNK_BYTES): AsyncIterable<Uint8Array> {
    const tmp = this.tmpPath('snapshot');
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    try {
      await this.env.backup(tmp, false);
      const fh = await fs.promises.open(pathModule.join(tmp, 'data.mdb'), 'r');
      try {
        for (;;) {
          const buf = Buffer.alloc(chunkBytes);
          const { bytesRead } = await fh.read(buf, 0, chunkBytes, null);
          if (bytesRead === 0) break;
          yield buf.subarray(0, bytesRead);
        }
      } finally {
        await fh.close();
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  /**
   * Replaces the whole environment with a received image (the bytes `snapshot()` produced on
   * another member), e.g. when a raft snapshot is applied. The image is written and fsynced
   * beside the environment, then swapped in. Whatever sits on top (the mvcc store, lessor, ...)
   * must be rebuilt from the backend afterwards.
   */
  async replaceWith(image: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
    if (this.batchDepth > 0) throw new Error('backend: replaceWith inside a batch');
    if (this.defragmenting) throw new Error('backend: replaceWith during defragmentation');
    this.defragmenting = true; // refuse writes while the image is swapped in
    const tmp = this.tmpPath('incoming');
    try {
      fs.rmSync(tmp, { recursive: true, force: true });
      fs.mkdirSync(tmp, { recursive: true });
      const fh = await fs.promises.open(pathModule.join(tmp, 'data.mdb'), 'w');
      try {
        for await (const chunk of image) await fh.write(chunk);
        await fh.sync();
      } finally {
        await fh.close();
      }
      const old = this.env;
      const oldPath = this.tmpPath('old');
      fs.renameSync(this.path, oldPath);
      fs.renameSync(tmp, this.path);
      [this.env, this.dbs] = Backend.openEnv(this.path, this.opts);
      this.imageGeneration++;
      const ci = this.get('meta', META_CONSISTENT_INDEX);
      this.appliedIndex = ci === undefined ? 0 : Number(decodeUint64BE(ci));
      await old.close();
      fs.rmSync(oldPath, { recursive: true, force: true });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
      this.defragmenting = false;
      this.cachedSizeBytes = undefined;
    }
  }

  /** Flushes durably and closes the environment. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.sync();
    this.closed = true;
    await this.env.close();
  }
}
