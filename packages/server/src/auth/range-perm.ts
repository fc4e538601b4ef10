// Which key ranges a user may read / write: the union of its roles' permissions as merged
// half-open intervals (etcd's range_perm_cache). A single-key permission k is [k, k+"\0"); a
// range end of "\0" means "to the end of the keyspace".

import { authpb } from '@tsetcd/api';

const PermType = authpb.Permission_Type;

/** [begin, end); end undefined = unbounded. */
interface Interval {
  readonly begin: Uint8Array;
  readonly end: Uint8Array | undefined;
}

export interface UserPerms {
  readonly read: readonly Interval[];
  readonly write: readonly Interval[];
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** end a < end b, with undefined = +infinity. */
function compareEnd(a: Uint8Array | undefined, b: Uint8Array | undefined): number {
  if (a === undefined) return b === undefined ? 0 : 1;
  if (b === undefined) return -1;
  return compareBytes(a, b);
}

function isOpenEnd(rangeEnd: Uint8Array): boolean {
  return rangeEnd.length === 1 && rangeEnd[0] === 0;
}

/** The interval a permission (or a request) over key / rangeEnd covers. */
export function toInterval(key: Uint8Array, rangeEnd: Uint8Array): Interval {
  if (rangeEnd.length === 0) {
    const end = new Uint8Array(key.length + 1);
    end.set(key);
    return { begin: key, end };
  }
  return { begin: key, end: isOpenEnd(rangeEnd) ? undefined : rangeEnd };
}

/** Sorts and merges overlapping or touching intervals. */
export function mergeIntervals(list: Interval[]): Interval[] {
  const sorted = list.filter((i) => i.end === undefined || compareBytes(i.begin, i.end) < 0).sort((a, b) => compareBytes(a.begin, b.begin));
  const out: Interval[] = [];
  for (const ivl of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && (last.end === undefined || compareBytes(ivl.begin, last.end) <= 0)) {
      if (compareEnd(ivl.end, last.end) > 0) out[out.length - 1] = { begin: last.begin, end: ivl.end };
      continue;
    }
    out.push(ivl);
  }
  return out;
}

export function buildUserPerms(roles: readonly authpb.Role[]): UserPerms {
  const read: Interval[] = [];
  const write: Interval[] = [];
  for (const role of roles) {
    for (const perm of role.keyPermission) {
      const ivl = toInterval(perm.key, perm.rangeEnd);
      if (perm.permType === PermType.READ || perm.permType === PermType.READWRITE) read.push(ivl);
      if (perm.permType === PermType.WRITE || perm.permType === PermType.READWRITE) write.push(ivl);
    }
  }
  return { read: mergeIntervals(read), write: mergeIntervals(write) };
}

/** Whether the merged intervals cover all of [key, rangeEnd) (or the single key). */
export function covers(merged: readonly Interval[], key: Uint8Array, rangeEnd: Uint8Array): boolean {
  const want = toInterval(key, rangeEnd);
  // The last merged interval starting at or before the wanted begin is the only candidate.
  let lo = 0;
  let hi = merged.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (compareBytes(merged[mid]!.begin, want.begin) <= 0) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (found < 0) return false;
  return compareEnd(merged[found]!.end, want.end) >= 0;
}

export function isRangeOpPermitted(perms: UserPerms, key: Uint8Array, rangeEnd: Uint8Array, type: authpb.Permission_Type): boolean {
  switch (type) {
    case PermType.READ:
      return covers(perms.read, key, rangeEnd);
    case PermType.WRITE:
      return covers(perms.write, key, rangeEnd);
    default:
      return covers(perms.read, key, rangeEnd) && covers(perms.write, key, rangeEnd);
  }
}
