// etcd's bucket names (bbolt buckets there, named LMDB databases here) and the meta keys we own.

export const BUCKETS = [
  'key',
  'meta',
  'lease',
  'auth',
  'authUsers',
  'authRoles',
  'members',
  'members_removed',
  'alarm',
  'cluster',
] as const;

export type BucketName = (typeof BUCKETS)[number];

const utf8 = new TextEncoder();

/** meta/consistent_index: 8-byte big-endian index of the last applied raft entry. */
export const META_CONSISTENT_INDEX = utf8.encode('consistent_index');
/** meta/scheduledCompactRev: the 17-byte revision a compaction was scheduled at. */
export const META_SCHEDULED_COMPACT_REV = utf8.encode('scheduledCompactRev');
/** meta/finishedCompactRev: the 17-byte revision of the last finished compaction. */
export const META_FINISHED_COMPACT_REV = utf8.encode('finishedCompactRev');
