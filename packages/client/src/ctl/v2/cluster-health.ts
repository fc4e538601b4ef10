// cluster-health: list the members, then GET <clientURL>/health on each.
import http from 'node:http';
import https from 'node:https';
import type { V2Member } from '../../v2';
import { DIAL_TIMEOUT_MS, EXIT_CLUSTER_NOT_HEALTHY, EXIT_SERVER_ERROR, EXIT_SUCCESS, type V2Ctl } from './context';
import type { V2Command } from './command';

/** Seconds between checks with --forever. */
export const CLUSTER_HEALTH_INTERVAL_MS = 10_000;

function getBody(url: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const req = (target.protocol === 'https:' ? https : http).get(target, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('i/o timeout')));
    req.on('error', (err: NodeJS.ErrnoException & { address?: string; port?: number }) => {
      if (err.code === 'ECONNREFUSED') reject(new Error(`Get ${JSON.stringify(url)}: dial tcp ${err.address}:${err.port}: connect: connection refused`));
      else reject(new Error(`Get ${JSON.stringify(url)}: ${err.message}`));
    });
  });
}

/** encoding/json's syntax error text for a body JSON.parse rejected (the common shapes). */
export function goJsonSyntaxError(body: string): string {
  const trimmed = body.trim();
  if (trimmed === '') return 'unexpected end of JSON input';
  const first = trimmed[0] ?? '';
  if (!'{["-0123456789tfn'.includes(first)) return `invalid character '${first}' looking for beginning of value`;
  try {
    JSON.parse(body);
  } catch (err) {
    const m = /after JSON at position (\d+)/.exec(err instanceof Error ? err.message : '');
    if (m?.[1] !== undefined) return `invalid character '${body[Number(m[1])] ?? ''}' after top-level value`;
  }
  return 'unexpected end of JSON input';
}

/** {"health":"true"} or {"health":true} (Go's case-insensitive field match). */
function parseHealth(body: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error(goJsonSyntaxError(body));
  }
  if (typeof parsed !== 'object' || parsed === null) return false;
  for (const [k, v] of Object.entries(parsed)) {
    if (k.toLowerCase() === 'health') return v === 'true' || v === true;
  }
  return false;
}

async function check(ctl: V2Ctl, members: V2Member[], timeoutMs: number): Promise<number> {
  let healthy = 0;
  let out = '';
  for (const m of members) {
    const id = m.id.toString(16);
    if (m.clientURLs.length === 0) {
      out += `member ${id} is unreachable: no available published client urls\n`;
      continue;
    }
    let checked = false;
    for (const url of m.clientURLs) {
      let ok: boolean;
      try {
        ok = parseHealth(await getBody(`${url}/health`, timeoutMs));
      } catch (err) {
        out += `failed to check the health of member ${id} on ${url}: ${err instanceof Error ? err.message : String(err)}\n`;
        continue;
      }
      checked = true;
      if (ok) {
        out += `member ${id} is healthy: got healthy result from ${url}\n`;
        healthy++;
      } else {
        out += `member ${id} is unhealthy: got unhealthy result from ${url}\n`;
      }
      break;
    }
    if (!checked) out += `member ${id} is unreachable: [${m.clientURLs.join(' ')}] are all unreachable\n`;
  }
  if (healthy === members.length) out += 'cluster is healthy\n';
  else if (healthy === 0) out += 'cluster is unavailable\n';
  else out += 'cluster is degraded\n';
  ctl.io.out(out);
  return healthy;
}

export const clusterHealthCommand: V2Command = {
  name: 'cluster-health',
  usage: 'check the health of the etcd cluster',
  argsUsage: ' ',
  flags: [{ name: 'forever, f', kind: 'bool', usage: 'forever check the health every 10 second until CTRL+C' }],
  run: async (ctl) => {
    const client = await ctl.clientNoSync();
    let members: V2Member[];
    try {
      members = await client.members.list();
    } catch (err) {
      ctl.io.out('cluster may be unhealthy: failed to list members\n');
      return ctl.fail(EXIT_SERVER_ERROR, err);
    }
    const totalMs = ctl.globalDurationMs('total-timeout');
    const timeoutMs = totalMs > 0 && totalMs < DIAL_TIMEOUT_MS ? totalMs : DIAL_TIMEOUT_MS;
    for (;;) {
      const healthy = await check(ctl, members, timeoutMs);
      if (!ctl.bool('forever')) ctl.exit(healthy === members.length ? EXIT_SUCCESS : EXIT_CLUSTER_NOT_HEALTHY);
      ctl.io.out('\nnext check after 10 second...\n\n');
      await new Promise((r) => setTimeout(r, CLUSTER_HEALTH_INTERVAL_MS));
    }
  },
};
