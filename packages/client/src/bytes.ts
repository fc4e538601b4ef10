// Keys and values cross the API as string (UTF-8) or bytes; on the wire they are always bytes.

export type Bytes = string | Uint8Array;

/** The wire form of a key or value (UTF-8 for strings; bytes are wrapped without copying). */
export function toBuffer(input: Bytes): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  if (Buffer.isBuffer(input)) return input;
  return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

/** etcd's "\0" range end: every key >= key. */
export const ALL_KEYS_FROM = Buffer.from([0]);

/**
 * The smallest key greater than every key starting with `prefix` (clientv3.GetPrefixRangeEnd):
 * increment the last byte below 0xff, dropping trailing 0xff bytes; all-0xff (or empty) gives "\0",
 * which etcd reads as "to the end of the keyspace".
 */
export function prefixEnd(prefix: Bytes): Buffer {
  const key = toBuffer(prefix);
  for (let i = key.length - 1; i >= 0; i--) {
    const byte = key[i] as number;
    if (byte < 0xff) {
      const end = Buffer.from(key.subarray(0, i + 1));
      end[i] = byte + 1;
      return end;
    }
  }
  return Buffer.from(ALL_KEYS_FROM);
}
