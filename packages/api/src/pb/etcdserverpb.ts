// Package etcdserverpb as one module: rpc.proto, raft_internal.proto and etcdserver.proto.
// The generated files each declare protobufPackage/protobufFileName/DeepPartial/MessageFns;
// the explicit re-export below resolves the ambiguity in favour of rpc.proto's.
export * from '../gen/etcdserverpb/rpc';
export * from '../gen/etcdserverpb/raft_internal';
export * from '../gen/etcdserverpb/etcdserver';
export { protobufPackage, protobufFileName } from '../gen/etcdserverpb/rpc';
export type { DeepPartial, MessageFns } from '../gen/etcdserverpb/rpc';
