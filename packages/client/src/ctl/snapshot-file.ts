// Offline reading of a snapshot file for `snapshot status`: tsetcd's snapshots are an LMDB image
// (named databases = etcd's buckets) followed by the 32-byte sha256 `snapshot save` checked.
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Lmdb from 'lmdb';

/** The native lmdb module, loaded on first use: only `snapshot status` needs it. */
function loadLmdb(): typeof Lmdb {
  return require('lmdb') as typeof Lmdb;
}

/** Where each format's first meta page keeps its magic number (little-endian uint32). */
const BBOLT_MAGIC_OFFSET = 16;
const LMDB_MAGIC_OFFSET = 24;
const LMDB_MAGIC = 0xbeefc0de;
const BBOLT_MAGIC = 0xed0cdaed;
/** The sha256 `snapshot save` leaves after the image (the image itself is whole pages). */
const SHA256_BYTES = 32;
const LMDB_PAGE_BYTES = 4096;
/** Enough named databases for every etcd bucket. */
const SNAPSHOT_MAX_DBS = 64;
/** etcd's mvcc revision key: 8-byte big-endian main revision first. */
const REVISION_MAIN_BYTES = 8;

export interface SnapshotStatus {
  /** crc32 (Castagnoli) over every bucket name and every key and value, in order (etcd's Status hash). */
  hash: number;
  revision: bigint;
  totalKey: number;
  totalSize: number;
}

export type SnapshotKind = 'lmdb' | 'bbolt' | 'unknown';

export function snapshotKind(path: string): SnapshotKind {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(Math.max(BBOLT_MAGIC_OFFSET, LMDB_MAGIC_OFFSET) + 4);
    const n = readSync(fd, head, 0, head.length, 0);
    if (n < head.length) return 'unknown';
    if (head.readUInt32LE(LMDB_MAGIC_OFFSET) === LMDB_MAGIC) return 'lmdb';
    if (head.readUInt32LE(BBOLT_MAGIC_OFFSET) === BBOLT_MAGIC) return 'bbolt';
    return 'unknown';
  } finally {
    closeSync(fd);
  }
}

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** Running crc32c: feed `update`, read `value`. */
export class Crc32c {
  #crc = 0xffffffff;

  update(b: Uint8Array): void {
    let c = this.#crc;
    for (const byte of b) c = (CRC32C_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
    this.#crc = c >>> 0;
  }

  get value(): number {
    return (this.#crc ^ 0xffffffff) >>> 0;
  }
}

/** Reads an LMDB snapshot image read-only (from a private copy: LMDB wants its own directory). */
export function lmdbSnapshotStatus(path: string): SnapshotStatus {
  const raw = readFileSync(path);
  const image = raw.length % LMDB_PAGE_BYTES === SHA256_BYTES ? raw.subarray(0, raw.length - SHA256_BYTES) : raw;
  const dir = mkdtempSync(join(tmpdir(), 'tsetcdctl-status-'));
  try {
    writeFileSync(join(dir, 'data.mdb'), image);
    const env = loadLmdb().open<Buffer, Buffer>({ path: dir, readOnly: true, maxDbs: SNAPSHOT_MAX_DBS, keyEncoding: 'binary', encoding: 'binary' });
    try {
      const crc = new Crc32c();
      let revision = 0n;
      let totalKey = 0;
      // the root database lists the named databases (with lmdb-js's trailing NUL), sorted like bbolt's buckets
      const names = [...env.getKeys()].map((k) => Buffer.from(k).toString('latin1').replace(/\0$/, ''));
      for (const name of names) {
        crc.update(Buffer.from(name, 'latin1'));
        const db = env.openDB<Buffer, Buffer>({ name, keyEncoding: 'binary', encoding: 'binary' });
        for (const { key, value } of db.getRange()) {
          crc.update(key);
          crc.update(value);
          if (name === 'key' && key.length >= REVISION_MAIN_BYTES) revision = key.readBigInt64BE(0);
          totalKey++;
        }
      }
      return { hash: crc.value, revision, totalKey, totalSize: image.length };
    } finally {
      void env.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
