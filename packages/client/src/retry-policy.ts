// Which failed unary calls may be sent again (clientv3/retry.go's rules): reads whenever the
// failure is UNAVAILABLE; writes only when the request certainly never reached a server.
import { GrpcStatus } from '@tsetcd/api';
import type { StatusLike } from './errors';

export type Idempotency = 'read' | 'write';

/** grpc-js texts for a call that failed before any stream was opened on a connection. */
const NEVER_SENT_PATTERNS = [
  /No connection established/i,
  /ECONNREFUSED/,
  /connect EHOSTUNREACH/,
  /connect ENETUNREACH/,
  /Name resolution failed/i,
  /there is no connection available/,
  /there is no address available/,
];

/** The call failed before the request left the client (safe to resend even a write). */
export function neverReachedServer(err: StatusLike): boolean {
  if (err.code !== GrpcStatus.UNAVAILABLE) return false;
  const text = err.details ?? err.message ?? '';
  return NEVER_SENT_PATTERNS.some((pattern) => pattern.test(text));
}

/** The endpoint looks down or unusable: try the next one. */
export function shouldRotateEndpoint(err: StatusLike): boolean {
  return err.code === GrpcStatus.UNAVAILABLE;
}

export function isSafeToRetry(kind: Idempotency, err: StatusLike): boolean {
  if (kind === 'read') return err.code === GrpcStatus.UNAVAILABLE;
  return neverReachedServer(err);
}
