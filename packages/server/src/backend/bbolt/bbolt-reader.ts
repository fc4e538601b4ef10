// Reads a bbolt file (an etcd backend or `etcdctl snapshot save` image) into its top-level buckets:
// the valid meta with the higher txid, then each bucket's page tree (or inline page) in key order.

import {
  BBOLT_MAGIC,
  BBOLT_VERSION,
  BRANCH_PAGE,
  BUCKET_HEADER_BYTES,
  BUCKET_LEAF_FLAG,
  ELEMENT_BYTES,
  LEAF_PAGE,
  META_CHECKSUM_OFFSET,
  PAGE_HEADER_BYTES,
  fnv1a64,
  type BboltBucket,
} from './bbolt-layout';

export interface BboltFile {
  readonly pageBytes: number;
  /** The high-water mark: pages in use (tx.Size() is pgid * pageBytes). */
  readonly pgid: number;
  readonly txid: bigint;
  readonly buckets: BboltBucket[];
}

/** The meta of page `index` if its magic, version and checksum hold. */
function readMeta(file: Buffer, index: number, pageBytes: number): { root: number; pgid: number; txid: bigint } | undefined {
  const m = index * pageBytes + PAGE_HEADER_BYTES;
  if (file.length < m + META_CHECKSUM_OFFSET + 8) return undefined;
  if (file.readUInt32LE(m) !== BBOLT_MAGIC || file.readUInt32LE(m + 4) !== BBOLT_VERSION) return undefined;
  const checksum = file.readBigUInt64LE(m + META_CHECKSUM_OFFSET);
  if (checksum !== 0n && checksum !== fnv1a64(file.subarray(m, m + META_CHECKSUM_OFFSET))) return undefined;
  return { root: Number(file.readBigUInt64LE(m + 16)), pgid: Number(file.readBigUInt64LE(m + 40)), txid: file.readBigUInt64LE(m + 48) };
}

interface Element {
  readonly flags: number;
  readonly key: Buffer;
  readonly value: Buffer;
}

class PageReader {
  constructor(
    private readonly file: Buffer,
    private readonly pageBytes: number,
    private readonly pgid: number,
  ) {}

  /** Every leaf element under page `id`, in order. */
  *tree(id: number, depth = 0): Generator<Element> {
    if (id < 2 || id >= this.pgid || depth > 64) throw new Error(`bbolt: page ${id} out of bounds (${this.pgid} pages)`);
    yield* this.page(this.file.subarray(id * this.pageBytes), id, depth);
  }

  /** The elements of the page at the start of `buf` (a file page or an inline bucket page). */
  *page(buf: Buffer, id: number, depth: number): Generator<Element> {
    if (buf.length < PAGE_HEADER_BYTES) throw new Error(`bbolt: page ${id} truncated`);
    const flags = buf.readUInt16LE(8);
    const count = buf.readUInt16LE(10);
    const end = PAGE_HEADER_BYTES + count * ELEMENT_BYTES;
    if (buf.length < end) throw new Error(`bbolt: page ${id} truncated`);
    for (let i = 0; i < count; i++) {
      const at = PAGE_HEADER_BYTES + i * ELEMENT_BYTES;
      if (flags & BRANCH_PAGE) {
        yield* this.tree(Number(buf.readBigUInt64LE(at + 8)), depth + 1);
      } else if (flags & LEAF_PAGE) {
        const pos = at + buf.readUInt32LE(at + 4);
        const ksize = buf.readUInt32LE(at + 8);
        const vsize = buf.readUInt32LE(at + 12);
        if (pos + ksize + vsize > buf.length) throw new Error(`bbolt: page ${id} element ${i} out of bounds`);
        yield { flags: buf.readUInt32LE(at), key: buf.subarray(pos, pos + ksize), value: buf.subarray(pos + ksize, pos + ksize + vsize) };
      } else {
        throw new Error(`bbolt: page ${id} has invalid type ${flags}`);
      }
    }
  }

  /** A bucket's entries from its 16-byte header (and inline page when its root is 0). */
  bucket(header: Buffer): Array<[Uint8Array, Uint8Array]> {
    if (header.length < BUCKET_HEADER_BYTES) throw new Error('bbolt: bucket header truncated');
    const root = Number(header.readBigUInt64LE(0));
    const elements = root === 0 ? this.page(header.subarray(BUCKET_HEADER_BYTES), 0, 0) : this.tree(root);
    // a nested bucket shows as its key with no value (as bbolt's ForEach yields it)
    return [...elements].map((e) => [e.key, e.flags & BUCKET_LEAF_FLAG ? new Uint8Array(0) : e.value]);
  }
}

export function readBbolt(file: Buffer): BboltFile {
  if (file.length < PAGE_HEADER_BYTES + 12) throw new Error('bbolt: file too small');
  const pageBytes = file.readUInt32LE(PAGE_HEADER_BYTES + 8);
  if (pageBytes < 512 || pageBytes > 1 << 20) throw new Error('bbolt: invalid page size');
  const metas = [readMeta(file, 0, pageBytes), readMeta(file, 1, pageBytes)].filter((m) => m !== undefined);
  if (metas.length === 0) throw new Error('bbolt: invalid database');
  const meta = metas.reduce((a, b) => (b.txid > a.txid ? b : a));
  const pages = new PageReader(file, pageBytes, meta.pgid);
  const buckets: BboltBucket[] = [];
  for (const e of pages.tree(meta.root)) {
    if ((e.flags & BUCKET_LEAF_FLAG) === 0) continue; // the root holds only buckets
    buckets.push({ name: e.key, entries: pages.bucket(e.value) });
  }
  return { pageBytes, pgid: meta.pgid, txid: meta.txid, buckets };
}
