// Go encoding/json of etcd's gogo structs: int64 as bare numbers, []byte as base64, omitempty dropped zeros.

/** A Go value to marshal: fields keep their declared order. */
export type GoValue = bigint | number | string | boolean | Buffer | GoValue[] | GoStruct | null;
export interface GoField {
  name: string;
  value: GoValue;
  /** Drop the field when it is the zero value (`omitempty`). */
  omitEmpty?: boolean;
}
export class GoStruct {
  constructor(readonly fields: GoField[]) {}
}

export function struct(...fields: (GoField | GoField[])[]): GoStruct {
  return new GoStruct(fields.flat());
}

/** An `omitempty` field. */
export function oe(name: string, value: GoValue): GoField {
  return { name, value, omitEmpty: true };
}

/** A field without omitempty. */
export function f(name: string, value: GoValue): GoField {
  return { name, value };
}

function isEmpty(v: GoValue): boolean {
  if (v === null) return true;
  if (typeof v === 'bigint') return v === 0n;
  if (typeof v === 'number') return v === 0;
  if (typeof v === 'string') return v === '';
  if (typeof v === 'boolean') return !v;
  if (Buffer.isBuffer(v)) return v.length === 0;
  if (Array.isArray(v)) return v.length === 0;
  return false; // a struct pointer that is set
}

function escapeString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function goMarshal(v: GoValue): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint' || typeof v === 'number') return v.toString();
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return escapeString(v);
  if (Buffer.isBuffer(v)) return `"${v.toString('base64')}"`;
  if (Array.isArray(v)) return `[${v.map(goMarshal).join(',')}]`;
  const parts: string[] = [];
  for (const field of v.fields) {
    if (field.omitEmpty && isEmpty(field.value)) continue;
    parts.push(`${escapeString(field.name)}:${goMarshal(field.value)}`);
  }
  return `{${parts.join(',')}}`;
}
