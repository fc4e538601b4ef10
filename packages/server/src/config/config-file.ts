// --config-file: etcd's YAML file whose keys are flag names (TLS under client-transport-security /
// peer-transport-security). Turned into flag texts so the flag table parses them; like etcd,
// durations in a file are integers of nanoseconds (Go time.Duration through JSON), and keys
// that are not flags are ignored.

import { FLAGS_BY_NAME } from './flags';
import { parseYaml, type YamlValue } from './yaml-lite';

const SECURITY_KEYS: Record<string, string> = {
  'cert-file': 'cert-file',
  'key-file': 'key-file',
  'client-cert-auth': 'client-cert-auth',
  'trusted-ca-file': 'trusted-ca-file',
  'auto-tls': 'auto-tls',
};

const NS_PER_MS = 1e6;

function flagText(flag: string, value: YamlValue): string {
  const spec = FLAGS_BY_NAME.get(flag);
  if (Array.isArray(value)) return value.map((v) => String(v)).join(',');
  if (value === null) return '';
  if (spec?.kind.type === 'duration' && typeof value === 'number') return `${value / NS_PER_MS}ms`;
  return String(value);
}

/** Flag name -> text, for every flag the file sets. Throws YamlError on a malformed file. */
export function flagValuesFromConfigFile(source: string): Map<string, string> {
  const doc = parseYaml(source);
  const values = new Map<string, string>();
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'client-transport-security' || key === 'peer-transport-security') {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
      const prefix = key === 'peer-transport-security' ? 'peer-' : '';
      for (const [subKey, subValue] of Object.entries(value)) {
        const flag = SECURITY_KEYS[subKey];
        if (flag === undefined) continue;
        const name = `${prefix}${flag}`;
        if (FLAGS_BY_NAME.has(name)) values.set(name, flagText(name, subValue));
      }
      continue;
    }
    if (!FLAGS_BY_NAME.has(key)) continue;
    if (value === null) continue;
    values.set(key, flagText(key, value));
  }
  return values;
}
