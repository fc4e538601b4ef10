// How a view maps its keys onto the server's keyspace. The root view is the identity; a namespace
// prepends its prefix on the way out and strips it on the way back (clientv3/namespace).
import { ALL_KEYS_FROM, prefixEnd, toBuffer, type Bytes } from './bytes';

export interface KeyMapper {
  readonly prefix: Buffer;
  /** A key as the server sees it. */
  toServerKey(key: Buffer): Buffer;
  /** A range end as the server sees it: empty stays empty (single key), "\0" means to the end of the namespace. */
  toServerEnd(end: Buffer): Buffer;
  /** A key the server returned, as the view sees it. */
  fromServerKey(key: Buffer): Buffer;
  /** Whether a server key belongs to this view (lease key lists are filtered by it). */
  owns(key: Buffer): boolean;
}

export const IDENTITY_MAPPER: KeyMapper = {
  prefix: Buffer.alloc(0),
  toServerKey: (key) => key,
  toServerEnd: (end) => end,
  fromServerKey: (key) => key,
  owns: () => true,
};

export function prefixMapper(prefix: Bytes, parent: KeyMapper = IDENTITY_MAPPER): KeyMapper {
  const own = toBuffer(prefix);
  const full = Buffer.concat([parent.prefix, own]);
  if (full.length === 0) return parent;
  const end = prefixEnd(full);
  return {
    prefix: full,
    toServerKey: (key) => Buffer.concat([full, key]),
    toServerEnd: (rangeEnd) => {
      if (rangeEnd.length === 0) return rangeEnd;
      if (rangeEnd.equals(ALL_KEYS_FROM)) return end;
      return Buffer.concat([full, rangeEnd]);
    },
    fromServerKey: (key) => (key.subarray(0, full.length).equals(full) ? key.subarray(full.length) : key),
    owns: (key) => key.length >= full.length && key.subarray(0, full.length).equals(full),
  };
}
