// URL building the way Go's net/url does it, so request lines (and --debug's curl lines) match
// etcd's Go client byte for byte: query keys sorted, QueryEscape for values, path escaping that
// keeps sub-delimiters, and path.Clean for keys.

const UNRESERVED = /[A-Za-z0-9\-_.~]/;
/** Reserved characters a Go URL path keeps unescaped. */
const PATH_KEEP = new Set(['$', '&', '+', ',', '/', ':', ';', '=', '@']);

function escapeBytes(s: string, keep: (ch: string) => boolean, spaceAsPlus: boolean): string {
  let out = '';
  for (const ch of s) {
    if (ch.length === 1 && keep(ch)) {
      out += ch;
    } else if (spaceAsPlus && ch === ' ') {
      out += '+';
    } else {
      for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/** url.QueryEscape. */
export function goQueryEscape(s: string): string {
  return escapeBytes(s, (ch) => UNRESERVED.test(ch), true);
}

/** url.URL.EscapedPath for a path without a RawPath. */
export function goPathEscape(s: string): string {
  return escapeBytes(s, (ch) => UNRESERVED.test(ch) || PATH_KEEP.has(ch), false);
}

/** url.Values.Encode: keys sorted, `k=v` joined with `&`. */
export function goEncodeValues(values: Map<string, string>): string {
  return [...values.keys()]
    .sort()
    .map((k) => `${goQueryEscape(k)}=${goQueryEscape(values.get(k) ?? '')}`)
    .join('&');
}

/** path.Clean. */
export function goCleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** etcd's pathutil.CanonicalURLPath: rooted, cleaned, a trailing slash kept. */
export function canonicalUrlPath(p: string): string {
  if (p === '') return '/';
  const rooted = p.startsWith('/') ? p : `/${p}`;
  let np = goCleanPath(rooted);
  if (rooted.endsWith('/') && np !== '/') np += '/';
  return np;
}
