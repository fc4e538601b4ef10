// etcdserverpb.Watch/Watch: one bidi stream carrying many watchers (etcd's v3rpc/watch.go).
// Requests create / cancel / ask for progress; responses come out in one order: a watcher's
// created response before any of its events. The same function serves the JSON gateway's
// /v3/watch (streamed JSON and websocket) through a StreamCall adapter.

import {
  ErrNoLeader,
  GrpcStatus,
  RangeRequest,
  toGrpcStatus,
  WatchDefinition,
  WatchResponse,
  WatchCreateRequest_FilterType,
  type Event,
  type WatchCreateRequest,
  type WatchRequest,
} from '@tsetcd/api';
import type { RequestContext } from '../../etcdserver/server-api';
import type { WatchServer } from '../../etcdserver/watch-server';
import { GRPC_OVERHEAD_BYTES, NO_LEADER_CHECKS_MAX } from '../../watch/limits';
import { WatchFilter, type WatchResult } from '../../watch/watcher';
import { WatchStream, WatchStreamError } from '../../watch/watch-stream';
import type { GrpcServer } from './server';
import type { StreamCall } from './types';

/** Watch id of responses not tied to one watcher (failed creates, progress broadcasts). */
export const INVALID_WATCH_ID = -1n;

/** Throws when the caller may not read [key, rangeEnd) (etcd's isWatchPermitted). */
export type WatchPermission = (key: Buffer, rangeEnd: Buffer, ctx: RequestContext) => void;

export function registerWatchService(
  server: GrpcServer,
  member: { readonly watchServer?: WatchServer | undefined; readonly auth?: object | undefined },
): void {
  const ws = member.watchServer;
  if (ws === undefined) return;
  // The member's auth checks a Range's permission (MemberAuth.checkRange); a watch needs the same.
  const auth = member.auth as { checkRange?: (req: RangeRequest, ctx: RequestContext) => void } | undefined;
  const checkRange = auth?.checkRange?.bind(auth);
  const permit: WatchPermission | undefined = checkRange === undefined ? undefined : (key, rangeEnd, ctx) => checkRange(RangeRequest.fromPartial({ key, rangeEnd }), ctx);
  server.addService(WatchDefinition, { watch: (call) => serveWatchStream(ws, call, permit) });
}

/** grpc-go's names of the codes a watch auth failure can carry. */
const CODE_NAMES: Readonly<Record<number, string>> = {
  [GrpcStatus.INVALID_ARGUMENT]: 'InvalidArgument',
  [GrpcStatus.PERMISSION_DENIED]: 'PermissionDenied',
  [GrpcStatus.UNAUTHENTICATED]: 'Unauthenticated',
};
const PASSED_THROUGH = new Set(['etcdserver: invalid auth token', 'etcdserver: revision of auth store is old', 'etcdserver: user name is empty']);

/** The cancel_reason of a create refused by auth: the full grpc-go status text, like etcd. */
export function watchDeniedReason(err: unknown): string {
  const { code, message } = toGrpcStatus(err);
  if (PASSED_THROUGH.has(message) && CODE_NAMES[code] !== undefined) return `rpc error: code = ${CODE_NAMES[code]} desc = ${message}`;
  return 'rpc error: code = PermissionDenied desc = etcdserver: permission denied';
}

interface WatchFlags {
  prevKv: boolean;
  fragment: boolean;
}

