// Decoding v2 JSON answers: index fields become bigints without passing through a double.
import type { IncomingHttpHeaders } from 'node:http';
import { V2Error, V2InvalidJsonError } from './errors';
import type { V2Member, V2Node, V2Response } from './types';

const INDEX_FIELDS = /"(createdIndex|modifiedIndex|index)"\s*:\s*(\d+)/g;

/** JSON.parse with the index fields kept exact (quoted before parsing, read back as bigint). */
function parseWithIndexes(text: string): unknown {
  return JSON.parse(text.replace(INDEX_FIELDS, '"$1":"$2"'));
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function toBigint(v: unknown): bigint {
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return 0n;
}

function toNode(v: unknown): V2Node | undefined {
  const r = asRecord(v);
  if (r === undefined) return undefined;
  const node: V2Node = {
    key: typeof r.key === 'string' ? r.key : '',
    dir: r.dir === true,
    value: typeof r.value === 'string' ? r.value : '',
    createdIndex: toBigint(r.createdIndex),
    modifiedIndex: toBigint(r.modifiedIndex),
    ttlSeconds: typeof r.ttl === 'number' ? r.ttl : 0,
  };
  if (Array.isArray(r.nodes)) node.nodes = r.nodes.map(toNode).filter((n): n is V2Node => n !== undefined);
  if (typeof r.expiration === 'string') node.expiration = r.expiration;
  return node;
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

/** A 200/201 keys answer (the body must be non-empty: callers check). */
export function decodeKeysResponse(headers: IncomingHttpHeaders, body: string): V2Response {
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = asRecord(parseWithIndexes(body));
  } catch {
    throw new V2InvalidJsonError();
  }
  if (parsed === undefined) throw new V2InvalidJsonError();
  const indexText = header(headers, 'X-Etcd-Index');
  return {
    action: typeof parsed.action === 'string' ? parsed.action : '',
    node: toNode(parsed.node),
    prevNode: toNode(parsed.prevNode),
    index: /^\d+$/.test(indexText) ? BigInt(indexText) : 0n,
    clusterId: header(headers, 'X-Etcd-Cluster-Id'),
  };
}

/** Any other status: the body is a v2 error. */
export function decodeKeysError(body: string): V2Error | V2InvalidJsonError {
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = asRecord(parseWithIndexes(body));
  } catch {
    return new V2InvalidJsonError();
  }
  if (parsed === undefined) return new V2InvalidJsonError();
  return new V2Error(
    typeof parsed.errorCode === 'number' ? parsed.errorCode : 0,
    typeof parsed.message === 'string' ? parsed.message : '',
    typeof parsed.cause === 'string' ? parsed.cause : '',
    toBigint(parsed.index),
  );
}

export function decodeMember(v: unknown): V2Member {
  const r = asRecord(v) ?? {};
  const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);
  const idText = typeof r.id === 'string' ? r.id : '';
  return {
    id: /^[0-9a-fA-F]+$/.test(idText) ? BigInt(`0x${idText}`) : 0n,
    name: typeof r.name === 'string' ? r.name : '',
    peerURLs: strings(r.peerURLs),
    clientURLs: strings(r.clientURLs),
  };
}

export function decodeMemberList(body: string): V2Member[] {
  const parsed = asRecord(JSON.parse(body));
  const members = parsed?.members;
  return Array.isArray(members) ? members.map(decodeMember) : [];
}
