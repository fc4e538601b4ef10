// etcdctl v2's printResponseKey: simple / extended / json renderings of a keys response.
import { goMarshal, struct, f, oe, type GoValue } from '../go-json';
import type { V2Node, V2Response } from '../../v2';

/** Go re-marshals a parsed time as RFC3339Nano: trailing zeros of the fraction dropped. */
export function goRfc3339Nano(text: string): string {
  return text.replace(/\.(\d*?)0+(Z|[+-]\d\d:\d\d)$/, (_m, digits: string, zone: string) => (digits ? `.${digits}${zone}` : zone));
}

function nodeValue(node: V2Node | undefined): GoValue {
  if (node === undefined) return null;
  return struct(
    f('key', node.key),
    oe('dir', node.dir),
    f('value', node.value),
    f('nodes', node.nodes === undefined ? null : node.nodes.map(nodeValue)),
    f('createdIndex', node.createdIndex),
    f('modifiedIndex', node.modifiedIndex),
    oe('expiration', node.expiration === undefined ? null : goRfc3339Nano(node.expiration)),
    oe('ttl', node.ttlSeconds),
  );
}

/** encoding/json of the Go client's Response (Index and ClusterID are not marshalled). */
export function responseJson(resp: V2Response): string {
  return goMarshal(struct(f('action', resp.action), f('node', nodeValue(resp.node)), f('prevNode', nodeValue(resp.prevNode))));
}

/** printResponseKey: returns [stdout text, stderr text]. */
export function formatResponse(resp: V2Response, format: string): [string, string] {
  const node = resp.node;
  switch (format) {
    case 'simple':
      return [resp.action !== 'delete' ? `${node?.value ?? ''}\n` : `PrevNode.Value: ${resp.prevNode?.value ?? ''}\n`, ''];
    case 'extended': {
      let s = `Key: ${node?.key ?? ''}\nCreated-Index: ${node?.createdIndex ?? 0n}\nModified-Index: ${node?.modifiedIndex ?? 0n}\n`;
      if (resp.prevNode !== undefined) s += `PrevNode.Value: ${resp.prevNode.value}\n`;
      s += `TTL: ${node?.ttlSeconds ?? 0}\nIndex: ${resp.index}\n`;
      if (resp.action !== 'delete') s += `\n${node?.value ?? ''}\n`;
      return [s, ''];
    }
    case 'json':
      return [`${responseJson(resp)}\n`, ''];
    default:
      return ['', `Unsupported output format: ${format}\n`];
  }
}
