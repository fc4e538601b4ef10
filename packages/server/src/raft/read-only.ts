// ReadIndex bookkeeping for ReadOnlySafe: each request waits for a heartbeat quorum carrying its context.
import type { Message, NodeId } from './types';

export interface ReadIndexStatus {
  readonly req: Message;
  readonly index: number;
  readonly acks: Set<NodeId>;
}

function ctxKey(ctx: Uint8Array): string {
  let s = '';
  for (const b of ctx) s += b.toString(16).padStart(2, '0');
  return s;
}

/** The request context of a MsgReadIndex (carried as its single entry's data, like etcd). */
export function readIndexCtx(m: Message): Uint8Array {
  return m.entries[0]?.data ?? new Uint8Array(0);
}

export class ReadOnly {
  private pending = new Map<string, ReadIndexStatus>();
  private queue: string[] = [];

  /** Queues a read request; `index` is the commit index when it was received. */
  addRequest(index: number, m: Message): void {
    const key = ctxKey(readIndexCtx(m));
    if (this.pending.has(key)) return;
    this.pending.set(key, { req: m, index, acks: new Set() });
    this.queue.push(key);
  }

  /** Records a heartbeat ack carrying ctx; returns who has acked it so far. */
  recvAck(id: NodeId, ctx: Uint8Array): ReadonlySet<NodeId> | undefined {
    const rs = this.pending.get(ctxKey(ctx));
    if (!rs) return undefined;
    rs.acks.add(id);
    return rs.acks;
  }

  /** Dequeues every request up to and including the one with this context (earlier ones are confirmed too). */
  advance(ctx: Uint8Array): ReadIndexStatus[] {
    const key = ctxKey(ctx);
    const at = this.queue.indexOf(key);
    if (at < 0) return [];
    const done = this.queue.splice(0, at + 1);
    const out: ReadIndexStatus[] = [];
    for (const k of done) {
      const rs = this.pending.get(k);
      if (rs) out.push(rs);
      this.pending.delete(k);
    }
    return out;
  }

  lastPendingRequestCtx(): Uint8Array | undefined {
    const k = this.queue[this.queue.length - 1];
    if (k === undefined) return undefined;
    return readIndexCtx(this.pending.get(k)!.req);
  }

  get size(): number {
    return this.queue.length;
  }
}
