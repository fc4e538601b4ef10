// Shape of the generated schema table (src/gen/schema.ts).

export type FieldKind =
  | 'double' | 'float' | 'int64' | 'uint64' | 'int32' | 'fixed64' | 'fixed32' | 'bool' | 'string'
  | 'message' | 'bytes' | 'uint32' | 'enum' | 'sfixed32' | 'sfixed64' | 'sint32' | 'sint64';

export interface FieldSchema {
  /** Name in the .proto file (gateway output uses it: OrigName). */
  readonly name: string;
  /** protoc's lowerCamelCase JSON name (also accepted on input). */
  readonly jsonName: string;
  /** Property name on the ts-proto object. */
  readonly prop: string;
  /** Field number. */
  readonly no: number;
  readonly kind: FieldKind;
  readonly repeated: boolean;
  /** Package-qualified message or enum name for kind message/enum. */
  readonly type?: string;
  /** Name of the oneof this field belongs to (presence matters, zero values are emitted). */
  readonly oneof?: string;
  /** proto3 `optional` (presence matters). */
  readonly optional?: boolean;
}

export type MessageSchemaTable = Readonly<Record<string, readonly FieldSchema[]>>;
export type EnumSchemaTable = Readonly<Record<string, Readonly<Record<string, number>>>>;
