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

/** Where revision keys are assembled before they are copied out (one DataView, made once). */
const scratch = Buffer.alloc(REV_BYTES_LEN + 1);
const scratchView = new DataView(scratch.buffer, scratch.byteOffset, scratch.byteLength);

function fillScratch(rev: Revision): void {
  scratchView.setBigInt64(0, rev.main);
  scratch[8] = SEPARATOR;
  if (rev.sub >= 0 && rev.sub <= 0xffffffff) {
    // the usual case (sub counts the changes of one txn): no bigint for the sub part
    scratchView.setUint32(9, 0);
    scratchView.setUint32(13, rev.sub);
  } else {
    scratchView.setBigInt64(9, BigInt(rev.sub));
  }
}

/** The on-disk key of `rev` in a fresh Buffer (callers may keep it). */
export function revToBytes(rev: Revision, tombstone = false): Buffer {
  fillScratch(rev);
  const len = tombstone ? REV_BYTES_LEN + 1 : REV_BYTES_LEN;
  const out = Buffer.allocUnsafe(len);
  scratch.copy(out, 0, 0, REV_BYTES_LEN);
  if (tombstone) out[REV_BYTES_LEN] = MARK_TOMBSTONE;
  return out;
}

/**
 * The on-disk key of a live `rev` in a shared buffer that the next call overwrites: for a lookup
 * that copies the key at once (backend.get), never for a key that is kept.
 */
export function revKeyForLookup(rev: Revision): Buffer {
  fillScratch(rev);
  return scratch.subarray(0, REV_BYTES_LEN);
}

export function bytesToRev(b: Uint8Array): Revision {
  if (b.length < REV_BYTES_LEN) throw new Error(`mvcc: revision key too short (${b.length} bytes)`);
  const view = new DataView(b.buffer, b.byteOffset, REV_BYTES_LEN);
  const subHigh = view.getUint32(9);
  return { main: view.getBigInt64(0), sub: subHigh === 0 ? view.getUint32(13) : Number(view.getBigInt64(9)) };
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
