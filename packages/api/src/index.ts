// @tsetcd/api: etcd 3.4's wire API (codecs, service definitions) and its error table.
//
// Flat: everything of etcdserverpb (rpc, raft_internal, etcdserver) and mvccpb, e.g.
//   import { RangeRequest, KeyValue, Event, KVDefinition } from '@tsetcd/api'
// Namespaced: etcdserverpb, mvccpb, authpb, raftpb, v3electionpb, v3lockpb, healthpb.
export * from './pb/etcdserverpb';
export * from './gen/mvccpb/kv';
export { protobufPackage, protobufFileName } from './pb/etcdserverpb';
export type { DeepPartial, MessageFns } from './pb/etcdserverpb';

export * as etcdserverpb from './pb/etcdserverpb';
export * as mvccpb from './gen/mvccpb/kv';
export * as authpb from './gen/authpb/auth';
export * as raftpb from './gen/raftpb/raft';
export * as v3electionpb from './gen/v3electionpb/v3election';
export * as v3lockpb from './gen/v3lockpb/v3lock';
export * as healthpb from './gen/grpc/health/v1/health';

export { ElectionDefinition } from './gen/v3electionpb/v3election';
export { LockDefinition } from './gen/v3lockpb/v3lock';
export { HealthDefinition } from './gen/grpc/health/v1/health';

export * from './pb/service';
export { codecFor, typeNameOf, registeredTypeNames } from './pb/registry';
export type { RegisteredCodec } from './pb/registry';
export { toGatewayJson, fromGatewayJson, GatewayJsonError } from './json/gateway-json';
export type { JsonOptions } from './json/gateway-json';
export { decodeStdBase64, encodeStdBase64, Base64Error } from './json/go-base64';
export { messageSchemas, enumSchemas } from './gen/schema';
export type { FieldSchema, FieldKind, MessageSchemaTable, EnumSchemaTable } from './json/schema-types';
export * from './errors';
