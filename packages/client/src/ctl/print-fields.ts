// `-w fields` output (etcdctl 3.4's fieldsPrinter): one `"Name" : value` line per field.
import type { DeleteResult, KeyValue, PutResult, RangeResult, ResponseHeader } from '../index';
import { goQuote } from './go-format';

export function fieldsHeader(h: ResponseHeader): string {
  return `"ClusterID" : ${h.clusterId}\n"MemberID" : ${h.memberId}\n"Revision" : ${h.revision}\n"RaftTerm" : ${h.raftTerm}\n`;
}

export function fieldsKv(pfx: string, kv: KeyValue): string {
  return (
    `"${pfx}Key" : ${goQuote(kv.key.toString('utf8'))}\n` +
    `"${pfx}CreateRevision" : ${kv.createRevision}\n` +
    `"${pfx}ModRevision" : ${kv.modRevision}\n` +
    `"${pfx}Version" : ${kv.version}\n` +
    `"${pfx}Value" : ${goQuote(kv.value.toString('utf8'))}\n` +
    `"${pfx}Lease" : ${kv.lease}\n`
  );
}

export function fieldsGet(r: RangeResult): string {
  return fieldsHeader(r.header) + r.kvs.map((kv) => fieldsKv('', kv)).join('') + `"More" : ${r.more}\n"Count" : ${r.count}\n`;
}

export function fieldsPut(r: PutResult): string {
  return fieldsHeader(r.header) + (r.prevKv ? fieldsKv('Prev', r.prevKv) : '');
}

export function fieldsDel(r: DeleteResult): string {
  return fieldsHeader(r.header) + `"Deleted" : ${r.deleted}\n` + r.prevKvs.map((kv) => fieldsKv('Prev', kv)).join('');
}

export function fieldsLease(h: ResponseHeader, id: bigint, ttlSeconds: bigint): string {
  return fieldsHeader(h) + `"ID" : ${id}\n"TTL" : ${ttlSeconds}\n`;
}
