// One node of the v2 tree: a key (value) or a directory (children), with indexes and an optional
// expiration time (ms since the epoch; 0 = permanent).

import type { V2NodeExtern } from './v2-event';
import { splitV2Path } from './v2-path';

export const PERMANENT = 0;
/** etcd treats expiration times before 2000-01-01 as "no TTL". */
export const MIN_EXPIRE_TIME_MS = Date.UTC(2000, 0, 1);

export class V2Node {
  readonly children: Map<string, V2Node> | undefined;
  heapIndex = -1;

  constructor(
    readonly path: string,
    public value: string,
    public createdIndex: number,
    public modifiedIndex: number,
    public parent: V2Node | undefined,
    public expireTimeMs: number,
    dir: boolean,
  ) {
    this.children = dir ? new Map() : undefined;
  }

  get isDir(): boolean {
    return this.children !== undefined;
  }

  get isPermanent(): boolean {
    return this.expireTimeMs === PERMANENT;
  }

  get name(): string {
    return splitV2Path(this.path)[1];
  }

  get isHidden(): boolean {
    return this.name.startsWith('_');
  }

  /** [expiration RFC3339, ttl seconds rounded up] or undefined for permanent nodes. */
  expirationAndTtl(nowMs: number): { expiration: string; ttl: number } | undefined {
    if (this.isPermanent) return undefined;
    const leftMs = this.expireTimeMs - nowMs;
    const ttl = Math.ceil(leftMs / 1000);
    return { expiration: new Date(this.expireTimeMs).toISOString(), ttl };
  }

  /** etcd's Repr: children only when recursive; hidden children are left out. */
  repr(recursive: boolean, sorted: boolean, nowMs: number): V2NodeExtern {
    const out: V2NodeExtern = { key: this.path, modifiedIndex: this.modifiedIndex, createdIndex: this.createdIndex };
    if (this.isDir) {
      out.dir = true;
      if (recursive) out.nodes = this.listExtern(recursive, sorted, nowMs);
    } else {
      out.value = this.value;
    }
    this.fillTtl(out, nowMs);
    return out;
  }

  /** etcd's loadInternalNode: a directory lists its visible children (their subtrees when recursive). */
  load(recursive: boolean, sorted: boolean, nowMs: number): V2NodeExtern {
    const out: V2NodeExtern = { key: this.path, modifiedIndex: this.modifiedIndex, createdIndex: this.createdIndex };
    if (this.isDir) {
      out.dir = true;
      out.nodes = this.listExtern(recursive, sorted, nowMs);
    } else {
      out.value = this.value;
    }
    this.fillTtl(out, nowMs);
    return out;
  }

  fillTtl(out: V2NodeExtern, nowMs: number): void {
    const t = this.expirationAndTtl(nowMs);
    if (t !== undefined) {
      out.expiration = t.expiration;
      out.ttl = t.ttl;
    }
  }

  private listExtern(recursive: boolean, sorted: boolean, nowMs: number): V2NodeExtern[] {
    const nodes: V2NodeExtern[] = [];
    for (const child of this.children?.values() ?? []) {
      if (!child.isHidden) nodes.push(child.repr(recursive, sorted, nowMs));
    }
    if (sorted) nodes.sort(byKeyBytes);
    return nodes;
  }
}

/** Go sorts keys as strings, i.e. by their UTF-8 bytes (JS `<` compares UTF-16 code units). */
function byKeyBytes(a: V2NodeExtern, b: V2NodeExtern): number {
  const x = a.key ?? '';
  const y = b.key ?? '';
  if (isAscii(x) && isAscii(y)) return x < y ? -1 : x > y ? 1 : 0;
  return Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8'));
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
