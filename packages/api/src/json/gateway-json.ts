// etcd's JSON gateway mapping (grpc-gateway v1 + gogo jsonpb, OrigName, EmitDefaults=false),
// driven by the generated schema table:
//   out: proto field names, zero values omitted (except set oneof members / proto3 optional),
//        64-bit ints as strings, bytes as padded base64, enums by name, empty messages as {}.
//   in:  proto or lowerCamel names, ints as numbers or strings, enums by name or number,
//        strict padded base64, unknown fields ignored, null = unset.
import { codecFor } from '../pb/registry';
import { enumSchemas, messageSchemas } from '../gen/schema';
import type { FieldSchema } from './schema-types';
import { decodeStdBase64, encodeStdBase64 } from './go-base64';

/** A request body the gateway cannot map; the gateway answers 400 with code InvalidArgument. */
export class GatewayJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayJsonError';
  }
}

export interface JsonOptions {
  /** 64-bit integers as JSON strings (gateway, default) or numbers (etcdctl -w json). */
  int64AsString?: boolean;
  /** Enums by name (gateway, default) or by number (etcdctl -w json). */
  enumsAsNames?: boolean;
}

const INT64_KINDS = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const INT32_KINDS = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
const UNSIGNED_KINDS = new Set(['uint64', 'fixed64', 'uint32', 'fixed32']);

function fieldsOf(typeName: string): readonly FieldSchema[] {
  const fields = messageSchemas[typeName];
  if (fields === undefined) throw new Error(`no schema for message type ${typeName}`);
  return fields;
}

const enumNamesCache = new Map<string, Map<number, string>>();
function enumName(typeName: string, value: number): string | number {
  let names = enumNamesCache.get(typeName);
  if (names === undefined) {
    names = new Map(Object.entries(enumSchemas[typeName] ?? {}).map(([k, v]) => [v, k]));
    enumNamesCache.set(typeName, names);
  }
  return names.get(value) ?? value;
}

// ---------------------------------------------------------------- output

function scalarToJson(f: FieldSchema, v: unknown, o: Required<JsonOptions>): unknown {
  switch (f.kind) {
    case 'message':
      return messageToJson(f.type!, v as Record<string, unknown>, o);
    case 'enum':
      return o.enumsAsNames ? enumName(f.type!, v as number) : v;
    case 'bytes':
      return encodeStdBase64(v as Uint8Array);
    default:
      if (INT64_KINDS.has(f.kind)) return o.int64AsString ? String(v) : Number(v);
      return v;
  }
}

function isZero(f: FieldSchema, v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (f.repeated) return (v as unknown[]).length === 0;
  if (f.oneof !== undefined || f.optional) return false;
  switch (f.kind) {
    case 'message':
      return false;
    case 'bytes':
      return (v as Uint8Array).length === 0;
    case 'string':
      return v === '';
    case 'bool':
      return v === false;
    default:
      return v === 0 || v === 0n;
  }
}

function messageToJson(typeName: string, msg: Record<string, unknown>, o: Required<JsonOptions>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fieldsOf(typeName)) {
    const v = msg[f.prop];
    if (isZero(f, v)) continue;
    out[f.name] = f.repeated ? (v as unknown[]).map((x) => scalarToJson(f, x, o)) : scalarToJson(f, v, o);
  }
  return out;
}

/** A ts-proto message of type `typeName` (e.g. "etcdserverpb.RangeResponse") as a gateway JSON object. */
export function toGatewayJson(typeName: string, message: object, options: JsonOptions = {}): Record<string, unknown> {
  const o = { int64AsString: options.int64AsString ?? true, enumsAsNames: options.enumsAsNames ?? true };
  return messageToJson(typeName, message as Record<string, unknown>, o);
}

// ---------------------------------------------------------------- input

function goType(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

function parseInteger(f: FieldSchema, v: unknown, path: string): bigint {
  let n: bigint;
  if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v);
  else if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) n = BigInt(v.trim());
  else throw new GatewayJsonError(`json: cannot unmarshal ${goType(v)} into Go value of type ${f.kind} (field ${path})`);
  const bits = INT64_KINDS.has(f.kind) ? 64 : 32;
  const unsigned = UNSIGNED_KINDS.has(f.kind);
  const min = unsigned ? 0n : -(1n << BigInt(bits - 1));
  const max = unsigned ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
  if (n < min || n > max) throw new GatewayJsonError(`json: value ${n} out of range for ${f.kind} (field ${path})`);
  return n;
}

function scalarFromJson(f: FieldSchema, v: unknown, path: string): unknown {
  switch (f.kind) {
    case 'message':
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        throw new GatewayJsonError(`json: cannot unmarshal ${goType(v)} into Go value of type ${f.type} (field ${path})`);
      }
      return partialFromJson(f.type!, v as Record<string, unknown>, path);
    case 'enum': {
      if (typeof v === 'string') {
        const n = enumSchemas[f.type!]?.[v];
        if (n === undefined) throw new GatewayJsonError(`unknown value "${v}" for enum ${f.type} (field ${path})`);
        return n;
      }
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      throw new GatewayJsonError(`json: cannot unmarshal ${goType(v)} into Go value of type ${f.type} (field ${path})`);
    }
    case 'bytes':
      if (typeof v !== 'string') throw new GatewayJsonError(`json: cannot unmarshal ${goType(v)} into Go value of type []byte (field ${path})`);
      try {
        return decodeStdBase64(v);
      } catch (err) {
        throw new GatewayJsonError((err as Error).message);
      }
    case 'string':
      if (typeof v !== 'string') throw new GatewayJsonError(`json: cannot unmarshal ${goType(v)} into Go value of type string (field ${path})`);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw new GatewayJsonError(`json: cannot unmarshal ${goType(v)} into Go value of type bool (field ${path})`);
      return v;
    case 'double':
    case 'float':
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
      throw new GatewayJsonError(`json: cannot unmarshal ${goType(v)} into Go value of type ${f.kind} (field ${path})`);
    default: {
      const n = parseInteger(f, v, path);
      return INT32_KINDS.has(f.kind) ? Number(n) : n;
    }
  }
}

function partialFromJson(typeName: string, json: Record<string, unknown>, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fieldsOf(typeName)) {
    const v = Object.prototype.hasOwnProperty.call(json, f.name)
      ? json[f.name]
      : Object.prototype.hasOwnProperty.call(json, f.jsonName)
        ? json[f.jsonName]
        : undefined;
    if (v === undefined || v === null) continue;
    const fieldPath = path ? `${path}.${f.name}` : f.name;
    if (f.repeated) {
      if (!Array.isArray(v)) throw new GatewayJsonError(`json: cannot unmarshal ${goType(v)} into Go value of type []${f.type ?? f.kind} (field ${fieldPath})`);
      out[f.prop] = v.map((x, i) => scalarFromJson(f, x, `${fieldPath}[${i}]`));
    } else {
      out[f.prop] = scalarFromJson(f, v, fieldPath);
    }
  }
  return out;
}

/**
 * A gateway JSON object (already parsed) as a complete ts-proto message of type `typeName`.
 * Throws GatewayJsonError for values the gateway would reject.
 */
export function fromGatewayJson<T = any>(typeName: string, json: unknown): T {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new GatewayJsonError(`json: cannot unmarshal ${goType(json)} into Go value of type ${typeName}`);
  }
  return codecFor<T>(typeName).fromPartial(partialFromJson(typeName, json as Record<string, unknown>, ''));
}
