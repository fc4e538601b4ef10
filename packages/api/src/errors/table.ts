// etcd 3.4's error table: one class per error, with the exact message and the gRPC code that
// reaches the wire (shared/spec/v3-errors.md). Codes marked "Unknown" are errors etcd does not
// map to a status (so grpc-go sends code 2 with the raw text).
import { defineError } from './define-error';
import { GrpcStatus as S } from './grpc-status';

// ---- KV / MVCC ----
export const ErrEmptyKey = defineError('ErrEmptyKey', 'ErrGRPCEmptyKey', S.INVALID_ARGUMENT, 'etcdserver: key is not provided');
export const ErrKeyNotFound = defineError('ErrKeyNotFound', 'ErrGRPCKeyNotFound', S.INVALID_ARGUMENT, 'etcdserver: key not found');
export const ErrValueProvided = defineError('ErrValueProvided', 'ErrGRPCValueProvided', S.INVALID_ARGUMENT, 'etcdserver: value is provided');
export const ErrLeaseProvided = defineError('ErrLeaseProvided', 'ErrGRPCLeaseProvided', S.INVALID_ARGUMENT, 'etcdserver: lease is provided');
export const ErrTooManyOps = defineError('ErrTooManyOps', 'ErrGRPCTooManyOps', S.INVALID_ARGUMENT, 'etcdserver: too many operations in txn request');
export const ErrDuplicateKey = defineError('ErrDuplicateKey', 'ErrGRPCDuplicateKey', S.INVALID_ARGUMENT, 'etcdserver: duplicate key given in txn request');
export const ErrCompacted = defineError('ErrCompacted', 'ErrGRPCCompacted', S.OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted');
export const ErrFutureRev = defineError('ErrFutureRev', 'ErrGRPCFutureRev', S.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision');
export const ErrNoSpace = defineError('ErrNoSpace', 'ErrGRPCNoSpace', S.RESOURCE_EXHAUSTED, 'etcdserver: mvcc: database space exceeded');
export const ErrRequestTooLarge = defineError('ErrRequestTooLarge', 'ErrGRPCRequestTooLarge', S.INVALID_ARGUMENT, 'etcdserver: request is too large');
/** Unknown on the wire: etcd maps it to a non-status error (rpctypes.ErrTooManyRequests). */
export const ErrTooManyRequests = defineError('ErrTooManyRequests', 'ErrTooManyRequests', S.UNKNOWN, 'etcdserver: too many requests');
export const ErrCorrupt = defineError('ErrCorrupt', 'ErrGRPCCorrupt', S.DATA_LOSS, 'etcdserver: corrupt cluster');

// ---- Lease ----
export const ErrLeaseNotFound = defineError('ErrLeaseNotFound', 'ErrGRPCLeaseNotFound', S.NOT_FOUND, 'etcdserver: requested lease not found');
export const ErrLeaseExist = defineError('ErrLeaseExist', 'ErrGRPCLeaseExist', S.FAILED_PRECONDITION, 'etcdserver: lease already exists');
export const ErrLeaseTTLTooLarge = defineError('ErrLeaseTTLTooLarge', 'ErrGRPCLeaseTTLTooLarge', S.OUT_OF_RANGE, 'etcdserver: too large lease TTL');

// ---- Watch ----
export const ErrWatchCanceled = defineError('ErrWatchCanceled', 'ErrGRPCWatchCanceled', S.CANCELLED, 'etcdserver: watch canceled');

// ---- Cluster / membership ----
export const ErrMemberExist = defineError('ErrMemberExist', 'ErrGRPCMemberExist', S.FAILED_PRECONDITION, 'etcdserver: member ID already exist');
export const ErrPeerURLExist = defineError('ErrPeerURLExist', 'ErrGRPCPeerURLExist', S.FAILED_PRECONDITION, 'etcdserver: Peer URLs already exists');
/** Unknown on the wire (same quirk as ErrTooManyRequests). */
export const ErrMemberNotEnoughStarted = defineError('ErrMemberNotEnoughStarted', 'ErrMemberNotEnoughStarted', S.UNKNOWN, 'etcdserver: re-configuration failed due to not enough started members');
export const ErrMemberBadURLs = defineError('ErrMemberBadURLs', 'ErrGRPCMemberBadURLs', S.INVALID_ARGUMENT, 'etcdserver: given member URLs are invalid');
export const ErrMemberNotFound = defineError('ErrMemberNotFound', 'ErrGRPCMemberNotFound', S.NOT_FOUND, 'etcdserver: member not found');
export const ErrMemberNotLearner = defineError('ErrMemberNotLearner', 'ErrGRPCMemberNotLearner', S.FAILED_PRECONDITION, 'etcdserver: can only promote a learner member');
export const ErrLearnerNotReady = defineError('ErrLearnerNotReady', 'ErrGRPCLearnerNotReady', S.FAILED_PRECONDITION, 'etcdserver: can only promote a learner member which is in sync with leader');
export const ErrTooManyLearners = defineError('ErrTooManyLearners', 'ErrGRPCTooManyLearners', S.FAILED_PRECONDITION, 'etcdserver: too many learner members in cluster');
export const ErrNotSupportedForLearner = defineError('ErrNotSupportedForLearner', 'ErrGPRCNotSupportedForLearner', S.UNAVAILABLE, 'etcdserver: rpc not supported for learner');
export const ErrNotLeader = defineError('ErrNotLeader', 'ErrGRPCNotLeader', S.FAILED_PRECONDITION, 'etcdserver: not leader');
export const ErrBadLeaderTransferee = defineError('ErrBadLeaderTransferee', 'ErrGRPCBadLeaderTransferee', S.FAILED_PRECONDITION, 'etcdserver: bad leader transferee');

// ---- Auth ----
export const ErrRootUserNotExist = defineError('ErrRootUserNotExist', 'ErrGRPCRootUserNotExist', S.FAILED_PRECONDITION, 'etcdserver: root user does not exist');
export const ErrRootRoleNotExist = defineError('ErrRootRoleNotExist', 'ErrGRPCRootRoleNotExist', S.FAILED_PRECONDITION, 'etcdserver: root user does not have root role');
export const ErrUserAlreadyExist = defineError('ErrUserAlreadyExist', 'ErrGRPCUserAlreadyExist', S.FAILED_PRECONDITION, 'etcdserver: user name already exists');
export const ErrUserEmpty = defineError('ErrUserEmpty', 'ErrGRPCUserEmpty', S.INVALID_ARGUMENT, 'etcdserver: user name is empty');
export const ErrUserNotFound = defineError('ErrUserNotFound', 'ErrGRPCUserNotFound', S.FAILED_PRECONDITION, 'etcdserver: user name not found');
export const ErrRoleAlreadyExist = defineError('ErrRoleAlreadyExist', 'ErrGRPCRoleAlreadyExist', S.FAILED_PRECONDITION, 'etcdserver: role name already exists');
export const ErrRoleNotFound = defineError('ErrRoleNotFound', 'ErrGRPCRoleNotFound', S.FAILED_PRECONDITION, 'etcdserver: role name not found');
export const ErrRoleEmpty = defineError('ErrRoleEmpty', 'ErrGRPCRoleEmpty', S.INVALID_ARGUMENT, 'etcdserver: role name is empty');
export const ErrAuthFailed = defineError('ErrAuthFailed', 'ErrGRPCAuthFailed', S.INVALID_ARGUMENT, 'etcdserver: authentication failed, invalid user ID or password');
export const ErrPermissionDenied = defineError('ErrPermissionDenied', 'ErrGRPCPermissionDenied', S.PERMISSION_DENIED, 'etcdserver: permission denied');
export const ErrRoleNotGranted = defineError('ErrRoleNotGranted', 'ErrGRPCRoleNotGranted', S.FAILED_PRECONDITION, 'etcdserver: role is not granted to the user');
export const ErrPermissionNotGranted = defineError('ErrPermissionNotGranted', 'ErrGRPCPermissionNotGranted', S.FAILED_PRECONDITION, 'etcdserver: permission is not granted to the role');
export const ErrAuthNotEnabled = defineError('ErrAuthNotEnabled', 'ErrGRPCAuthNotEnabled', S.FAILED_PRECONDITION, 'etcdserver: authentication is not enabled');
export const ErrInvalidAuthToken = defineError('ErrInvalidAuthToken', 'ErrGRPCInvalidAuthToken', S.UNAUTHENTICATED, 'etcdserver: invalid auth token');
export const ErrInvalidAuthMgmt = defineError('ErrInvalidAuthMgmt', 'ErrGRPCInvalidAuthMgmt', S.INVALID_ARGUMENT, 'etcdserver: invalid auth management');
export const ErrAuthOldRevision = defineError('ErrAuthOldRevision', 'ErrGRPCAuthOldRevision', S.INVALID_ARGUMENT, 'etcdserver: revision of auth store is old');
// Admin checks of Defragment/Snapshot/Hash/HashKV and the no-password Authenticate path return
// the auth package's raw errors, which etcd does not map: Unknown with the `auth: ` text.
export const ErrAuthRawPermissionDenied = defineError('ErrAuthRawPermissionDenied', 'auth.ErrPermissionDenied', S.UNKNOWN, 'auth: permission denied');
export const ErrAuthRawUserEmpty = defineError('ErrAuthRawUserEmpty', 'auth.ErrUserEmpty', S.UNKNOWN, 'auth: user name is empty');
export const ErrAuthRawUserNotFound = defineError('ErrAuthRawUserNotFound', 'auth.ErrUserNotFound', S.UNKNOWN, 'auth: user not found');
export const ErrAuthNoPasswordUser = defineError('ErrAuthNoPasswordUser', 'auth.ErrNoPasswordUser', S.UNKNOWN, 'auth: authentication failed, password was given for no password user');

// ---- Availability / raft ----
export const ErrNoLeader = defineError('ErrNoLeader', 'ErrGRPCNoLeader', S.UNAVAILABLE, 'etcdserver: no leader');
export const ErrLeaderChanged = defineError('ErrLeaderChanged', 'ErrGRPCLeaderChanged', S.UNAVAILABLE, 'etcdserver: leader changed');
export const ErrNotCapable = defineError('ErrNotCapable', 'ErrGRPCNotCapable', S.UNAVAILABLE, 'etcdserver: not capable');
export const ErrStopped = defineError('ErrStopped', 'ErrGRPCStopped', S.UNAVAILABLE, 'etcdserver: server stopped');
export const ErrTimeout = defineError('ErrTimeout', 'ErrGRPCTimeout', S.UNAVAILABLE, 'etcdserver: request timed out');
export const ErrTimeoutDueToLeaderFail = defineError('ErrTimeoutDueToLeaderFail', 'ErrGRPCTimeoutDueToLeaderFail', S.UNAVAILABLE, 'etcdserver: request timed out, possibly due to previous leader failure');
export const ErrTimeoutDueToConnectionLost = defineError('ErrTimeoutDueToConnectionLost', 'ErrGRPCTimeoutDueToConnectionLost', S.UNAVAILABLE, 'etcdserver: request timed out, possibly due to connection lost');
export const ErrTimeoutWaitAppliedIndex = defineError('ErrTimeoutWaitAppliedIndex', 'ErrGRPCTimeoutWaitAppliedIndex', S.UNAVAILABLE, 'etcdserver: request timed out, waiting for the applied index took too long');
export const ErrUnhealthy = defineError('ErrUnhealthy', 'ErrGRPCUnhealthy', S.UNAVAILABLE, 'etcdserver: unhealthy cluster');
/** Unknown on the wire: the proposal's context was cancelled (etcdserver.ErrCanceled). */
export const ErrRequestCancelled = defineError('ErrRequestCancelled', 'etcdserver.ErrCanceled', S.UNKNOWN, 'etcdserver: request cancelled');

// ---- Election (v3electionpb); unmapped in etcd, so Unknown ----
export const ErrElectionNoLeader = defineError('ErrElectionNoLeader', 'concurrency.ErrElectionNoLeader', S.UNKNOWN, 'election: no leader');
export const ErrElectionNotLeader = defineError('ErrElectionNotLeader', 'concurrency.ErrElectionNotLeader', S.UNKNOWN, 'election: not leader');
export const ErrMissingLeaderKey = defineError('ErrMissingLeaderKey', 'v3election.ErrMissingLeaderKey', S.UNKNOWN, '"leader" field must be provided');

/** Every fixed-message error above, in table order. */
export const etcdErrorClasses = [
  ErrEmptyKey, ErrKeyNotFound, ErrValueProvided, ErrLeaseProvided, ErrTooManyOps, ErrDuplicateKey,
  ErrCompacted, ErrFutureRev, ErrNoSpace, ErrRequestTooLarge, ErrTooManyRequests, ErrCorrupt,
  ErrLeaseNotFound, ErrLeaseExist, ErrLeaseTTLTooLarge,
  ErrWatchCanceled,
  ErrMemberExist, ErrPeerURLExist, ErrMemberNotEnoughStarted, ErrMemberBadURLs, ErrMemberNotFound,
  ErrMemberNotLearner, ErrLearnerNotReady, ErrTooManyLearners, ErrNotSupportedForLearner, ErrNotLeader,
  ErrBadLeaderTransferee,
  ErrRootUserNotExist, ErrRootRoleNotExist, ErrUserAlreadyExist, ErrUserEmpty, ErrUserNotFound,
  ErrRoleAlreadyExist, ErrRoleNotFound, ErrRoleEmpty, ErrAuthFailed, ErrPermissionDenied, ErrRoleNotGranted,
  ErrPermissionNotGranted, ErrAuthNotEnabled, ErrInvalidAuthToken, ErrInvalidAuthMgmt, ErrAuthOldRevision,
  ErrAuthRawPermissionDenied, ErrAuthRawUserEmpty, ErrAuthRawUserNotFound, ErrAuthNoPasswordUser,
  ErrNoLeader, ErrLeaderChanged, ErrNotCapable, ErrStopped, ErrTimeout, ErrTimeoutDueToLeaderFail,
  ErrTimeoutDueToConnectionLost, ErrTimeoutWaitAppliedIndex, ErrUnhealthy, ErrRequestCancelled,
  ErrElectionNoLeader, ErrElectionNotLeader, ErrMissingLeaderKey,
] as const;