/** Serves one watch stream until the client goes away (or, with `hasleader`, the leader does). */
export async function serveWatchStream(ws: WatchServer, call: StreamCall<WatchRequest, WatchResponse>, permit?: WatchPermission): Promise<void> {
  const { ctx } = call;
  if (ctx.requireLeader === true && !ws.hasLeader()) throw new ErrNoLeader();
  const stream = new WatchStream<WatchResponse>(ws.watchable);
  const flags = new Map<bigint, WatchFlags>();
  /** Watchers with progress_notify -> whether nothing was sent to them since the last tick. */
  const progress = new Map<bigint, boolean>();
  let failure: unknown;
  const stop = (err?: unknown): void => {
    if (err !== undefined && failure === undefined) failure = err;
    stream.close();
  };
  const onAbort = (): void => stop();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal.aborted) stop();

  const header = (rev: bigint): WatchResponse['header'] => ws.watchHeader(rev);
  const control = (r: Partial<WatchResponse>): void => stream.sendControl(WatchResponse.fromPartial(r));

  const create = (creq: WatchCreateRequest): void => {
    const key = creq.key.length === 0 ? Buffer.from([0]) : creq.key;
    let end: Buffer | undefined = creq.rangeEnd.length === 0 ? undefined : creq.rangeEnd;
    if (end !== undefined && end.length === 1 && end[0] === 0) end = Buffer.alloc(0);
    const rev = stream.rev();
    if (permit !== undefined) {
      try {
        permit(key, creq.rangeEnd, ctx);
      } catch (err) {
        control({ header: header(rev), watchId: INVALID_WATCH_ID, created: true, canceled: true, cancelReason: watchDeniedReason(err) });
        return;
      }
    }
    try {
      const w = stream.watch({
        id: creq.watchId,
        key,
        end,
        startRev: creq.startRevision === 0n ? rev + 1n : creq.startRevision,
        filters: creq.filters.flatMap((f) => (f === WatchCreateRequest_FilterType.NOPUT ? [WatchFilter.NoPut] : f === WatchCreateRequest_FilterType.NODELETE ? [WatchFilter.NoDelete] : [])),
      });
      if (creq.progressNotify) progress.set(w.id, true);
      if (creq.prevKv || creq.fragment) flags.set(w.id, { prevKv: creq.prevKv, fragment: creq.fragment });
      control({ header: header(rev), watchId: w.id, created: true });
    } catch (err) {
      if (!(err instanceof WatchStreamError)) throw err;
      control({ header: header(rev), watchId: INVALID_WATCH_ID, created: true, canceled: true, cancelReason: err.message });
    }
  };

  const receive = async (): Promise<void> => {
    for await (const req of call.requests) {
      if (req.createRequest !== undefined) create(req.createRequest);
      else if (req.cancelRequest !== undefined) {
        const id = req.cancelRequest.watchId;
        if (stream.cancel(id)) {
          control({ header: header(stream.rev()), watchId: id, canceled: true });
          flags.delete(id);
          progress.delete(id);
        }
      } else if (req.progressRequest !== undefined) {
        control({ header: header(stream.rev()), watchId: INVALID_WATCH_ID });
      }
    }
    // Half-close: the stream stays open and events keep flowing (like etcd).
  };
  receive().catch((err: unknown) => stop(ctx.signal.aborted ? undefined : err));

  const progressTimer = setInterval(() => {
    for (const [id, idle] of progress) {
      if (idle) stream.requestProgress(id);
      progress.set(id, true);
    }
  }, ws.progressNotifyIntervalMs);
  progressTimer.unref?.();

  let leaderTimer: NodeJS.Timeout | undefined;
  if (ctx.requireLeader === true) {
    let misses = 0;
    leaderTimer = setInterval(() => {
      misses = ws.hasLeader() ? 0 : misses + 1;
      if (misses >= NO_LEADER_CHECKS_MAX) stop(new ErrNoLeader());
    }, ws.electionTimeoutMs);
    leaderTimer.unref?.();
  }

  const maxBytes = ws.maxRequestBytes + GRPC_OVERHEAD_BYTES;
  try {
    for (;;) {
      const item = await stream.next();
      if (item === undefined) break;
      if (item.kind === 'control') {
        await call.send(item.control);
        continue;
      }
      const resp = toWatchResponse(ws, item.result, flags.get(item.result.watchId)?.prevKv === true);
      if (resp.events.length > 0 && progress.has(resp.watchId)) progress.set(resp.watchId, false);
      if (flags.get(resp.watchId)?.fragment === true) {
        for (const piece of fragments(resp, maxBytes)) await call.send(piece);
      } else await call.send(resp);
    }
  } finally {
    clearInterval(progressTimer);
    if (leaderTimer) clearInterval(leaderTimer);
    ctx.signal.removeEventListener('abort', onAbort);
    stream.close();
  }
  if (failure !== undefined) throw failure;
}

function toWatchResponse(ws: WatchServer, r: WatchResult, prevKv: boolean): WatchResponse {
  let events: Event[] = r.events;
  if (prevKv && events.length > 0) {
    events = events.map((ev) => {
      const kv = ev.kv;
      if (kv === undefined || isCreate(ev)) return ev;
      const prev = ws.kvAt(kv.key, kv.modRevision - 1n);
      return prev === undefined ? ev : { ...ev, prevKv: prev };
    });
  }
  return {
    header: ws.watchHeader(r.revision),
    watchId: r.watchId,
    created: false,
    canceled: r.compactRevision !== 0n,
    compactRevision: r.compactRevision,
    cancelReason: '',
    fragment: false,
    events,
  };
}

function isCreate(ev: Event): boolean {
  return ev.type === 0 && ev.kv !== undefined && ev.kv.createRevision === ev.kv.modRevision;
}

function encodedSize(r: WatchResponse): number {
  return WatchResponse.encode(r).finish().length;
}

/** etcd's sendFragments: split a response of >= maxBytes with >= 2 events; all but the last say fragment. */
export function fragments(resp: WatchResponse, maxBytes: number): WatchResponse[] {
  if (resp.events.length < 2 || encodedSize(resp) < maxBytes) return [resp];
  const out: WatchResponse[] = [];
  let idx = 0;
  while (idx < resp.events.length) {
    const cur: WatchResponse = { ...resp, events: [], fragment: true };
    while (idx < resp.events.length) {
      cur.events.push(resp.events[idx] as Event);
      if (cur.events.length > 1 && encodedSize(cur) >= maxBytes) {
        cur.events.pop();
        break;
      }
      idx++;
    }
    if (idx === resp.events.length) cur.fragment = false;
    out.push(cur);
  }
  return out;
}
