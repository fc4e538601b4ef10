// RequestContext of one gRPC call. The AbortController is created only when a handler reads
// `signal`, so calls that never look at it (most unary ones) do not pay for it.

import type { IncomingHttpHeaders } from 'node:http2';
import type { RequestContext } from '../../etcdserver/server-api';

export class CallContext implements RequestContext {
  readonly authToken?: string;
  readonly requireLeader?: boolean;
  private controller: AbortController | undefined;
  private reason: unknown;
  private aborted = false;

  constructor(headers: IncomingHttpHeaders) {
    const token = headers.token ?? headers.authorization;
    if (typeof token === 'string' && token !== '') this.authToken = token;
    if (headers.hasleader === 'true') this.requireLeader = true;
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  get isAborted(): boolean {
    return this.aborted;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}
