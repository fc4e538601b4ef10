// Go formatting helpers etcdctl's output depends on: %x, %016x, %16x, humanize.Bytes, time.Duration.String.

export function hex(n: bigint): string {
  return BigInt.asUintN(64, n).toString(16);
}

export function hex016(n: bigint): string {
  return hex(n).padStart(16, '0');
}

export function hex16(n: bigint): string {
  return hex(n).padStart(16, ' ');
}

/** strconv.ParseInt(s, 16, 64); undefined on a syntax or range error. */
export function parseHexInt64(s: string): bigint | undefined {
  const m = /^([+-]?)([0-9a-fA-F]+)$/.exec(s);
  if (!m) return undefined;
  const v = BigInt(`0x${m[2] ?? ''}`) * (m[1] === '-' ? -1n : 1n);
  if (v > 0x7fffffffffffffffn || v < -0x8000000000000000n) return undefined;
  return v;
}

/** strconv.ParseUint(s, 16, 64). */
export function parseHexUint64(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F]+$/.test(s)) return undefined;
  const v = BigInt(`0x${s}`);
  return v > 0xffffffffffffffffn ? undefined : v;
}

/** Go's %.Nf rounds half to even on the exact binary value. */
function formatFixed(v: number, digits: number): string {
  const scaled = v * 10 ** digits;
  const floor = Math.floor(scaled);
  if (scaled - floor === 0.5) {
    const even = floor % 2 === 0 ? floor : floor + 1;
    return (even / 10 ** digits).toFixed(digits);
  }
  return v.toFixed(digits);
}

const SI_SIZES = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/** github.com/dustin/go-humanize Bytes (SI, base 1000). */
export function humanizeBytes(bytes: bigint): string {
  const s = Number(bytes);
  if (s < 10) return `${s} B`;
  const e = Math.floor(Math.log(s) / Math.log(1000));
  const suffix = SI_SIZES[e] ?? '';
  const val = Math.floor((s / 1000 ** e) * 10 + 0.5) / 10;
  return `${val < 10 ? formatFixed(val, 1) : formatFixed(val, 0)} ${suffix}`;
}

/** time.Duration.String for a duration given in milliseconds (fractional). */
export function goDuration(ms: number): string {
  const ns = Math.round(ms * 1e6);
  if (ns === 0) return '0s';
  if (ns < 1000) return `${ns}ns`;
  if (ns < 1e6) return `${trimFloat(ns / 1e3)}µs`;
  if (ns < 1e9) return `${trimFloat(ns / 1e6)}ms`;
  const totalSeconds = ns / 1e9;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds - hours * 3600 - minutes * 60;
  let out = `${trimFloat(seconds)}s`;
  if (hours > 0 || minutes > 0) out = `${minutes}m${out}`;
  if (hours > 0) out = `${hours}h${out}`;
  return out;
}

function trimFloat(v: number): string {
  return v.toFixed(9).replace(/\.?0+$/, '');
}

/** time.ParseDuration for the units etcdctl flags use; undefined when invalid. Result in ms. */
export function parseGoDurationMs(s: string): number | undefined {
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let pos = 0;
  if (s.length === 0) return undefined;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * (units[m[2] ?? ''] ?? 0);
    pos = re.lastIndex;
  }
  return total;
}

/** Go %q of a string (enough for printable text; escapes quotes, backslashes and control bytes). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
