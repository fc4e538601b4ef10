// Events and the external (JSON) shape of nodes, as the v2 API returns them.

export const V2_ACTIONS = {
  get: 'get',
  create: 'create',
  set: 'set',
  update: 'update',
  delete: 'delete',
  compareAndSwap: 'compareAndSwap',
  compareAndDelete: 'compareAndDelete',
  expire: 'expire',
} as const;

export type V2Action = (typeof V2_ACTIONS)[keyof typeof V2_ACTIONS];

/** A node as the API renders it (etcd's NodeExtern); absent fields are omitted from JSON. */
export interface V2NodeExtern {
  key?: string;
  value?: string;
  dir?: boolean;
  expiration?: string;
  ttl?: number;
  nodes?: V2NodeExtern[];
  modifiedIndex: number;
  createdIndex: number;
}

export interface V2Event {
  action: V2Action;
  node: V2NodeExtern;
  prevNode?: V2NodeExtern;
  /** Store index when the event was produced / handed out (the X-Etcd-Index header); not in JSON. */
  etcdIndex: number;
  /** A TTL refresh: kept in history for index continuity, never delivered to watchers. */
  refresh?: boolean;
}

export function eventIndex(e: V2Event): number {
  return e.node.modifiedIndex;
}

export function newV2Event(action: V2Action, key: string, modifiedIndex: number, createdIndex: number): V2Event {
  return { action, node: { key, modifiedIndex, createdIndex }, etcdIndex: 0 };
}

export function cloneV2Event(e: V2Event): V2Event {
  return structuredClone(e);
}

/** Actions whose answer noValueOnSuccess shortens to `{"action":...}` (deletes keep their body). */
const NO_VALUE_ACTIONS: ReadonlySet<V2Action> = new Set<V2Action>(['set', 'compareAndSwap', 'create', 'update']);

/**
 * The JSON body of an event, field order as etcd writes it. `keyPrefix` (the API's namespace, e.g.
 * `/1`) is cut from every key on the way out; the event itself is shared and left as it is.
 */
export function v2EventJson(e: V2Event, noValueOnSuccess = false, keyPrefix = ''): string {
  if (noValueOnSuccess && NO_VALUE_ACTIONS.has(e.action)) return JSON.stringify({ action: e.action });
  const body: { action: string; node: unknown; prevNode?: unknown } = { action: e.action, node: orderNode(e.node, keyPrefix) };
  if (e.prevNode !== undefined) body.prevNode = orderNode(e.prevNode, keyPrefix);
  return JSON.stringify(body);
}

function orderNode(n: V2NodeExtern, keyPrefix: string): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const key = keyPrefix !== '' && n.key?.startsWith(keyPrefix) === true ? n.key.slice(keyPrefix.length) : n.key;
  if (key !== undefined && key !== '') o.key = key;
  if (n.value !== undefined) o.value = n.value;
  if (n.dir === true) o.dir = true;
  if (n.expiration !== undefined) o.expiration = n.expiration;
  if (n.ttl !== undefined && n.ttl !== 0) o.ttl = n.ttl;
  if (n.nodes !== undefined && n.nodes.length > 0) o.nodes = n.nodes.map((c) => orderNode(c, keyPrefix));
  if (n.modifiedIndex !== 0) o.modifiedIndex = n.modifiedIndex;
  if (n.createdIndex !== 0) o.createdIndex = n.createdIndex;
  return o;
}
