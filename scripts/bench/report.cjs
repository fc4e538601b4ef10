'use strict';
// Turns etcdbench JSON lines into per-workload medians and a side-by-side table.

function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Server CPU-seconds spent per 1000 operations, from one etcdbench result. */
function cpuSecondsPer1k(r) {
  if (typeof r.ops_per_server_cpu_s === 'number' && r.ops_per_server_cpu_s > 0) return 1000 / r.ops_per_server_cpu_s;
  if (typeof r.server_cpu_pct === 'number' && r.server_cpu_pct > 0 && r.ops > 0) {
    return ((r.server_cpu_pct / 100) * r.duration_s * 1000) / r.ops;
  }
  return undefined;
}

/**
 * @param runs Array<{ server, workload, ok, reason?, result? }>
 * @returns per workload, per server: { runs, failed, reasons, opsPerS, p50Ms, p99Ms, cpuSPer1k, benchCpuPct, errors }
 */
function summarize(runs, workloads, servers) {
  const out = {};
  for (const w of workloads) {
    out[w] = {};
    for (const s of servers) {
      const mine = runs.filter((r) => r.workload === w && r.server === s);
      const good = mine.filter((r) => r.ok && r.result);
      const rs = good.map((r) => r.result);
      out[w][s] = {
        runs: mine.length,
        failed: mine.length - good.length,
        reasons: [...new Set(mine.filter((r) => !r.ok).map((r) => r.reason))],
        opsPerS: median(rs.map((r) => r.ops_per_s)),
        p50Ms: median(rs.map((r) => r.lat_ms?.p50)),
        p99Ms: median(rs.map((r) => r.lat_ms?.p99)),
        cpuSPer1k: median(rs.map(cpuSecondsPer1k)),
        benchCpuPct: median(rs.map((r) => r.bench_cpu_pct)),
        errors: rs.reduce((n, r) => n + (r.errors || 0), 0),
        ops: rs.reduce((n, r) => n + (r.ops || 0), 0),
      };
    }
  }
  return out;
}

function fmt(v, digits) {
  if (v === undefined) return '-';
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(digits);
}

function ratio(a, b, digits = 2) {
  return a !== undefined && b !== undefined && b !== 0 ? `${(a / b).toFixed(digits)}x` : '-';
}

/** One text table per workload; columns etcd, tsetcd, tsetcd/etcd. */
function formatTables(summary, opts) {
  const servers = opts.servers;
  const lines = [];
  const header = `${opts.cluster ? '3 members' : '1 member'}, SCALE_PCT=${opts.scalePct}, warmup ${opts.warmup}, ${opts.reps} rep(s)${opts.reps > 1 ? ' (medians)' : ''}`;
  for (const [w, byServer] of Object.entries(summary)) {
    lines.push('', `== ${w}  (${header})`);
    const cols = [...servers, ...(servers.length === 2 ? [`${servers[1]}/${servers[0]}`] : [])];
    const rows = [];
    const get = (s, k) => byServer[s]?.[k];
    const metric = (name, key, digits) => {
      const vals = servers.map((s) => (get(s, 'failed') === get(s, 'runs') ? 'FAILED' : fmt(get(s, key), digits)));
      if (servers.length === 2) vals.push(ratio(get(servers[1], key), get(servers[0], key)));
      rows.push([name, ...vals]);
    };
    metric('ops/s', 'opsPerS', 0);
    metric('p50 ms', 'p50Ms', 2);
    metric('p99 ms', 'p99Ms', 2);
    metric('server CPU-s / 1k ops', 'cpuSPer1k', 3);
    metric('load generator CPU % (1 core)', 'benchCpuPct', 0);
    rows.push(['op errors', ...servers.map((s) => (get(s, 'failed') === get(s, 'runs') ? 'FAILED' : String(get(s, 'errors')))), ...(servers.length === 2 ? [''] : [])]);
    const widths = [Math.max(26, ...rows.map((r) => r[0].length))];
    cols.forEach((c, i) => { widths[i + 1] = Math.max(c.length, ...rows.map((r) => String(r[i + 1]).length), 8); });
    const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[0]) : String(c).padStart(widths[i]))).join('  ');
    lines.push(line(['metric', ...cols]));
    for (const r of rows) lines.push(line(r));
    for (const s of servers) {
      const reasons = get(s, 'reasons') || [];
      if (reasons.length) lines.push(`${s} failed ${get(s, 'failed')}/${get(s, 'runs')} run(s): ${reasons.join('; ')}`);
    }
  }
  return lines.join('\n');
}

module.exports = { summarize, formatTables, median, cpuSecondsPer1k };
