// Simple-format printing of keys and values (etcdctl's printKV, with --hex as \x61\x62).
import type { KeyValue } from '../index';

export function hexEscaped(b: Buffer): string {
  let out = '';
  for (const byte of b) out += `\\x${byte.toString(16).padStart(2, '0')}`;
  return out;
}

export function kvLines(kv: KeyValue, isHex: boolean, valueOnly: boolean): string {
  const k = isHex ? hexEscaped(kv.key) : kv.key.toString('latin1');
  const v = isHex ? hexEscaped(kv.value) : kv.value.toString('latin1');
  return valueOnly ? `${v}\n` : `${k}\n${v}\n`;
}
