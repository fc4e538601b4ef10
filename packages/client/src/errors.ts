// Client-side errors. Server statuses become @tsetcd/api's EtcdError classes (errorFromStatus);
// the classes below are conditions only the client can see.
import { EtcdError, GrpcStatus, errorFromStatus } from '@tsetcd/api';

/** A watch was cancelled because its start revision has been compacted away. */
export class WatchCompactedError extends Error {
  constructor(readonly compactRevision: bigint) {
    super(`watch: required revision ${compactRevision} has been compacted (compact revision ${compactRevision})`);
    this.name = 'WatchCompactedError';
  }
}

/** The server cancelled a watch for a reason other than compaction (cancel_reason as sent). */
export class WatchCanceledError extends Error {
  constructor(readonly reason: string) {
    super(reason === '' ? 'watch canceled by the server' : reason);
    this.name = 'WatchCanceledError';
  }
}

/** A kept-alive lease can no longer be assumed alive. */
export class LeaseLostError extends Error {
  constructor(
    readonly leaseId: bigint,
    readonly reason: 'expired' | 'deadline' | 'revoked' | 'closed',
  ) {
    super(`lease ${leaseId.toString(16)} lost: ${reason}`);
    this.name = 'LeaseLostError';
  }
}

export class ClientClosedError extends Error {
  constructor() {
    super('client is closed');
    this.name = 'ClientClosedError';
  }
}

/** The call's own deadline (timeoutMs) or signal ended it. */
export class CallAbortedError extends Error {
  constructor(readonly reason: 'timeout' | 'signal') {
    super(reason === 'timeout' ? 'call timed out' : 'call aborted by signal');
    this.name = reason === 'timeout' ? 'CallTimeoutError' : 'AbortError';
  }
}

/** No endpoint could be connected to within the dial timeout. */
export class NoEndpointError extends EtcdError {
  constructor(detail: string) {
    super(GrpcStatus.UNAVAILABLE, `there is no connection available: ${detail}`, 'NoEndpointError');
  }
}

export interface StatusLike {
  code: number;
  details?: string;
  message?: string;
}

/** A grpc-js ServiceError (or anything with code/details) as a typed EtcdError. */
export function toEtcdError(err: StatusLike): EtcdError {
  if (err instanceof EtcdError) return err;
  const details = err.details ?? err.message ?? '';
  return errorFromStatus(err.code, details);
}
