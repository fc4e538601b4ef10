// Compaction request: compacted / future revision errors; header revision = current revision.

import type { CompactionRequest, CompactionResponse } from '@tsetcd/api';
import type { KvStore } from '../kv-store';
import { revisionHeader } from './common';

export function compactOp(store: KvStore, req: CompactionRequest): CompactionResponse {
  store.compact(req.revision);
  return { header: revisionHeader(store.rev()) };
}
