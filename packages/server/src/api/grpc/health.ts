// grpc.health.v1.Health/Check: SERVING for the whole server and for any service name (etcd
// registers one health server and never changes its status). Watch is not offered.

import { HealthDefinition, healthpb } from '@tsetcd/api';
import type { GrpcServer } from './server';

const SERVING = healthpb.HealthCheckResponse.fromPartial({
  status: healthpb.HealthCheckResponse_ServingStatus.SERVING,
});

export function registerHealthService(server: GrpcServer): void {
  server.addService(HealthDefinition, {
    check: () => SERVING,
  });
}
