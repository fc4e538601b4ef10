// DeleteRange: deletes every live key in the range in the current txn; prev_kv returns them.

import type { DeleteRangeRequest, DeleteRangeResponse } from '@tsetcd/api';
import { mkGteRange, revisionHeader, type TxnView } from './common';

export function deleteRangeOp(view: TxnView, dr: DeleteRangeRequest): DeleteRangeResponse {
  const end = mkGteRange(dr.rangeEnd);
  const prevKvs = dr.prevKv ? view.range(dr.key, end, {}).kvs : [];
  const deleted = view.deleteRange(dr.key, end);
  return { header: revisionHeader(view.rev()), deleted: BigInt(deleted), prevKvs };
}
