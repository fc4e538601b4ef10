// etcdserverpb.Maintenance: Status, Hash, HashKV, Alarm, Defragment, Snapshot (server stream).
// MoveLeader answers UNIMPLEMENTED until leader transfer is built.

import { MaintenanceDefinition } from '@tsetcd/api';
import type { MaintenanceServer } from '../../etcdserver/server-api';
import type { GrpcServer } from './server';

export function registerMaintenanceService(server: GrpcServer, maintenance: MaintenanceServer): void {
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
  });
}
