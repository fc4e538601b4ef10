// Services etcd serves that tsetcd has not built yet: every method answers UNIMPLEMENTED
// ("method X not implemented", grpc-go's text), never a fake success.

import { AuthDefinition, ElectionDefinition, LeaseDefinition, LockDefinition, WatchDefinition, type ServiceDefinition } from '@tsetcd/api';
import type { GrpcServer } from './server';

export const NOT_YET_BUILT_SERVICES: readonly ServiceDefinition[] = [
  WatchDefinition,
  LeaseDefinition,
  AuthDefinition,
  ElectionDefinition,
  LockDefinition,
];

export function registerUnimplementedServices(server: GrpcServer, skip: ReadonlySet<string> = new Set()): void {
  for (const def of NOT_YET_BUILT_SERVICES) {
    if (!skip.has(def.fullName)) server.addUnimplementedService(def);
  }
}
