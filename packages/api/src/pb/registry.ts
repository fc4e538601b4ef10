// Package-qualified message name -> ts-proto codec, e.g. "etcdserverpb.RangeRequest".
import * as rpc from '../gen/etcdserverpb/rpc';
import * as raftInternal from '../gen/etcdserverpb/raft_internal';
import * as etcdserver from '../gen/etcdserverpb/etcdserver';
import * as kv from '../gen/mvccpb/kv';
import * as auth from '../gen/authpb/auth';
import * as raft from '../gen/raftpb/raft';
import * as election from '../gen/v3electionpb/v3election';
import * as lock from '../gen/v3lockpb/v3lock';
import * as health from '../gen/grpc/health/v1/health';
import type { MessageCodec } from './service';

/** A ts-proto codec: encode/decode plus create/fromPartial for building complete messages. */
export interface RegisteredCodec<T = any> extends MessageCodec<T> {
  create(base?: any): T;
  fromPartial(object: any): T;
}

function isCodec(v: unknown): v is RegisteredCodec {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return typeof c.encode === 'function' && typeof c.decode === 'function' && typeof c.fromPartial === 'function';
}

const registry = new Map<string, RegisteredCodec>();
const names = new Map<object, string>();
for (const mod of [rpc, raftInternal, etcdserver, kv, auth, raft, election, lock, health] as Array<Record<string, unknown>>) {
  const pkg = mod.protobufPackage as string;
  for (const [name, value] of Object.entries(mod)) {
    if (isCodec(value)) {
      registry.set(`${pkg}.${name}`, value);
      names.set(value, `${pkg}.${name}`);
    }
  }
}

/** The codec of a message by its package-qualified name; throws for unknown names. */
export function codecFor<T = any>(typeName: string): RegisteredCodec<T> {
  const c = registry.get(typeName);
  if (c === undefined) throw new Error(`no codec for message type ${typeName}`);
  return c as RegisteredCodec<T>;
}

export function registeredTypeNames(): string[] {
  return [...registry.keys()].sort();
}

/** The package-qualified name of a registered codec (e.g. KVDefinition.methods.range.requestType). */
export function typeNameOf(codec: object): string {
  const name = names.get(codec);
  if (name === undefined) throw new Error('typeNameOf: not a registered message codec');
  return name;
}
