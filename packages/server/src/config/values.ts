// Value parsers with Go's flag semantics (strconv.ParseBool/ParseInt, time.ParseDuration, URL lists).
// Each throws ValueError whose message is what Go's flag package puts after the colon.

export class ValueError extends Error {}

const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

export function parseBool(text: string): boolean {
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  throw new ValueError('parse error');
}

const INT_RE = /^[+-]?(0[xX][0-9a-fA-F_]+|0[oO]?[0-7_]+|0[bB][01_]+|[0-9][0-9_]*)$/;

/** strconv.ParseInt(s, 0, 64)-like; `unsigned` rejects a sign. Safe-integer range only. */
export function parseInteger(text: string, unsigned: boolean): number {
  if (!INT_RE.test(text) || (unsigned && /^[+-]/.test(text))) throw new ValueError('parse error');
  const negative = text.startsWith('-');
  let body = text.replace(/^[+-]/, '').replace(/_/g, '');
  let radix = 10;
  if (/^0[xX]/.test(body)) { radix = 16; body = body.slice(2); }
  else if (/^0[bB]/.test(body)) { radix = 2; body = body.slice(2); }
  else if (/^0[oO]/.test(body)) { radix = 8; body = body.slice(2); }
  else if (body.length > 1 && body.startsWith('0')) { radix = 8; body = body.slice(1); }
  const value = Number.parseInt(body, radix);
  if (!Number.isSafeInteger(value)) throw new ValueError('value out of range');
  return negative ? -value : value;
}

const DURATION_UNITS_MS: Record<string, number> = {
  ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000,
};

/** time.ParseDuration, in milliseconds: `300ms`, `1.5h`, `2h45m`, `0`. */
export function parseDurationMs(text: string): number {
  if (text === '0' || text === '+0' || text === '-0') return 0;
  const re = /([0-9]*\.?[0-9]*)(ns|us|µs|μs|ms|s|m|h)/gy;
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '') throw new ValueError(`time: invalid duration ${JSON.stringify(text)}`);
  let total = 0;
  let pos = 0;
  re.lastIndex = 0;
  while (pos < rest.length) {
    re.lastIndex = pos;
    const m = re.exec(rest);
    if (!m || m[1] === '' || m[1] === '.') {
      const missingUnit = /^[0-9.]+$/.test(rest.slice(pos));
      throw new ValueError(missingUnit
        ? `time: missing unit in duration ${JSON.stringify(text)}`
        : `time: invalid duration ${JSON.stringify(text)}`);
    }
    total += Number(m[1]) * (DURATION_UNITS_MS[m[2] as string] as number);
    pos = re.lastIndex;
  }
  return sign * total;
}

/** Comma list, empties dropped (flags.StringsFromFlag). */
export function parseList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

const URL_SCHEMES = new Set(['http:', 'https:', 'unix:', 'unixs:']);

/** types.NewURLs: each must have a scheme etcd knows and a host:port; no path. Kept unique, sorted. */
export function parseUrlList(text: string): string[] {
  const urls = parseList(text);
  if (urls.length === 0) throw new ValueError('no valid URLs given');
  for (const raw of urls) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ValueError(`parse ${JSON.stringify(raw)}: invalid URI for request`);
    }
    if (!URL_SCHEMES.has(url.protocol)) {
      throw new ValueError(`URL scheme must be http, https, unix, or unixs: ${raw}`);
    }
    if (url.protocol === 'http:' || url.protocol === 'https:') {
      if (!/^[a-z]+:\/\/(\[[^\]]+\]|[^/:]*):[0-9]+\/?$/i.test(raw)) {
        throw new ValueError(`URL address does not have the form "host:port": ${raw}`);
      }
    }
    if (url.pathname !== '' && url.pathname !== '/' && url.protocol.startsWith('http')) {
      throw new ValueError(`URL must not contain a path: ${raw}`);
    }
  }
  return [...new Set(urls)].sort();
}
