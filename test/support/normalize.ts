/**
 * Turning two servers' decoded responses into values that compare equal when the servers agree.
 *
 * normalize(): bytes become readable strings (printable ASCII as is, other bytes as \xNN),
 * bigints become numbers (strings beyond 2^53), and the fields that legitimately differ between
 * two clusters (ids, terms, raft indexes, sizes, hashes, versions, URLs) become '<set>' when
 * non-zero/non-empty, so "present vs absent" still compares.
 * shapeOf(): every leaf becomes its type, or 'unset' when it holds the proto3 default — for
 * comparing which fields a server fills in (Status, HashKV, MemberList) without their values.
 */

/** Field names (ts-proto camelCase) whose values differ legitimately between two servers. */
export const VOLATILE_FIELDS: ReadonlySet<string> = new Set([
  'clusterId',
  'memberId',
  'raftTerm',
  'raftIndex',
  'raftAppliedIndex',
  'leader',
  'dbSize',
  'dbSizeInUse',
  'ID',
  'memberID',
  'hash',
  'version', // only the string one (StatusResponse.version), never KeyValue.version, see isMasked
  'peerURLs',
  'clientURLs',
  'name',
  'blob',
  'remainingBytes',
  'checksum',
]);

export const SET = '<set>';

export type Normalized = null | boolean | number | string | Normalized[] | { [key: string]: Normalized };

export interface NormalizeOptions {
  /** Field names to mask in addition to (or, with replaceDefaults, instead of) VOLATILE_FIELDS. */
  volatile?: Iterable<string>;
  replaceDefaults?: boolean;
}

function isDefault(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (value === 0 || value === 0n || value === false || value === '') return true;
  if (value instanceof Uint8Array) return value.length === 0;
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

function isMasked(masked: ReadonlySet<string>, key: string, field: unknown): boolean {
  if (!masked.has(key)) return false;
  return key !== 'version' || typeof field === 'string';
}

/** Bytes as text: printable ASCII kept, everything else (and backslash) as \xNN. */
export function bytesToText(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    out += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** The readable form without masking anything. */
export function toPlain(value: unknown): Normalized {
  return walk(value, new Set());
}

export function normalize(value: unknown, options: NormalizeOptions = {}): Normalized {
  const masked = new Set(options.replaceDefaults ? [] : VOLATILE_FIELDS);
  for (const name of options.volatile ?? []) masked.add(name);
  return walk(value, masked);
}

function walk(value: unknown, masked: ReadonlySet<string>): Normalized {
  if (value === undefined || value === null) return null;
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  if (value instanceof Uint8Array) return bytesToText(value);
  if (Array.isArray(value)) return value.map((item) => walk(item, masked));
  if (typeof value === 'object') {
    const out: { [key: string]: Normalized } = {};
    for (const key of Object.keys(value).sort()) {
      const field = (value as Record<string, unknown>)[key];
      if (field === undefined) continue; // an unset oneof member
      out[key] = isMasked(masked, key, field) ? (isDefault(field) ? walk(field, masked) : SET) : walk(field, masked);
    }
    return out;
  }
  return String(value);
}

/** Which fields are filled in, and with what type: values replaced by their type or 'unset'. */
export function shapeOf(value: unknown): Normalized {
  if (isDefault(value)) return 'unset';
  if (value instanceof Uint8Array) return 'bytes';
  if (Array.isArray(value)) return value.map((item) => shapeOf(item));
  if (typeof value === 'object' && value !== null) {
    const out: { [key: string]: Normalized } = {};
    for (const key of Object.keys(value).sort()) {
      const field = (value as Record<string, unknown>)[key];
      if (field === undefined) continue;
      out[key] = shapeOf(field);
    }
    return out;
  }
  return typeof value;
}
