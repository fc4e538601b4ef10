// What may legitimately differ between etcdctl's and tsetcdctl's output of the same step.

/** The Go client's retry-interceptor warn lines (JSON logs with timestamps and random targets) are not compared. */
export function stderrLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l !== '' && !l.startsWith('{"level"'));
}

/** `took = 1.2ms` / `"took":"1.2ms"` timings. */
export function normalizeTimings(s: string): string {
  return s.replace(/took = [0-9.]+[µnm]?s/g, 'took = <d>').replace(/"took":"[^"]*"/g, '"took":"<d>"');
}

/**
 * Write steps run twice (etcdctl then tsetcdctl) on one server, each under its own key prefix:
 * the prefix, revisions and lease ids are replaced by placeholders. Base64 keys in JSON are decoded first.
 */
export function normalizeWrite(s: string, prefix: string): string {
  return s
    .replace(/"(key|value)":"([A-Za-z0-9+/=]*)"/g, (_m, field: string, b64: string) => `"${field}":"${Buffer.from(b64, 'base64').toString('latin1')}"`)
    .split(prefix)
    .join('<p>')
    .replace(/"(revision|create_revision|mod_revision|ID|id|lease)":-?\d+/g, '"$1":<n>')
    .replace(/^"((?:Prev)?(?:Revision|CreateRevision|ModRevision|Lease)|ID)" : -?\d+$/gm, '"$1" : <n>')
    .replace(/\b[0-9a-f]{16}\b/g, '<lease>')
    // a lease's remaining TTL counts down while the two tools run one after the other
    .replace(/remaining\((\d+)s\)/g, (_m, n: string) => `remaining(${Number(n) >= 95 ? '<95..100>' : n}s)`)
    .replace(/"TTL":(9[5-9]|100)\b/g, '"TTL":<95..100>');
}

/** A table whose cell widths depend on a measured duration: durations out, padding collapsed. */
export function normalizeTable(s: string): string {
  return s.replace(/\b[0-9.]+[µnm]?s\b/g, '<d>').replace(/ {2,}/g, ' ').replace(/-{2,}/g, '-');
}
