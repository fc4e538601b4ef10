// etcd-style unique ids for requests and leases (etcd pkg/idutil).
//
// Layout of a 64-bit id:  [ 16 bits: low bits of the member id | 40 bits: unix ms at start | 8 bits: counter ]
// The low 48 bits (timestamp + counter) are one counter incremented per id, so ids stay unique
// across restarts as long as a member does not issue more than 256 ids per millisecond on average
// over its lifetime (the same assumption etcd makes).

const TIMESTAMP_BITS = 40n;
const COUNTER_BITS = 8n;
const SUFFIX_BITS = TIMESTAMP_BITS + COUNTER_BITS;
const SUFFIX_MASK = (1n << SUFFIX_BITS) - 1n;
const TIMESTAMP_MASK = (1n << TIMESTAMP_BITS) - 1n;
const PREFIX_MASK = (1n << 16n) - 1n;
const UINT64_MASK = (1n << 64n) - 1n;

export class IdGenerator {
  private readonly prefix: bigint;
  private suffix: bigint;

  /**
   * @param memberId the member's id; only its low 16 bits are used (as etcd does).
   * @param nowUnixMs wall-clock milliseconds when the generator is created.
   */
  constructor(memberId: bigint, nowUnixMs: number) {
    if (memberId < 0n || memberId > UINT64_MASK) throw new RangeError(`member id out of uint64 range: ${memberId}`);
    if (!Number.isSafeInteger(nowUnixMs) || nowUnixMs < 0) throw new RangeError(`bad timestamp: ${nowUnixMs}`);
    this.prefix = (memberId & PREFIX_MASK) << SUFFIX_BITS;
    this.suffix = (BigInt(nowUnixMs) & TIMESTAMP_MASK) << COUNTER_BITS;
  }

  /** The next id; never 0 in practice and never repeated by this generator. */
  next(): bigint {
    this.suffix = (this.suffix + 1n) & SUFFIX_MASK;
    const id = this.prefix | this.suffix;
    if (id > UINT64_MASK) throw new Error('id generator overflow');
    return id;
  }
}
