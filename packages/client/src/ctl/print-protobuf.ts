// `-w protobuf` (etcdctl's pbPrinter): the response message's protobuf encoding, raw on stdout.
import { DeleteRangeResponse, PutResponse, RangeResponse, ResponseHeader as WireHeader } from '@tsetcd/api';
import type { DeleteResult, PutResult, RangeResult, ResponseHeader } from '../index';

export function pbGet(r: RangeResult): Uint8Array {
  return RangeResponse.encode(RangeResponse.fromPartial({ header: r.header, kvs: r.kvs, more: r.more, count: r.count })).finish();
}

export function pbPut(r: PutResult): Uint8Array {
  return PutResponse.encode(PutResponse.fromPartial({ header: r.header, ...(r.prevKv ? { prevKv: r.prevKv } : {}) })).finish();
}

export function pbDel(r: DeleteResult): Uint8Array {
  return DeleteRangeResponse.encode(DeleteRangeResponse.fromPartial({ header: r.header, deleted: r.deleted, prevKvs: r.prevKvs })).finish();
}

/**
 * clientv3's lease grant / timetolive / list answers embed *ResponseHeader, whose Marshal is promoted:
 * etcdctl prints only the header's bytes for them.
 */
export function pbHeaderOnly(h: ResponseHeader): Uint8Array {
  return WireHeader.encode(WireHeader.fromPartial(h)).finish();
}
