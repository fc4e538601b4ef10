// Writes a fresh bbolt file from whole buckets (etcd's snapshot format, read by `etcdctl snapshot
// status` and `snapshot restore` and by etcd itself): metas on pages 0 and 1, an empty freelist
// on page 2, then each bucket as a B+tree of packed leaf pages under branch pages, every page
// reachable (bbolt's tx.Check finds no unreachable or double-used page).

import {
  BBOLT_MAGIC,
  BBOLT_PAGE_BYTES,
  BBOLT_VERSION,
  BRANCH_PAGE,
  BUCKET_HEADER_BYTES,
  BUCKET_LEAF_FLAG,
  ELEMENT_BYTES,
  FREELIST_PAGE,
  LEAF_PAGE,
  META_CHECKSUM_OFFSET,
  META_PAGE,
  PAGE_HEADER_BYTES,
  fnv1a64,
  type BboltBucket,
} from './bbolt-layout';

const FREELIST_PGID = 2;
const FIRST_DATA_PGID = 3;
/** A page's element count is a u16. */
const MAX_ELEMENTS_PER_PAGE = 0xffff;

interface LeafItem {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly flags: number;
}

interface BranchItem {
  readonly key: Uint8Array;
  readonly pgid: number;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

class PageAllocator {
  /** Allocated page runs in id order, from FIRST_DATA_PGID on. */
  readonly runs: Buffer[] = [];
  nextId = FIRST_DATA_PGID;

  constructor(readonly pageBytes: number) {}

