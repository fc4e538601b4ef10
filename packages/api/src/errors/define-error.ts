// Builds one EtcdError subclass per table row, so `err instanceof ErrKeyNotFound` works and the
// row's code/message are available on the class itself (for servers) and on instances.
import { EtcdError } from './etcd-error';
import type { GrpcStatus } from './grpc-status';

export interface EtcdErrorClass {
  new (): EtcdError;
  readonly prototype: EtcdError;
  /** Our TS name, e.g. "ErrKeyNotFound" (also each instance's `name`). */
  readonly errorName: string;
  /** etcd's Go name (rpctypes.ErrGRPC..., or the server-side error for unmapped ones). */
  readonly goName: string;
  /** gRPC status code on the wire. */
  readonly code: GrpcStatus;
  /** Exact message on the wire. */
  readonly text: string;
}

export function defineError(errorName: string, goName: string, code: GrpcStatus, text: string): EtcdErrorClass {
  const cls = class extends EtcdError {
    static readonly errorName = errorName;
    static readonly goName = goName;
    static readonly code = code;
    static readonly text = text;
    constructor() {
      super(code, text, errorName);
    }
  };
  Object.defineProperty(cls, 'name', { value: errorName });
  return cls;
}
