// Normalising etcdctl's output so runs against two different servers compare equal: the server's
// own ports and name, temp paths, ids, raft numbers, sizes and durations are masked; etcdctl's
// JSON log lines (timestamps, random client ids) are dropped from stderr.
import type { EtcdctlResult } from '../support/etcdctl';
import type { ServerHandle } from '../support/server-process';

/** Table columns whose values differ legitimately between two clusters, and how they must look. */
const TABLE_MASKS: Record<string, [RegExp, string]> = {
  ID: [/^[0-9a-f]+$/, '<id>'],
  'DB SIZE': [/^\d+(\.\d+)? [kMGT]?B$/, '<size>'],
  'RAFT TERM': [/^\d+$/, '<n>'],
  'RAFT INDEX': [/^\d+$/, '<n>'],
  'RAFT APPLIED INDEX': [/^\d+$/, '<n>'],
  VERSION: [/^3\.4\.\d+$/, '3.4.x'],
};

const JSON_ID_FIELDS = /"(cluster_id|member_id|raft_term|ID|memberID|leader|raft_index|raftIndex|raft_applied_index|raftAppliedIndex|raftTerm|dbSize|dbSizeInUse|hash)":"?\d+"?/g;
const JSON_SERVER_VERSION = /"version":"3\.4\.\d+"/g;
const FIELDS_ID_LINES = /^"(ClusterID|MemberID|RaftTerm)" : \d+$/gm;

function replaceAll(text: string, from: string, to: string): string {
  return from === '' ? text : text.split(from).join(to);
}

/** Re-renders `| a | b |` tables with masked cells and fixed-width-free borders. */
function normalizeTables(text: string): string {
  const lines = text.split('\n');
  let header: string[] | undefined;
  return lines
    .map((line) => {
      if (/^\+[-+]+\+$/.test(line)) return '+-+';
      if (!line.startsWith('|')) {
        header = undefined;
        return line;
      }
      const cells = line.split('|').slice(1, -1).map((c) => c.trim());
      if (header === undefined) {
        header = cells;
        return `| ${cells.join(' | ')} |`;
      }
      const masked = cells.map((cell, i) => {
        const rule = TABLE_MASKS[header?.[i] ?? ''];
        return rule !== undefined && rule[0].test(cell) ? rule[1] : cell;
      });
      return `| ${masked.join(' | ')} |`;
    })
    .join('\n');
}

export function normalizeText(text: string, server: ServerHandle, replacements: Record<string, string> = {}): string {
  let out = text;
  for (const [from, to] of Object.entries(replacements)) out = replaceAll(out, from, to);
  out = replaceAll(out, `127.0.0.1:${server.clientPort}`, '<client>');
  out = replaceAll(out, `127.0.0.1:${server.peerPort}`, '<peer>');
  out = replaceAll(out, server.name, '<name>');
  out = out.replace(JSON_ID_FIELDS, '"$1":"<n>"');
  out = out.replace(JSON_SERVER_VERSION, '"version":"3.4.x"');
  out = out.replace(FIELDS_ID_LINES, '"$1" : <n>');
  out = out.replace(/took = [0-9.]+[a-zµ]+/g, 'took = <duration>');
  // lease ids are chosen by the server; remaining TTLs count down
  out = out.replace(/\blease [0-9a-f]+\b/g, 'lease <id>');
  out = out.replace(/^[0-9a-f]{6,16}$/gm, '<id>');
  out = out.replace(/remaining\(\d+s\)/g, 'remaining(<n>s)');
  // the hash of the KV store (bbolt layout in etcd)
  out = out.replace(/^(<client>), \d+$/gm, '$1, <hash>');
  out = out.replace(/"hash_revision":\d+/g, '"hash_revision":"<n>"');
  // snapshot status -w json: the file's hash and size depend on the database layout
  out = out.replace(/"(hash|totalSize)":\d+/g, '"$1":"<n>"');
  return normalizeTables(out);
}

export function normalizeEtcdctl(result: EtcdctlResult, server: ServerHandle, replacements: Record<string, string> = {}): EtcdctlResult {
  const stderr = result.stderr
    .split('\n')
    .filter((line) => !line.startsWith('{"level":'))
    .join('\n');
  return {
    exitCode: result.exitCode,
    stdout: normalizeText(result.stdout, server, replacements),
    stderr: normalizeText(stderr, server, replacements),
  };
}
