// What Go's net/http does with a request path before any etcd handler sees it: a bad %-escape is
// refused with a bare "400 Bad Request", and ServeMux answers an unclean path (`//`, `/./`, `/../`)
// with a 301 to the clean one. The client port mirrors both so curl sees what it sees from etcd.

import { posix } from 'node:path';
import type { HttpResponse } from './types';

/** Go's url.PathUnescape read as UTF-8; undefined for a malformed escape. */
export function goPathUnescape(rawPath: string): string | undefined {
  if (!rawPath.includes('%')) return rawPath;
  const bytes: number[] = [];
  for (let i = 0; i < rawPath.length; i++) {
    const ch = rawPath.charCodeAt(i);
    if (ch !== 0x25) {
      for (const b of Buffer.from(rawPath[i]!, 'utf8')) bytes.push(b);
      continue;
    }
    const hex = rawPath.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Go's ServeMux cleanPath: path.Clean, keeping a trailing slash. */
export function goCleanPath(p: string): string {
  if (p === '') return '/';
  const rooted = p.startsWith('/') ? p : `/${p}`;
  let clean = posix.normalize(rooted);
  if (clean.length > 1 && clean.endsWith('/')) clean = clean.slice(0, -1);
  if (rooted.endsWith('/') && clean !== '/') clean += '/';
  return clean;
}

export type GoPathVerdict = { readonly kind: 'bad-request' } | { readonly kind: 'redirect'; readonly location: string } | undefined;

/** undefined when Go would pass the request on to the handlers. */
export function checkGoPath(method: string, rawPath: string, rawQuery: string | undefined): GoPathVerdict {
  const path = goPathUnescape(rawPath);
  if (path === undefined) return { kind: 'bad-request' };
  if (method === 'CONNECT') return undefined;
  const clean = goCleanPath(path);
  if (clean === path) return undefined;
  const escaped = rawPath.includes('%') ? encodeURI(clean) : clean;
  return { kind: 'redirect', location: rawQuery === undefined ? escaped : `${escaped}?${rawQuery}` };
}

/** Go's http.Redirect with 301: text/html and a link body for GET, bare for other methods. */
export function goRedirect(method: string, location: string): HttpResponse {
  const get = method === 'GET';
  const html: Record<string, string> = get || method === 'HEAD' ? { 'content-type': 'text/html; charset=utf-8' } : {};
  return {
    status: 301,
    headers: { location, ...html },
    body: get ? `<a href="${escapeHtml(location)}">Moved Permanently</a>.\n\n` : '',
  };
}

/** Go's server answer to a request line it cannot parse (the connection is closed after it). */
export const GO_BAD_REQUEST: HttpResponse = {
  status: 400,
  headers: { 'content-type': 'text/plain; charset=utf-8', connection: 'close' },
  body: '400 Bad Request',
};

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c]!);
}
