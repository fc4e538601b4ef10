export { GrpcStatus, grpcStatusName, isGrpcStatus } from './grpc-status';
export { EtcdError, isEtcdError, grpcErrorText } from './etcd-error';
export { defineError } from './define-error';
export type { EtcdErrorClass } from './define-error';
export * from './table';
export { ErrMessageTooLarge } from './message-too-large';
export { WatchCancelReason, watchCancelReasonFor } from './watch-cancel-reason';
export { errorFromStatus, errorClassForMessage, errorClassForName, toGrpcStatus } from './lookup';
