// etcd's response messages as Go structs (field order and json tags of etcdserverpb / mvccpb).
import type { KeyValue, ResponseHeader, WatchEvent } from '../index';
import { f, oe, struct, type GoField, type GoStruct } from './go-json';

export function headerFields(h: ResponseHeader): GoField[] {
  return [oe('cluster_id', h.clusterId), oe('member_id', h.memberId), oe('revision', h.revision), oe('raft_term', h.raftTerm)];
}

export function headerStruct(h: ResponseHeader): GoStruct {
  return struct(headerFields(h));
}

export function kvStruct(kv: KeyValue): GoStruct {
  return struct(
    oe('key', kv.key),
    oe('create_revision', kv.createRevision),
    oe('mod_revision', kv.modRevision),
    oe('version', kv.version),
    oe('value', kv.value),
    oe('lease', kv.lease),
  );
}

/** An event of a watch response: mvccpb.Event (type PUT = 0 is omitted). */
export type WatchKvEvent = Extract<WatchEvent, { kind: 'put' | 'delete' }>;

/** clientv3.WatchResponse as etcdctl -w json prints it (no json tags: Go's field names). */
export function watchResponseStruct(h: ResponseHeader, events: readonly WatchKvEvent[]): GoStruct {
  const eventStruct = (ev: WatchKvEvent): GoStruct =>
    struct(oe('type', ev.kind === 'delete' ? 1 : 0), f('kv', kvStruct(ev.kv)), ...(ev.prevKv ? [f('prev_kv', kvStruct(ev.prevKv))] : []));
  return struct(
    f('Header', headerStruct(h)),
    f('Events', events.length === 0 ? null : events.map(eventStruct)),
    f('CompactRevision', 0),
    f('Canceled', false),
    f('Created', false),
  );
}

export { f, oe, struct };
