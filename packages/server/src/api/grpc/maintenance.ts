// etcdserverpb.Maintenance: Status, Hash, HashKV, Alarm, Defragment, Snapshot (server stream).
// MoveLeader is wired when the member implements it, otherwise UNIMPLEMENTED.

import { MaintenanceDefinition, type MoveLeaderRequest, type MoveLeaderResponse } from '@tsetcd/api';
import type { MaintenanceServer, RequestContext } from '../../etcdserver/server-api';
import type { GrpcServer } from './server';

export interface LeaderTransfer {
  moveLeader?(req: MoveLeaderRequest, ctx: RequestContext): Promise<MoveLeaderResponse>;
}

export function registerMaintenanceService(server: GrpcServer, maintenance: MaintenanceServer & LeaderTransfer): void {
  const { moveLeader } = maintenance;
  server.addService(MaintenanceDefinition, {
    status: (_req, ctx) => maintenance.status(ctx),
    hash: (_req, ctx) => maintenance.hash(ctx),
    hashKV: (req, ctx) => maintenance.hashKV(req, ctx),
    alarm: (req, ctx) => maintenance.alarm(req, ctx),
    defragment: (_req, ctx) => maintenance.defragment(ctx),
    snapshot: async (call) => {
      for await (const _req of call.requests) break;
      for await (const chunk of maintenance.snapshot(call.ctx)) {
        if (call.ctx.signal.aborted) return;
        await call.send(chunk);
      }
    },
    ...(moveLeader ? { moveLeader: (req: MoveLeaderRequest, ctx: RequestContext) => moveLeader.call(maintenance, req, ctx) } : {}),
  });
}
