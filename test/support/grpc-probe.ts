import { credentials, Client, Metadata, type ServiceError } from '@grpc/grpc-js';

// A hand-encoded etcdserverpb.RangeRequest{ key: "health", serializable: true } — what
// `etcdctl endpoint health` sends. Kept free of @tsetcd/api so process start-up works without it.
const HEALTH_RANGE_REQUEST = Buffer.from([0x0a, 0x06, ...Buffer.from('health'), 0x38, 0x01]);
const identity = (b: Buffer): Buffer => b;

/** Auth refusals mean the server answered (etcdctl endpoint health counts permission denied as healthy too). */
const AUTH_REFUSALS = /user name is empty|permission denied/;

/**
 * One KV.Range round trip on `endpoint` (host:port). Resolves true when the server answers (an OK
 * response, or an auth refusal when auth is enabled), false on any other error or after `timeoutMs`.
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
        resolve(err === null || AUTH_REFUSALS.test(err.details));
      },
    );
  });
}
