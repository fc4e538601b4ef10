// Go net/http's canned responses, byte for byte (etcd's client port answers with them).

import type { HttpResponse } from './types';

const PLAIN = 'text/plain; charset=utf-8';

/** http.Error(w, text, status): text + "\n", text/plain, nosniff. */
export function goHttpError(status: number, text: string, extraHeaders: Record<string, string> = {}): HttpResponse {
  return {
    status,
    headers: { 'content-type': PLAIN, 'x-content-type-options': 'nosniff', ...extraHeaders },
    body: `${text}\n`,
  };
}

export const NOT_FOUND = goHttpError(404, '404 page not found');

export function methodNotAllowed(allow: string): HttpResponse {
  return goHttpError(405, 'Method Not Allowed', { allow });
}
