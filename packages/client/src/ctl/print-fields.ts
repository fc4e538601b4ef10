// `-w fields` output (etcdctl 3.4's fieldsPrinter): one `"Name" : value` line per field.
import type { DeleteResult, TxnResult, KeyValue, MembersResult, PutResult, RangeResult, ResponseHeader, StatusResult } from '../index';
import { goQuote } from './go-format';

export function fieldsHeader(h: ResponseHeader): string {
  return `"ClusterID" : ${u64(h.clusterId)}\n"MemberID" : ${u64(h.memberId)}\n"Revision" : ${h.revision}\n"RaftTerm" : ${h.raftTerm}\n`;
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

/** A watch response: the header, then per event its type, its previous kv and its kv. */
export function fieldsWatch(h: ResponseHeader, events: readonly { kind: 'put' | 'delete'; kv: KeyValue; prevKv: KeyValue | undefined }[]): string {
  return fieldsHeader(h) + events.map((ev) => `"Type" : ${ev.kind === 'delete' ? 'DELETE' : 'PUT'}
${ev.prevKv ? fieldsKv('Prev', ev.prevKv) : ''}${fieldsKv('', ev.kv)}`).join('');
}

export function fieldsLease(h: ResponseHeader, id: bigint, ttlSeconds: bigint): string {
  return fieldsHeader(h) + `"ID" : ${id}\n"TTL" : ${ttlSeconds}\n`;
}

/** Go prints uint64 ids unsigned. */
function u64(n: bigint): bigint {
  return BigInt.asUintN(64, n);
}

export function fieldsMemberList(r: MembersResult): string {
  let out = fieldsHeader(r.header);
  for (const m of r.members) {
    out += `"ID" : ${u64(m.id)}\n"Name" : ${goQuote(m.name)}\n`;
    for (const u of m.peerUrls) out += `"PeerURL" : ${goQuote(u)}\n`;
    for (const u of m.clientUrls) out += `"ClientURL" : ${goQuote(u)}\n`;
    out += `"IsLearner" : ${m.isLearner}\n\n`;
  }
  return out;
}

export function fieldsEndpointStatus(list: { ep: string; s: StatusResult }[]): string {
  return list
    .map(
      ({ ep, s }) =>
        fieldsHeader(s.header) +
        `"Version" : ${goQuote(s.version)}\n"DBSize" : ${s.dbSize}\n"Leader" : ${u64(s.leader)}\n"IsLearner" : ${s.isLearner}\n` +
        `"RaftIndex" : ${s.raftIndex}\n"RaftTerm" : ${s.raftTerm}\n"RaftAppliedIndex" : ${s.raftAppliedIndex}\n` +
        `"Errors" : [${s.errors.join(' ')}]\n"Endpoint" : ${goQuote(ep)}\n\n`,
    )
    .join('');
}

export function fieldsEndpointHashKV(list: { ep: string; header: ResponseHeader; hash: bigint | number }[]): string {
  return list.map((h) => `${fieldsHeader(h.header)}"Endpoint" : ${goQuote(h.ep)}\n"Hash" : ${h.hash}\n\n`).join('');
}

export function fieldsEndpointHealth(list: { ep: string; health: boolean; took: string; error: string }[]): string {
  return list.map((h) => `"Endpoint" : ${goQuote(h.ep)}\n"Health" : ${h.health}\n"Took" : ${h.took}\n"Error" : ${h.error}\n\n`).join('');
}

export function fieldsTxn(r: TxnResult): string {
  let out = `${fieldsHeader(r.header)}"Succeeded" : ${r.succeeded}\n`;
  for (const op of r.responses) {
    if (op.kind === 'range') out += fieldsGet(op);
    else if (op.kind === 'put') out += fieldsPut(op);
    else if (op.kind === 'delete') out += fieldsDel(op);
  }
  return out;
}
