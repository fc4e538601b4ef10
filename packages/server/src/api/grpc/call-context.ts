// RequestContext of one gRPC call. The AbortController is created only when a handler reads
// `signal`, so calls that never look at it (most unary ones) do not pay for it; onAbort() is the
// cheaper way to hear about a cancelled call (a callback in a Set, no AbortController/EventTarget).

import type { IncomingHttpHeaders } from 'node:http2';
import type { RequestContext } from '../../etcdserver/server-api';

export class CallContext implements RequestContext {
  readonly authToken?: string;
  readonly requireLeader?: boolean;
  private controller: AbortController | undefined;
  private reason: unknown;
  private aborted = false;
  private listeners: Set<(reason: unknown) => void> | undefined;

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

  /**
   * Runs `listener` once when the call is aborted (client cancel, deadline, connection loss), at
   * once if it already was. Returns the function that unregisters it.
   */
  onAbort(listener: (reason: unknown) => void): () => void {
    if (this.aborted) {
      listener(this.reason);
      return noop;
    }
    const listeners = (this.listeners ??= new Set());
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener(reason);
    this.controller?.abort(reason);
  }
}

function noop(): void {}
