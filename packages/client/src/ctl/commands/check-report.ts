// What `check perf` / `check datascale` measure (etcd's pkg/report statistics) and how etcdctl judges them.

export interface LoadResult {
  /** Seconds each successful request took. */
  latenciesS: number[];
  /** Error text -> how many requests failed with it. */
  errors: Map<string, number>;
  /** Seconds from the first request to the last answer. */
  totalS: number;
}

export interface LoadStats {
  rps: number;
  slowestS: number;
  stddevS: number;
  errors: Map<string, number>;
}

export function loadStats(r: LoadResult): LoadStats {
  const n = r.latenciesS.length;
  const avg = r.latenciesS.reduce((a, b) => a + b, 0) / n;
  const variance = r.latenciesS.reduce((a, l) => a + (l - avg) * (l - avg), 0) / n;
  return { rps: n / r.totalS, slowestS: n > 0 ? Math.max(...r.latenciesS) : 0, stddevS: Math.sqrt(variance), errors: r.errors };
}

/** etcdctl check perf's limits: throughput above 90% of the target, slowest <= 0.5 s, stddev <= 0.1 s. */
export const PERF_MIN_RATE_FRACTION = 0.9;
export const PERF_SLOWEST_MAX_S = 0.5;
export const PERF_STDDEV_MAX_S = 0.1;

/** Go's %f: six decimals. */
const f6 = (x: number): string => (Number.isNaN(x) ? 'NaN' : x.toFixed(6));

/** etcdctl check perf's verdict lines, and whether it passed. */
export function perfVerdict(s: LoadStats, targetRate: number): { lines: string[]; ok: boolean } {
  const lines: string[] = [];
  let ok = true;
  if (s.errors.size > 0) {
    lines.push('FAIL: too many errors');
    for (const [k, v] of s.errors) lines.push(`FAIL: ERROR(${k}) -> ${v}`);
    ok = false;
  }
  const rps = Math.trunc(s.rps) + 1;
  if (!(s.rps / targetRate > PERF_MIN_RATE_FRACTION)) {
    lines.push(`FAIL: Throughput too low: ${rps} writes/s`);
    ok = false;
  } else lines.push(`PASS: Throughput is ${rps} writes/s`);
  if (s.slowestS > PERF_SLOWEST_MAX_S) {
    lines.push(`Slowest request took too long: ${f6(s.slowestS)}s`);
    ok = false;
  } else lines.push(`PASS: Slowest request took ${f6(s.slowestS)}s`);
  if (s.stddevS > PERF_STDDEV_MAX_S) {
    lines.push(`Stddev too high: ${f6(s.stddevS)}s`);
    ok = false;
  } else lines.push(`PASS: Stddev is ${f6(s.stddevS)}s`);
  lines.push(ok ? 'PASS' : 'FAIL');
  return { lines, ok };
}

/** The value of process_resident_memory_bytes in a Prometheus text page (the first line starting with it), or why not. */
export function residentMemoryBytes(page: string): number | string {
  const key = 'process_resident_memory_bytes';
  const line = page.split('\n').find((l) => l.startsWith(key));
  const value = line?.slice(key.length).trim() ?? '';
  if (value === '') return `could not find: ${key}`;
  const n = Number(value);
  if (Number.isNaN(n)) return `parse error: strconv.ParseFloat: parsing ${JSON.stringify(value)}: invalid syntax`;
  return n;
}
