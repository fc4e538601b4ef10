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

/** Registers the stubs for every service not registered yet (call it after the real ones). */
export function registerUnimplementedServices(server: GrpcServer): void {
  for (const def of NOT_YET_BUILT_SERVICES) {
    if (!server.hasService(def.fullName)) server.addUnimplementedService(def);
  }
}
