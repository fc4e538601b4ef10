import { credentials, Client, Metadata, type ServiceError } from '@grpc/grpc-js';

// A hand-encoded etcdserverpb.RangeRequest{ key: "health", serializable: true } — what
// `etcdctl endpoint health` sends. Kept free of @tsetcd/api so process start-up works without it.
const HEALTH_RANGE_REQUEST = Buffer.from([0x0a, 0x06, ...Buffer.from('health'), 0x38, 0x01]);
const identity = (b: Buffer): Buffer => b;

/**
 * One KV.Range round trip on `endpoint` (host:port). Resolves true when the server answers
 * (any OK response), false on any error or after `timeoutMs`.
 */
export function probeRange(endpoint: string, timeoutMs: number): Promise<boolean> {
  const client = new Client(endpoint, credentials.createInsecure());
  return new Promise<boolean>((resolve) => {
    client.makeUnaryRequest<Buffer, Buffer>(
      '/etcdserverpb.KV/Range',
      identity,
      identity,
      HEALTH_RANGE_REQUEST,
      new Metadata(),
      { deadline: Date.now() + timeoutMs },
      (err: ServiceError | null) => {
        client.close();
        resolve(err === null);
      },
    );
  });
}
