// Revisions {main, sub} and their sortable on-disk form: 8-byte big-endian main, '_', 8-byte
// big-endian sub (17 bytes), plus a trailing 't' for a tombstone (18 bytes), as etcd writes them.

export interface Revision {
  readonly main: bigint;
  readonly sub: number;
}

export const REV_BYTES_LEN = 17;
export const MARK_TOMBSTONE = 0x74; // 't'
const SEPARATOR = 0x5f; // '_'

export const ZERO_REVISION: Revision = { main: 0n, sub: 0 };

export function revToBytes(rev: Revision, tombstone = false): Uint8Array {
  const out = new Uint8Array(tombstone ? REV_BYTES_LEN + 1 : REV_BYTES_LEN);
  const view = new DataView(out.buffer);
  view.setBigInt64(0, rev.main);
  out[8] = SEPARATOR;
  view.setBigInt64(9, BigInt(rev.sub));
  if (tombstone) out[REV_BYTES_LEN] = MARK_TOMBSTONE;
  return out;
}

export function bytesToRev(b: Uint8Array): Revision {
  if (b.length < REV_BYTES_LEN) throw new Error(`mvcc: revision key too short (${b.length} bytes)`);
  const view = new DataView(b.buffer, b.byteOffset, REV_BYTES_LEN);
  return { main: view.getBigInt64(0), sub: Number(view.getBigInt64(9)) };
}

export function isTombstoneKey(b: Uint8Array): boolean {
  return b.length === REV_BYTES_LEN + 1 && b[REV_BYTES_LEN] === MARK_TOMBSTONE;
}

export function compareRev(a: Revision, b: Revision): number {
  if (a.main !== b.main) return a.main < b.main ? -1 : 1;
  return a.sub - b.sub;
}

export function revGreater(a: Revision, b: Revision): boolean {
  return compareRev(a, b) > 0;
}

/** A map/set key for a revision. */
export function revId(rev: Revision): string {
  return `${rev.main}_${rev.sub}`;
}
