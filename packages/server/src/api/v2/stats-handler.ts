// /v2/stats/self, /v2/stats/leader and /v2/stats/store (etcd's v2http statsHandler): GET only,
// JSON bodies exactly as the member renders them (no trailing newline, no cluster-id header);
// /v2/stats/leader on a member that does not lead answers 403 "not current leader".

import { methodNotAllowed, NOT_FOUND } from '../http/responses';
import type { HttpHandler, HttpRequest, HttpResponse } from '../http/types';
import { v2HttpError } from './members-handler';

export const STATS_PREFIX = '/v2/stats';

/** What the stats handler needs from the member. */
export interface V2StatsBackend {
  selfStatsJson(): string;
  /** undefined: this member is not the leader (403). */
  leaderStatsJson(): string | undefined;
  storeStatsJson(): string;
}

function json(body: string): HttpResponse {
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body };
}

/** Serves exactly `/v2/stats/{self,leader,store}`; anything else under the prefix is Go's 404. */
export function statsHandler(backend: V2StatsBackend): HttpHandler {
  return (req: HttpRequest): HttpResponse => {
    const which = req.path.startsWith(`${STATS_PREFIX}/`) ? req.path.slice(STATS_PREFIX.length + 1) : undefined;
    if (which !== 'self' && which !== 'leader' && which !== 'store') return NOT_FOUND;
    if (req.method !== 'GET') return methodNotAllowed('GET');
    switch (which) {
      case 'self':
        return json(backend.selfStatsJson());
      case 'store':
        return json(backend.storeStatsJson());
      case 'leader': {
        const body = backend.leaderStatsJson();
        return body === undefined ? v2HttpError(403, 'not current leader') : json(body);
      }
    }
  };
}
