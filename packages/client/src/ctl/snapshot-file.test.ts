import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBboltFile } from './snapshot-file';

describe('snapshot file helpers', () => {
  test('isBboltFile tells a bbolt file by its meta page magic', () => {
    const dir = mkdtempSync(join(tmpdir(), 'snapkind-'));
    try {
      const lmdb = Buffer.alloc(4096);
      lmdb.writeUInt32LE(0xbeefc0de, 24);
      const bolt = Buffer.alloc(4096);
      bolt.writeUInt32LE(0xed0cdaed, 16);
      writeFileSync(join(dir, 'l'), lmdb);
      writeFileSync(join(dir, 'b'), bolt);
      writeFileSync(join(dir, 's'), Buffer.alloc(3));
      expect(isBboltFile(join(dir, 'b'))).toBe(true);
      expect(isBboltFile(join(dir, 'l'))).toBe(false);
      expect(isBboltFile(join(dir, 's'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
