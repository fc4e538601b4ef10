// Queue and PriorityQueue in contrib/recipes' layouts: items are `<prefix>/<unix nanos>` (FIFO by
// create revision) or `<prefix>/<priority %05d>/<sequence %016d>` (lowest priority number first).
import type { Bytes, KeyspaceView, KeyValue } from '@tsetcd/client';
import { deleteRevKey, putSequentialKey, putUniqueKey, waitEvent } from './remote-kv';

export interface QueueCallOptions {
  signal?: AbortSignal;
}

abstract class BaseQueue {
  constructor(
    readonly client: KeyspaceView,
    readonly keyPrefix: string,
  ) {}

  protected abstract sort: 'create' | 'key';

  /** Take the head item, waiting for one when the queue is empty. */
  async dequeue(options: QueueCallOptions = {}): Promise<Buffer> {
    for (;;) {
      const res = await this.client.range({ key: this.keyPrefix, prefix: true, sort: { target: this.sort, order: 'ascend' }, limit: 1, signal: options.signal });
      const head: KeyValue | undefined = res.kvs[0];
      if (head !== undefined) {
        if (await deleteRevKey(this.client, head.key, head.modRevision, options.signal)) return head.value;
        continue;
      }
      const ev = await waitEvent(this.client, this.keyPrefix, res.header.revision, ['put'], { prefix: true, signal: options.signal });
      if (await deleteRevKey(this.client, ev.kv.key, ev.kv.modRevision, options.signal)) return ev.kv.value;
    }
  }

  /** Items waiting, oldest/highest-priority first, without taking them. */
  async peekAll(options: QueueCallOptions = {}): Promise<Buffer[]> {
    const res = await this.client.range({ key: this.keyPrefix, prefix: true, sort: { target: this.sort, order: 'ascend' }, signal: options.signal });
    return res.kvs.map((kv) => kv.value);
  }
}

export class Queue extends BaseQueue {
  protected sort = 'create' as const;

  async enqueue(value: Bytes, options: QueueCallOptions = {}): Promise<string> {
    return (await putUniqueKey(this.client, this.keyPrefix, value, 0n, options.signal)).key;
  }
}

export const MAX_PRIORITY = 0xffff;

export class PriorityQueue extends BaseQueue {
  protected sort = 'key' as const;

  /** Lower numbers dequeue first (Go's uint16 priority). */
  async enqueue(value: Bytes, priority: number, options: QueueCallOptions = {}): Promise<string> {
    if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY) throw new RangeError(`priority must be an integer in [0, ${MAX_PRIORITY}]`);
    const prefix = `${this.keyPrefix}/${priority.toString().padStart(5, '0')}`;
    return (await putSequentialKey(this.client, prefix, value, options.signal)).key;
  }
}
