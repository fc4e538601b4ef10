// Errors of the v2 HTTP client, worded like etcd's Go client (go.etcd.io/etcd/client) so that
// tsetcdctl's `Error:  …` lines match etcdctl's.

/** An error body from the keys API: {"errorCode","message","cause","index"}. */
export class V2Error extends Error {
  override readonly name = 'V2Error';
  constructor(
    readonly errorCode: number,
    readonly errorMessage: string,
    override readonly cause: string,
    readonly index: bigint,
  ) {
    super(`${errorCode}: ${errorMessage} (${cause}) [${index}]`);
  }
}

/** Every endpoint failed; `errors` holds one error per endpoint tried. */
export class V2ClusterError extends Error {
  override readonly name = 'V2ClusterError';
  constructor(readonly errors: Error[]) {
    super(
      `client: etcd cluster is unavailable or misconfigured${errors.map((e, i) => `; error #${i}: ${e.message}\n`).join('')}`,
    );
  }
  /** One `error #i: …` line per endpoint, as etcdctl prints under the error. */
  detail(): string {
    return this.errors.map((e, i) => `error #${i}: ${e.message}\n`).join('');
  }
}

/** A connection could not be made or broke (refused, reset, DNS): worth trying the next endpoint. */
export class V2ConnectionError extends Error {
  override readonly name = 'V2ConnectionError';
}

/** No response headers within the per-request timeout. */
export class V2HeaderTimeoutError extends Error {
  override readonly name = 'V2HeaderTimeoutError';
  constructor(endpoint: string) {
    super(`client: endpoint ${endpoint} exceeded header timeout`);
  }
}

/** The caller's deadline (AbortSignal.timeout) or cancellation ended the request. */
export class V2AbortedError extends Error {
  override readonly name = 'V2AbortedError';
  constructor(readonly deadline: boolean) {
    super(deadline ? 'context deadline exceeded' : 'context canceled');
  }
}

/** The member answered 5xx (the Go client calls it "has no leader" for 500 and 503). */
export class V2ServerError extends Error {
  override readonly name = 'V2ServerError';
  constructor(
    endpoint: string,
    readonly statusCode: number,
  ) {
    super(
      statusCode === 500 || statusCode === 503
        ? `client: etcd member ${endpoint} has no leader`
        : `client: etcd member ${endpoint} returns server error [${statusText(statusCode)}]`,
    );
  }
}

/** A /v2/members answer with a status the operation does not expect. */
export class V2UnexpectedStatusError extends Error {
  override readonly name = 'V2UnexpectedStatusError';
  constructor(readonly statusCode: number) {
    super(`unexpected status code ${statusCode}`);
  }
}

/** A /v2/members error body {"message": …} (409 on add/update, 404 on update). */
export class V2MembersError extends Error {
  override readonly name = 'V2MembersError';
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}

export const INVALID_JSON_MESSAGE = 'client: response is invalid json. The endpoint is probably not valid etcd cluster endpoint';
export const NO_ENDPOINTS_MESSAGE = 'client: no endpoints available';

export class V2InvalidJsonError extends Error {
  override readonly name = 'V2InvalidJsonError';
  constructor() {
    super(INVALID_JSON_MESSAGE);
  }
}

export class V2NoEndpointsError extends Error {
  override readonly name = 'V2NoEndpointsError';
  constructor() {
    super(NO_ENDPOINTS_MESSAGE);
  }
}

/**
 * True when every underlying failure is a connection failure or a deadline (Go's
 * context.DeadlineExceeded is a net.Error timeout): etcdctl exits 2 for those.
 */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof V2ClusterError) return err.errors.every(isConnectionError);
  return err instanceof V2ConnectionError || (err instanceof V2AbortedError && err.deadline);
}

const STATUS_TEXT: Record<number, string> = {
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
};

function statusText(code: number): string {
  return STATUS_TEXT[code] ?? '';
}
