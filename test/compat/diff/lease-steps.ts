// Leases through the KV lens: grant (explicit ids), limits, attach, TimeToLive, revoke deleting
// the attached keys in one revision. Fresh store (revision 1). Lease ids chosen by the server
// differ legitimately and are masked (normalize masks every `ID`); explicit ids show up in
// KeyValue.lease, which is compared.
import { E } from './etcd-messages';
import { cmp, del, fails, leaseGrant, leaseLeases, leaseRevoke, leaseTimeToLive, opPut, opRange, put, range, Result, step, Target, txn, type Step } from './steps';

const LEASE = 100n;
const SHORT = 101n;
/** etcd's MaxLeaseTTL (9,000,000,000 s). */
const LEASE_TTL_MAX_SECONDS = 9_000_000_000n;

export const leaseSteps: readonly Step[] = [
  step('grant an explicit id', leaseGrant(LEASE, 600n)),
  fails('grant the same id again', leaseGrant(LEASE, 600n), 'etcdserver: lease already exists'),
  step('grant the maximum TTL', leaseGrant(102n, LEASE_TTL_MAX_SECONDS)),
  fails('grant above the maximum TTL', leaseGrant(103n, LEASE_TTL_MAX_SECONDS + 1n), 'etcdserver: too large lease TTL'),
  step('grant a TTL below the minimum (raised to it)', leaseGrant(SHORT, 1n)),
  step('revoke the short lease at once', leaseRevoke(SHORT)),
  step('grant with a server-chosen id', leaseGrant(0n, 300n)),
  step('put k1 with the lease', put('k1', 'a', { lease: LEASE })),
  step('put k2 with the lease', put('k2', 'b', { lease: LEASE })),
  step('put k3 without a lease', put('k3', 'c')),
  step('txn put k4 with the lease', txn({ success: [opPut('k4', 'd', { lease: LEASE })] })),
  step('keys carry the lease id', range('k', { end: 'l' })),
  step('txn compare LEASE equal to the lease', txn({ compare: [cmp('k1', Target.LEASE, Result.EQUAL, LEASE)], success: [opRange('k1')], failure: [opRange('k3')] })),
  step('txn compare LEASE greater than 0 over a range', txn({ compare: [cmp('k1', Target.LEASE, Result.GREATER, 0n, 'k3')], success: [opRange('k1', { end: 'k3', keysOnly: true })] })),
  step('txn compare LEASE on an unleased key', txn({ compare: [cmp('k3', Target.LEASE, Result.NOT_EQUAL, LEASE)] })),
  step('TimeToLive with keys', leaseTimeToLive(LEASE, true), { volatile: ['TTL'], unordered: ['keys'] }),
  step('TimeToLive without keys', leaseTimeToLive(LEASE, false), { volatile: ['TTL'] }),
  step('TimeToLive of an unknown lease (TTL -1, not an error)', leaseTimeToLive(999n, true)),
  step('Leases lists every live lease', leaseLeases(), { unordered: ['leases'] }),
  step('delete k2 (it leaves the lease)', del('k2')),
  step('revoke deletes the attached keys in one revision', leaseRevoke(LEASE)),
  step('only the unleased key is left', range('k', { end: 'l' })),
  fails('revoke the same lease again', leaseRevoke(LEASE), E.leaseNotFound),
  fails('revoke an unknown lease', leaseRevoke(999n), E.leaseNotFound),
  fails('put with the revoked lease', put('k5', 'e', { lease: LEASE }), E.leaseNotFound),
  step('TimeToLive of the revoked lease', leaseTimeToLive(LEASE, true)),
  step('re-grant the revoked id', leaseGrant(LEASE, 60n)),
  step('put with the lease', put('leased', 'v1', { lease: LEASE })),
  step('put ignore_lease keeps the lease', put('leased', 'v2', { ignoreLease: true, prevKv: true })),
  step('get the leased key (lease kept)', range('leased')),
  fails('put ignore_lease with a lease', put('leased', 'v3', { ignoreLease: true, lease: LEASE }), E.leaseProvided),
  step('put ignore_value + ignore_lease', put('leased', '', { ignoreValue: true, ignoreLease: true, prevKv: true })),
  step('put without a lease detaches it', put('leased', 'v4', { prevKv: true })),
  step('TimeToLive after the detach (no keys)', leaseTimeToLive(LEASE, true), { volatile: ['TTL'] }),
  step('revoke a lease with no keys', leaseRevoke(102n)),
];
