// Results hold keys and values as bytes (Buffer) with string getters; every revision is a bigint.
import type { KeyValue as WireKeyValue, ResponseHeader as WireHeader } from '@tsetcd/api';

export class KeyValue {
  constructor(
    readonly key: Buffer,
    readonly value: Buffer,
    readonly createRevision: bigint,
    readonly modRevision: bigint,
    readonly version: bigint,
    readonly lease: bigint,
  ) {}

  static fromWire(kv: WireKeyValue): KeyValue {
    return new KeyValue(kv.key, kv.value, kv.createRevision, kv.modRevision, kv.version, kv.lease);
  }

  /** A copy with another key (namespaces strip their prefix with this). */
  withKey(key: Buffer): KeyValue {
    return new KeyValue(key, this.value, this.createRevision, this.modRevision, this.version, this.lease);
  }

  keyString(): string {
    return this.key.toString('utf8');
  }

  valueString(): string {
    return this.value.toString('utf8');
  }
}

export interface ResponseHeader {
  clusterId: bigint;
  memberId: bigint;
  revision: bigint;
  raftTerm: bigint;
}

export function headerFromWire(header: WireHeader | undefined): ResponseHeader {
  return {
    clusterId: header?.clusterId ?? 0n,
    memberId: header?.memberId ?? 0n,
    revision: header?.revision ?? 0n,
    raftTerm: header?.raftTerm ?? 0n,
  };
}
