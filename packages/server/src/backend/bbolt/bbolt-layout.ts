// The on-disk layout of a bbolt file (etcd's backend format), little-endian throughout:
//   page header   id u64 | flags u16 | count u16 | overflow u32        (16 bytes)
//   meta          magic u32 | version u32 | pageSize u32 | flags u32 | root bucket (root u64,
//                 sequence u64) | freelist u64 | pgid u64 | txid u64 | checksum u64 (FNV-1a 64
//                 of the 56 bytes before it)
//   leaf element  flags u32 | pos u32 | ksize u32 | vsize u32  (pos: from the element to its key)
//   branch elem.  pos u32 | ksize u32 | pgid u64
//   bucket value  root u64 | sequence u64, then an inline leaf page when root is 0
// Pages 0 and 1 hold the two metas (the valid one with the higher txid wins); a page larger than
// pageSize runs on into `overflow` following pages.

export const BBOLT_MAGIC = 0xed0cdaed;
export const BBOLT_VERSION = 2;
export const BBOLT_PAGE_BYTES = 4096;

export const PAGE_HEADER_BYTES = 16;
export const ELEMENT_BYTES = 16;
export const BUCKET_HEADER_BYTES = 16;
export const META_CHECKSUM_OFFSET = 56;

export const BRANCH_PAGE = 0x01;
export const LEAF_PAGE = 0x02;
export const META_PAGE = 0x04;
export const FREELIST_PAGE = 0x10;
/** A leaf element whose value is a nested bucket. */
export const BUCKET_LEAF_FLAG = 0x01;
/** A freelist page's count at this value means the real count is the first u64 of the page body. */
export const FREELIST_COUNT_OVERFLOW = 0xffff;

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const U64_MASK = 0xffffffffffffffffn;

/** FNV-1a 64, bbolt's meta checksum. */
export function fnv1a64(bytes: Uint8Array): bigint {
  let h = FNV64_OFFSET;
  for (const b of bytes) h = ((h ^ BigInt(b)) * FNV64_PRIME) & U64_MASK;
  return h;
}

/** One bucket: its name and its entries, keys in byte order. */
export interface BboltBucket {
  readonly name: Uint8Array;
  readonly entries: ReadonlyArray<readonly [Uint8Array, Uint8Array]>;
}
