// `-w protobuf` (etcdctl's pbPrinter): the response message's protobuf encoding, raw on stdout.
import { DeleteRangeResponse, Event_EventType, PutResponse, RangeResponse, ResponseHeader as WireHeader, WatchResponse } from '@tsetcd/api';
import type { DeleteResult, KeyValue, PutResult, RangeResult, ResponseHeader } from '../index';

export function pbGet(r: RangeResult): Uint8Array {
  return RangeResponse.encode(RangeResponse.fromPartial({ header: r.header, kvs: r.kvs, more: r.more, count: r.count })).finish();
}

export function pbPut(r: PutResult): Uint8Array {
  return PutResponse.encode(PutResponse.fromPartial({ header: r.header, ...(r.prevKv ? { prevKv: r.prevKv } : {}) })).finish();
}

export function pbDel(r: DeleteResult): Uint8Array {
  return DeleteRangeResponse.encode(DeleteRangeResponse.fromPartial({ header: r.header, deleted: r.deleted, prevKvs: r.prevKvs })).finish();
}

/** A watch response as etcdctl rebuilds it: header and events (no watch id). */
export function pbWatch(h: ResponseHeader, events: readonly { kind: 'put' | 'delete'; kv: KeyValue; prevKv: KeyValue | undefined }[]): Uint8Array {
  return WatchResponse.encode(
    WatchResponse.fromPartial({
      header: h,
      events: events.map((ev) => ({ type: ev.kind === 'delete' ? Event_EventType.DELETE : Event_EventType.PUT, kv: ev.kv, ...(ev.prevKv ? { prevKv: ev.prevKv } : {}) })),
    }),
  ).finish();
}

/**
 * clientv3's lease grant / timetolive / list answers embed *ResponseHeader, whose Marshal is promoted:
 * etcdctl prints only the header's bytes for them.
 */
export function pbHeaderOnly(h: ResponseHeader): Uint8Array {
  return WireHeader.encode(WireHeader.fromPartial(h)).finish();
}
