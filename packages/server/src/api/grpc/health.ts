// grpc.health.v1.Health/Check like etcd's grpc-go health server: the whole server ("") is
// SERVING; any other service name is NOT_FOUND "unknown service". Watch is not offered.

import { EtcdError, GrpcStatus, HealthDefinition, healthpb } from '@tsetcd/api';
import type { GrpcServer } from './server';

const SERVING = healthpb.HealthCheckResponse.fromPartial({
  status: healthpb.HealthCheckResponse_ServingStatus.SERVING,
});

export function registerHealthService(server: GrpcServer): void {
  server.addService(HealthDefinition, {
    check: (req) => {
      if (req.service !== '') throw new EtcdError(GrpcStatus.NOT_FOUND, 'unknown service');
      return SERVING;
    },
  });
}
