// Normalises a v2 HTTP answer so two clusters' answers can be compared: v2 indexes become deltas
// from the side's base index (the X-Etcd-Index before the sequence), raft index/term and the
// cluster id are masked (presence kept), expiration times are checked for RFC 3339 and masked,
// TTLs are bucketed (seconds pass between the two sides), unsorted child lists are sorted.

import { createHash } from 'node:crypto';
import type { V2HttpResponse } from './v2-http';

export interface IndexContext {
  /** X-Etcd-Index before the first step. */
  base: number;
  /** The highest X-Etcd-Index seen so far on this side. */
  max: number;
}

export interface NormalizedV2 {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** The body ends with a newline (etcd writes one after every JSON document). */
  newline?: boolean;
}

export interface NormalizeOptions {
  /** Keep `nodes` arrays in the server's order (a sorted=true GET). */
  ordered?: boolean;
}

/** Headers compared; raft ones and the cluster id by presence/shape only. */
const COMPARED_HEADERS = ['content-type', 'x-etcd-index', 'x-raft-index', 'x-raft-term', 'x-etcd-cluster-id', 'allow', 'location', 'access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers', 'x-content-type-options'] as const;
const RFC3339_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;
const IN_ORDER_SEGMENT = /\/(\d{20})(?=\/|$)/g;
/** Longer values are compared by length and hash (readable diffs). */
const LONG_VALUE_CHARS = 200;
/** TTLs are compared in buckets of this many seconds (a few seconds pass between the two sides). */
export const TTL_BUCKET_SECONDS = 5;

export function mapIndex(v: number, ctx: IndexContext): string | number {
  if (v === 0) return 0;
  const d = v - ctx.base;
  return d >= 0 ? `i+${d}` : `i-${-d}`;
}

/**
 * A number inside `[...]` of a cause (`[3 != 7]`, `[oldest/requested]`) is an index when it lies in
 * the side's index range (literals sent by a step, e.g. prevIndex=999999, stay as they are).
 */
function mapNumberInText(text: string, ctx: IndexContext): string {
  return text.replace(/\[[^\]]*\]/g, (bracket) =>
    bracket.replace(/\d+/g, (m) => {
      const v = Number(m);
      return v >= ctx.base && v <= ctx.max + 2 && v > 0 ? String(mapIndex(v, ctx)) : m;
    }),
  );
}

function mapKey(key: string, ctx: IndexContext): string {
  return key.replace(IN_ORDER_SEGMENT, (_m, digits: string) => `/<in-order ${String(mapIndex(Number(digits), ctx))}>`);
}

export function normalizeJson(value: unknown, ctx: IndexContext, opts: NormalizeOptions = {}, field = ''): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => normalizeJson(v, ctx, opts));
    if (field === 'nodes' && opts.ordered !== true) {
      items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    }
    return items;
  }
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && (field === 'modifiedIndex' || field === 'createdIndex' || field === 'index')) return mapIndex(value, ctx);
    if (typeof value === 'number' && field === 'ttl') return `ttl~${Math.ceil(value / TTL_BUCKET_SECONDS) * TTL_BUCKET_SECONDS}`;
    if (typeof value === 'string' && field === 'expiration') return RFC3339_UTC.test(value) ? '<time>' : `<bad time ${value}>`;
    if (typeof value === 'string' && field === 'key') return mapKey(value, ctx);
    if (typeof value === 'string' && field === 'value' && value.length > LONG_VALUE_CHARS) {
      return `<${value.length} chars, sha256 ${createHash('sha256').update(value).digest('hex').slice(0, 16)}>`;
    }
    if (typeof value === 'string' && field === 'cause') return mapKey(mapNumberInText(value, ctx), ctx);
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = normalizeJson(v, ctx, opts, k);
  return out;
}

export function normalizeHeaders(headers: Record<string, string>, ctx: IndexContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of COMPARED_HEADERS) {
    const v = headers[name];
    if (v === undefined) continue;
    if (name === 'x-etcd-index') out[name] = /^\d+$/.test(v) ? String(mapIndex(Number(v), ctx)) : `<bad ${v}>`;
    else if (name === 'x-raft-index' || name === 'x-raft-term') out[name] = /^\d+$/.test(v) ? '<uint>' : `<bad ${v}>`;
    else if (name === 'x-etcd-cluster-id') out[name] = /^[0-9a-f]{1,16}$/.test(v) ? '<hex id>' : `<bad ${v}>`;
    else out[name] = v;
  }
  return out;
}

/** Parses a body as JSON when it is one (normalised), else keeps the text. */
export function normalizeBody(body: string, ctx: IndexContext, opts: NormalizeOptions = {}): { body: unknown; newline?: boolean } {
  const trimmed = body.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return { body: normalizeJson(JSON.parse(trimmed), ctx, opts), newline: body.endsWith('\n') };
    } catch {
      // not JSON after all: compared as text
    }
  }
  return { body };
}

/** Raises ctx.max from an answer's X-Etcd-Index (call before normalising it). */
export function observeIndex(headers: Record<string, string>, ctx: IndexContext): void {
  const v = Number(headers['x-etcd-index'] ?? 'NaN');
  if (Number.isFinite(v) && v > ctx.max) ctx.max = v;
}

export function normalizeResponse(r: V2HttpResponse, ctx: IndexContext, opts: NormalizeOptions = {}): NormalizedV2 {
  observeIndex(r.headers, ctx);
  return { status: r.status, headers: normalizeHeaders(r.headers, ctx), ...normalizeBody(r.body, ctx, opts) };
}
