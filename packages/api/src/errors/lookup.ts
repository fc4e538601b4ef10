// Both directions of the table: message -> class (clients), error -> status (servers).
import { EtcdError } from './etcd-error';
import type { EtcdErrorClass } from './define-error';
import { GrpcStatus } from './grpc-status';
import { ErrMessageTooLarge } from './message-too-large';
import { etcdErrorClasses } from './table';

const byMessage: ReadonlyMap<string, EtcdErrorClass> = new Map(etcdErrorClasses.map((cls) => [cls.text, cls]));
const byName: ReadonlyMap<string, EtcdErrorClass> = new Map(etcdErrorClasses.map((cls) => [cls.errorName, cls]));

/** The error class whose exact wire message is `message`, if any. */
export function errorClassForMessage(message: string): EtcdErrorClass | undefined {
  return byMessage.get(message);
}

/** The error class with TS name `name` (e.g. "ErrKeyNotFound"), if any. */
export function errorClassForName(name: string): EtcdErrorClass | undefined {
  return byName.get(name);
}

/**
 * Client side: turn a received gRPC status into an error. Like Go's clientv3 (rpctypes.Error) the
 * message decides the class; a message not in the table gives a plain EtcdError with the received
 * code and message.
 */
export function errorFromStatus(code: GrpcStatus | number, message: string): EtcdError {
  const cls = byMessage.get(message);
  if (cls !== undefined) return new cls();
  const tooLarge = ErrMessageTooLarge.fromMessage(message);
  if (tooLarge !== undefined) return tooLarge;
  return new EtcdError(code as GrpcStatus, message);
}

/**
 * Server side: the status to send for anything thrown by a handler. EtcdErrors carry their own;
 * anything else is Unknown with its text, as grpc-go does for unmapped Go errors.
 */
export function toGrpcStatus(err: unknown): { code: GrpcStatus; message: string } {
  if (err instanceof EtcdError) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: GrpcStatus.UNKNOWN, message: err.message };
  return { code: GrpcStatus.UNKNOWN, message: String(err) };
}
