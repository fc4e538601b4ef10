import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Crc32c, snapshotKind } from './snapshot-file';

describe('snapshot file helpers', () => {
  test('Crc32c is the Castagnoli crc32 (check value of "123456789"), fed in pieces or at once', () => {
    const whole = new Crc32c();
    whole.update(Buffer.from('123456789'));
    expect(whole.value).toBe(0xe3069283);
    const pieces = new Crc32c();
    pieces.update(Buffer.from('1234'));
    pieces.update(Buffer.from('56789'));
    expect(pieces.value).toBe(0xe3069283);
    expect(new Crc32c().value).toBe(0);
  });

  test('snapshotKind tells LMDB, bbolt and other files apart by their meta page magic', () => {
    const dir = mkdtempSync(join(tmpdir(), 'snapkind-'));
    try {
      const lmdb = Buffer.alloc(4096);
      lmdb.writeUInt32LE(0xbeefc0de, 24);
      const bolt = Buffer.alloc(4096);
      bolt.writeUInt32LE(0xed0cdaed, 16);
      writeFileSync(join(dir, 'l'), lmdb);
      writeFileSync(join(dir, 'b'), bolt);
      writeFileSync(join(dir, 'x'), Buffer.alloc(4096, 7));
      writeFileSync(join(dir, 's'), Buffer.alloc(3));
      expect(snapshotKind(join(dir, 'l'))).toBe('lmdb');
      expect(snapshotKind(join(dir, 'b'))).toBe('bbolt');
      expect(snapshotKind(join(dir, 'x'))).toBe('unknown');
      expect(snapshotKind(join(dir, 's'))).toBe('unknown');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
