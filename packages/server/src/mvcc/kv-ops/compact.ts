// Compaction request: compacted / future revision errors; header revision = current revision.

import type { CompactionRequest, CompactionResponse } from '@tsetcd/api';
import type { KvStore } from '../kv-store';
import { revisionHeader } from './common';

export interface CompactApplied {
  response: CompactionResponse;
  /** Resolves once the compaction is physically done (answer `physical: true` requests after it). */
  done: Promise<void>;
}

export function compactOp(store: KvStore, req: CompactionRequest): CompactApplied {
  const { done } = store.compact(req.revision);
  return { response: { header: revisionHeader(store.rev()) }, done };
}
