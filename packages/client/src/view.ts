// The key-space operations (KV, txn, watch, lease key lists) of the whole store or of a namespace.
import { CompactionRequest, KVDefinition, type TxnRequest } from '@tsetcd/api';
import type { Bytes } from './bytes';
import type { CallOptions, Caller } from './caller';
import { decodeDelete, decodePut, decodeRange, decodeTxn, encodeDelete, encodePut, encodeRange } from './kv-codec';
import { headerFromWire, type KeyValue } from './key-value';
import { prefixMapper, type KeyMapper } from './key-mapper';
import type { CompactOptions, CompactResult, DeleteOptions, DeleteResult, KeyRange, PutOptions, PutResult, RangeOptions, RangeResult, TxnResult } from './kv-types';
import type { KeepAliveHub } from './keepalive';
import { LeaseApi } from './lease';
import { TxnBuilder } from './txn';
import type { WatchEvent, WatchHub, WatchOptions, Watcher } from './watch';

export class KeyspaceView {
  /** Leases; in a namespace, timeToLive key lists hold only this namespace's keys, prefix stripped. */
  readonly lease: LeaseApi;

  constructor(
    protected readonly caller: Caller,
    protected readonly watchHub: WatchHub,
    protected readonly keepAliveHub: KeepAliveHub,
    readonly mapper: KeyMapper,
  ) {
    this.lease = new LeaseApi(caller, keepAliveHub, mapper);
  }

  /** The prefix this view adds to every key (empty for the client itself). */
  get prefix(): Buffer {
    return this.mapper.prefix;
  }

  /** A view whose keys are prefixed with `prefix` on the way out and stripped on the way back. */
  namespace(prefix: Bytes): KeyspaceView {
    return new KeyspaceView(this.caller, this.watchHub, this.keepAliveHub, prefixMapper(prefix, this.mapper));
  }

  /** One key's current value, or undefined. */
  async get(key: Bytes, options: CallOptions & Omit<RangeOptions, 'key' | 'end' | 'prefix' | 'fromKey'> = {}): Promise<KeyValue | undefined> {
    const result = await this.range({ ...options, key });
    return result.kvs[0];
  }

  async range(options: RangeOptions & CallOptions): Promise<RangeResult> {
    const res = await this.caller.unary(KVDefinition, KVDefinition.methods.range, encodeRange(options, this.mapper), 'read', options);
    return decodeRange(res, this.mapper);
  }

  async put(key: Bytes, value: Bytes, options: PutOptions & CallOptions = {}): Promise<PutResult> {
    const res = await this.caller.unary(KVDefinition, KVDefinition.methods.put, encodePut(key, value, options, this.mapper), 'write', options);
    return decodePut(res, this.mapper);
  }

  /** Delete one key (string/bytes) or a range ({ key, end | prefix | fromKey }). */
  async delete(target: Bytes | KeyRange, options: DeleteOptions & CallOptions = {}): Promise<DeleteResult> {
    const res = await this.caller.unary(KVDefinition, KVDefinition.methods.deleteRange, encodeDelete(target, options, this.mapper), 'write', options);
    return decodeDelete(res, this.mapper);
  }

  /** `txn().if(Compare...).then(Op...).else(Op...).commit()`. */
  txn(options: CallOptions = {}): TxnBuilder {
    return new TxnBuilder(this.mapper, async (request: TxnRequest, readOnly: boolean): Promise<TxnResult> => {
      const res = await this.caller.unary(KVDefinition, KVDefinition.methods.txn, request, readOnly ? 'read' : 'write', options);
      return decodeTxn(res, this.mapper);
    });
  }

  /** Compact the key-value history up to `revision` (the whole store; namespaces do not apply). */
  async compact(revision: bigint, options: CompactOptions = {}): Promise<CompactResult> {
    const res = await this.caller.unary(
      KVDefinition,
      KVDefinition.methods.compact,
      CompactionRequest.fromPartial({ revision, physical: options.physical ?? false }),
      'write',
      options,
    );
    return { header: headerFromWire(res.header) };
  }

  /**
   * Watch a key, prefix or range: `for await (const ev of view.watch('k', { prefix: true }))`.
   * Survives disconnects and member failures (resumes after the last delivered revision).
   */
  watch(key: Bytes, options: WatchOptions = {}): Watcher & AsyncIterable<WatchEvent> {
    return this.watchHub.watch(key, options, this.mapper);
  }
}
