// Offline reading of a snapshot file (`snapshot status`, `snapshot restore`): tsetcd's snapshots,
// like etcd's, are a bbolt image followed by the 32-byte sha256 `snapshot save` checked.
import { closeSync, openSync, readSync } from 'node:fs';

/** Where a bbolt file's first meta page keeps its magic number (little-endian uint32). */
const BBOLT_MAGIC_OFFSET = 16;
const BBOLT_MAGIC = 0xed0cdaed;

/** True when the file starts with a bbolt meta page. */
export function isBboltFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(BBOLT_MAGIC_OFFSET + 4);
    const n = readSync(fd, head, 0, head.length, 0);
    return n === head.length && head.readUInt32LE(BBOLT_MAGIC_OFFSET) === BBOLT_MAGIC;
  } finally {
    closeSync(fd);
  }
}
