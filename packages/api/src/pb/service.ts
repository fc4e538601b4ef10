// Shape shared by every generated service definition (ts-proto `generic-definitions`).
import type { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { KVDefinition, WatchDefinition, LeaseDefinition, ClusterDefinition, MaintenanceDefinition, AuthDefinition } from '../gen/etcdserverpb/rpc';
import { ElectionDefinition } from '../gen/v3electionpb/v3election';
import { LockDefinition } from '../gen/v3lockpb/v3lock';
import { HealthDefinition } from '../gen/grpc/health/v1/health';
import { typeNameOf } from './registry';

/** Encoder/decoder pair of one message type. */
export interface MessageCodec<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: BinaryReader | Uint8Array, length?: number): T;
  fromPartial(object: never): T;
}

export interface MethodDefinition<Req = any, Res = any> {
  /** Method name as on the wire, e.g. "Range". */
  readonly name: string;
  readonly requestType: MessageCodec<Req>;
  readonly requestStream: boolean;
  readonly responseType: MessageCodec<Res>;
  readonly responseStream: boolean;
  readonly options: object;
}

export interface ServiceDefinition {
  /** Service name without package, e.g. "KV". */
  readonly name: string;
  /** Package-qualified name, e.g. "etcdserverpb.KV". */
  readonly fullName: string;
  readonly methods: { readonly [key: string]: MethodDefinition };
}

/** The gRPC path of a method: `/${fullName}/${name}`, e.g. `/etcdserverpb.KV/Range`. */
export function methodPath<D extends ServiceDefinition>(def: D, methodKey: keyof D['methods'] & string): string {
  const method = def.methods[methodKey];
  if (method === undefined) throw new Error(`methodPath: ${def.fullName} has no method ${methodKey}`);
  return `/${def.fullName}/${method.name}`;
}

/** Every service etcd 3.4 registers on its client port. */
export const allServiceDefinitions = [
  KVDefinition,
  WatchDefinition,
  LeaseDefinition,
  ClusterDefinition,
  MaintenanceDefinition,
  AuthDefinition,
  ElectionDefinition,
  LockDefinition,
  HealthDefinition,
] as const;

/** Full path -> method, for routers. */
export function methodsByPath(defs: readonly ServiceDefinition[] = allServiceDefinitions): Map<string, MethodDefinition> {
  const out = new Map<string, MethodDefinition>();
  for (const def of defs) {
    for (const method of Object.values(def.methods)) out.set(`/${def.fullName}/${method.name}`, method);
  }
  return out;
}

/** Package-qualified names of a method's request and response messages, e.g. "etcdserverpb.RangeRequest". */
export function methodTypeNames(def: ServiceDefinition, methodKey: string): { request: string; response: string } {
  const method = def.methods[methodKey];
  if (method === undefined) throw new Error(`methodTypeNames: ${def.fullName} has no method ${methodKey}`);
  return { request: typeNameOf(method.requestType), response: typeNameOf(method.responseType) };
}
