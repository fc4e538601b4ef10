// grpc-go's own rejection of an inbound message above the server's receive limit (etcd sets the
// limit to max-request-bytes + 512 KiB). Not an etcd error, but clients see it, so it is here.
import { EtcdError } from './etcd-error';
import { GrpcStatus } from './grpc-status';

const pattern = /^grpc: received message larger than max \((\d+) vs\. (\d+)\)$/;

export class ErrMessageTooLarge extends EtcdError {
  static readonly errorName = 'ErrMessageTooLarge';
  static readonly code = GrpcStatus.RESOURCE_EXHAUSTED;

  constructor(
    readonly receivedBytes: number,
    readonly limitBytes: number,
  ) {
    super(GrpcStatus.RESOURCE_EXHAUSTED, `grpc: received message larger than max (${receivedBytes} vs. ${limitBytes})`, 'ErrMessageTooLarge');
  }

  /** Parses grpc-go's text back into an error; undefined if the text is something else. */
  static fromMessage(message: string): ErrMessageTooLarge | undefined {
    const m = pattern.exec(message);
    if (m === null) return undefined;
    return new ErrMessageTooLarge(Number(m[1]), Number(m[2]));
  }
}
