// etcd's response messages as Go structs (field order and json tags of etcdserverpb / mvccpb).
import type { KeyValue, ResponseHeader } from '../index';
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

export { f, oe, struct };
