// The one place the simulation touches the real raft core's constructor.

import { RawNode } from '../../packages/server/src/raft';
import type { NodeId, RaftConfig, RawNodeApi } from '../../packages/server/src/raft/types';

export function createRealRawNode(config: RaftConfig, bootstrapPeers?: readonly NodeId[]): RawNodeApi {
  return new RawNode(config, bootstrapPeers);
}