  /** A run of whole pages for `bytes`, its header written. */
  page(flags: number, count: number, bytes: number): { id: number; buf: Buffer } {
    const pages = Math.max(1, Math.ceil(bytes / this.pageBytes));
    const id = this.nextId;
    this.nextId += pages;
    const buf = Buffer.alloc(pages * this.pageBytes);
    writePageHeader(buf, id, flags, count, pages - 1);
    this.runs.push(buf);
    return { id, buf };
  }
}

function writePageHeader(buf: Buffer, id: number, flags: number, count: number, overflow: number): void {
  buf.writeBigUInt64LE(BigInt(id), 0);
  buf.writeUInt16LE(flags, 8);
  buf.writeUInt16LE(count, 10);
  buf.writeUInt32LE(overflow, 12);
}

/** Splits items into page-sized groups (one oversized item gets a group, and overflow pages, of its own). */
function groups<T>(items: readonly T[], bytesOf: (item: T) => number, pageBytes: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let size = PAGE_HEADER_BYTES;
  for (const item of items) {
    const b = ELEMENT_BYTES + bytesOf(item);
    if (current.length > 0 && (size + b > pageBytes || current.length === MAX_ELEMENTS_PER_PAGE)) {
      out.push(current);
      current = [];
      size = PAGE_HEADER_BYTES;
    }
    current.push(item);
    size += b;
  }
  if (current.length > 0 || out.length === 0) out.push(current);
  return out;
}

function writeLeaf(alloc: PageAllocator, items: readonly LeafItem[]): BranchItem {
  const dataBytes = items.reduce((n, it) => n + it.key.length + it.value.length, 0);
  const { id, buf } = alloc.page(LEAF_PAGE, items.length, PAGE_HEADER_BYTES + items.length * ELEMENT_BYTES + dataBytes);
  let data = PAGE_HEADER_BYTES + items.length * ELEMENT_BYTES;
  items.forEach((it, i) => {
    const at = PAGE_HEADER_BYTES + i * ELEMENT_BYTES;
    buf.writeUInt32LE(it.flags, at);
    buf.writeUInt32LE(data - at, at + 4);
    buf.writeUInt32LE(it.key.length, at + 8);
    buf.writeUInt32LE(it.value.length, at + 12);
    buf.set(it.key, data);
    buf.set(it.value, data + it.key.length);
    data += it.key.length + it.value.length;
  });
  return { key: items[0]?.key ?? new Uint8Array(0), pgid: id };
}

function writeBranch(alloc: PageAllocator, items: readonly BranchItem[]): BranchItem {
  const keyBytes = items.reduce((n, it) => n + it.key.length, 0);
  const { id, buf } = alloc.page(BRANCH_PAGE, items.length, PAGE_HEADER_BYTES + items.length * ELEMENT_BYTES + keyBytes);
  let data = PAGE_HEADER_BYTES + items.length * ELEMENT_BYTES;
  items.forEach((it, i) => {
    const at = PAGE_HEADER_BYTES + i * ELEMENT_BYTES;
    buf.writeUInt32LE(data - at, at);
    buf.writeUInt32LE(it.key.length, at + 4);
    buf.writeBigUInt64LE(BigInt(it.pgid), at + 8);
    buf.set(it.key, data);
    data += it.key.length;
  });
  return { key: items[0]!.key, pgid: id };
}

/** One B+tree (keys already in byte order); returns its root page id. */
function writeTree(alloc: PageAllocator, items: readonly LeafItem[]): number {
  let level = groups(items, (it) => it.key.length + it.value.length, alloc.pageBytes).map((g) => writeLeaf(alloc, g));
  while (level.length > 1) {
    level = groups(level, (it) => it.key.length, alloc.pageBytes).map((g) => writeBranch(alloc, g));
  }
  return level[0]!.pgid;
}

function metaPage(pageBytes: number, txid: number, rootPgid: number, highWaterPgid: number): Buffer {
  const buf = Buffer.alloc(pageBytes);
  writePageHeader(buf, txid, META_PAGE, 0, 0);
  const m = PAGE_HEADER_BYTES;
  buf.writeUInt32LE(BBOLT_MAGIC, m);
  buf.writeUInt32LE(BBOLT_VERSION, m + 4);
  buf.writeUInt32LE(pageBytes, m + 8);
  buf.writeUInt32LE(0, m + 12); // flags
  buf.writeBigUInt64LE(BigInt(rootPgid), m + 16);
  buf.writeBigUInt64LE(0n, m + 24); // root sequence
  buf.writeBigUInt64LE(BigInt(FREELIST_PGID), m + 32);
  buf.writeBigUInt64LE(BigInt(highWaterPgid), m + 40);
  buf.writeBigUInt64LE(BigInt(txid), m + 48);
  buf.writeBigUInt64LE(fnv1a64(buf.subarray(m, m + META_CHECKSUM_OFFSET)), m + META_CHECKSUM_OFFSET);
  return buf;
}

/** The whole file: every bucket at the top level, each with its own page tree. */
export function writeBbolt(buckets: readonly BboltBucket[], pageBytes = BBOLT_PAGE_BYTES): Buffer {
  const alloc = new PageAllocator(pageBytes);
  const sorted = [...buckets].sort((a, b) => compareBytes(a.name, b.name));
  const rootItems: LeafItem[] = sorted.map((bucket) => {
    for (let i = 1; i < bucket.entries.length; i++) {
      if (compareBytes(bucket.entries[i - 1]![0], bucket.entries[i]![0]) >= 0) {
        throw new Error(`bbolt: bucket ${Buffer.from(bucket.name).toString()} keys are not in byte order`);
      }
    }
    const root = writeTree(alloc, bucket.entries.map(([key, value]) => ({ key, value, flags: 0 })));
    const header = Buffer.alloc(BUCKET_HEADER_BYTES);
    header.writeBigUInt64LE(BigInt(root), 0);
    return { key: bucket.name, value: header, flags: BUCKET_LEAF_FLAG };
  });
  const rootPgid = writeTree(alloc, rootItems);
  const freelist = Buffer.alloc(pageBytes);
  writePageHeader(freelist, FREELIST_PGID, FREELIST_PAGE, 0, 0);
  return Buffer.concat([metaPage(pageBytes, 0, rootPgid, alloc.nextId), metaPage(pageBytes, 1, rootPgid, alloc.nextId), freelist, ...alloc.runs]);
}
