// The base class of every error that crosses the wire as a gRPC status.
import { GrpcStatus, grpcStatusName } from './grpc-status';

export class EtcdError extends Error {
  /** gRPC status code sent on the wire. */
  readonly code: GrpcStatus;

  constructor(code: GrpcStatus, message: string, name = 'EtcdError') {
    super(message);
    this.code = code;
    this.name = name;
  }

  /** The text grpc-go prints for this status: `rpc error: code = <Name> desc = <message>`. */
  toGrpcErrorText(): string {
    return grpcErrorText(this.code, this.message);
  }
}

export function isEtcdError(err: unknown): err is EtcdError {
  return err instanceof EtcdError;
}

/**
 * grpc-go's status error string. etcd puts it verbatim in a watch's `cancel_reason` when the auth
 * check of a watch create fails, e.g. `rpc error: code = PermissionDenied desc = etcdserver: permission denied`.
 */
export function grpcErrorText(code: GrpcStatus, message: string): string {
  return `rpc error: code = ${grpcStatusName(code)} desc = ${message}`;
}
