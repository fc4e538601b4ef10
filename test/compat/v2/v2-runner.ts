// Runs a v2 step sequence against one server and records one normalised outcome per step
// (watch sub-steps included, in flattenSteps order).

import { v2Http, v2Watch, V2_HTTP_TIMEOUT_MS, type V2HttpRequest, type V2HttpResponse } from './v2-http';
import { normalizeBody, normalizeHeaders, normalizeResponse, observeIndex, type IndexContext } from './v2-normalize';
import type { StepContext, V2Step } from './v2-steps';

export interface V2Outcome {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  newline?: boolean;
  /** stream / one-shot watch: the normalised event lines. */
  events?: unknown[];
  /** stream with thenListenMs: what followed the events. */
  afterEvents?: string;
  /** bulk: how many answers per status. */
  statuses?: Record<string, number>;
  /** the request could not be completed (timeout, connection error, server gone). */
  failure?: string;
}

/** How long the index must stay unchanged before the sequence starts (internal writes settle). */
const SETTLE_POLL_MS = 300;
const SETTLE_TIMEOUT_MS = 15_000;

/** true when every member in the server's /v2/members has published its name and client URLs. */
async function allMembersPublished(baseUrl: string): Promise<boolean> {
  const res = await v2Http(baseUrl, { method: 'GET', path: '/v2/members' });
  if (res.status !== 200) return false;
  const { members } = JSON.parse(res.body) as { members: { name?: string; clientURLs?: string[] }[] };
  return members.length > 0 && members.every((m) => (m.name ?? '') !== '' && (m.clientURLs ?? []).length > 0);
}

/**
 * Waits until the cluster version is decided, every member has published itself (each publish
 * takes a v2 index) and the v2 index is stable; returns that index.
 */
export async function settledBaseIndex(baseUrl: string): Promise<number> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let last = -1;
  for (;;) {
    try {
      const version = await v2Http(baseUrl, { method: 'GET', path: '/version' });
      const decided = version.status === 200 && !version.body.includes('not_decided');
      const published = decided && (await allMembersPublished(baseUrl));
      const keys = await v2Http(baseUrl, { method: 'GET', path: '/v2/keys' });
      const index = Number(keys.headers['x-etcd-index'] ?? 'NaN');
      if (published && keys.status === 200 && Number.isFinite(index)) {
        if (index === last) return index;
        last = index;
      }
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) throw new Error(`${baseUrl}: /v2/keys index did not settle within ${SETTLE_TIMEOUT_MS} ms (is v2 enabled?)`);
    await new Promise((r) => setTimeout(r, SETTLE_POLL_MS));
  }
}

/** Failure texts name the request path, whose computed indexes differ between the two sides. */
function withoutPath(message: string, path: string): string {
  return message.split(path).join('<path>');
}

function errorCodeOf(body: string): number | undefined {
  try {
    const parsed = JSON.parse(body) as { errorCode?: unknown };
    return typeof parsed.errorCode === 'number' ? parsed.errorCode : undefined;
  } catch {
    return undefined;
  }
}

export interface RawRecord {
  status: number;
  errorCode?: number;
}

export class V2SequenceRunner {
  readonly outcomes: V2Outcome[] = [];
  /** status / errorCode per flattened step, for checking the annotations against etcd. */
  readonly raw: RawRecord[] = [];
  private readonly byName = new Map<string, V2HttpResponse>();
  private readonly ctx: IndexContext;
  private readonly stepContext: StepContext;

  constructor(
    private readonly baseUrl: string,
    base: number,
    private readonly alive: () => boolean = () => true,
  ) {
    this.ctx = { base, max: base };
    const named = (name: string): V2HttpResponse => {
      const r = this.byName.get(name);
      if (r === undefined) throw new Error(`step "${name}" has no recorded answer`);
      return r;
    };
    this.stepContext = {
      base,
      rel: (n) => base + n,
      index: (name) => Number(named(name).headers['x-etcd-index']),
      modifiedIndex: (name) => (JSON.parse(named(name).body) as { node: { modifiedIndex: number } }).node.modifiedIndex,
    };
  }

  async run(steps: readonly V2Step[]): Promise<void> {
    for (const s of steps) await this.runOne(s);
  }

  private request(s: V2Step, i?: number): V2HttpRequest {
    const sub = (t: string): string => (i === undefined ? t : t.replaceAll('{i}', String(i)));
    const path = typeof s.path === 'function' ? s.path(this.stepContext) : s.path;
    const r: V2HttpRequest = { method: s.method ?? 'GET', path: sub(path) };
    if (s.form !== undefined) r.form = Object.fromEntries(Object.entries(s.form).map(([k, v]) => [k, sub(v)]));
    if (s.raw !== undefined) r.raw = s.raw;
    return r;
  }

  private record(outcome: V2Outcome, raw: RawRecord): void {
    this.outcomes.push(outcome);
    this.raw.push(raw);
  }

  /** Records a failed step and its sub-steps as not run. */
  private skip(s: V2Step, why: string): void {
    this.record({ status: -1, failure: why }, { status: -1 });
    for (const d of s.watch?.during ?? []) this.skip(d, `not sent: ${why}`);
  }

  private async runOne(s: V2Step): Promise<void> {
    if (!this.alive()) return this.skip(s, 'not sent: the server process exited');
    if (s.delayBeforeMs !== undefined) await new Promise((r) => setTimeout(r, s.delayBeforeMs));
    let request: V2HttpRequest;
    try {
      request = this.request(s);
    } catch (err) {
      return this.skip(s, `request not computable: ${(err as Error).message}`);
    }
    if (s.bulk !== undefined) return this.runBulk(s);
    if (s.watch !== undefined) return this.runWatch(s, request);
    try {
      const r = await v2Http(this.baseUrl, request);
      this.byName.set(s.name, r);
      const n = normalizeResponse(r, this.ctx, { ordered: s.ordered === true });
      if (s.stats !== undefined) n.body = this.statsView(s.stats, n.body);
      this.record(n, { status: r.status, errorCode: errorCodeOf(r.body) });
    } catch (err) {
      this.record({ status: -1, failure: withoutPath((err as Error).message, request.path) }, { status: -1 });
    }
  }

  private statsBaseline: Record<string, number> | undefined;

  private statsView(mode: NonNullable<V2Step['stats']>, body: unknown): unknown {
    if (body === null || typeof body !== 'object') return body;
    const counters = body as Record<string, number>;
    if (mode === 'baseline') {
      this.statsBaseline = { ...counters };
      return Object.keys(counters);
    }
    if (mode === 'watchers') return { watchers: counters.watchers };
    if (mode === 'without-gets') {
      const { getsSuccess: _s, getsFail: _f, ...rest } = counters;
      return rest;
    }
    const base = this.statsBaseline ?? {};
    return Object.fromEntries(Object.entries(counters).map(([k, v]) => [k, typeof v === 'number' ? v - (base[k] ?? 0) : v]));
  }

  private async runBulk(s: V2Step): Promise<void> {
    const { count, concurrency } = s.bulk as { count: number; concurrency: number };
    const statuses: Record<string, number> = {};
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count) {
        const i = next++;
        let key: string;
        try {
          const r = await v2Http(this.baseUrl, this.request(s, i));
          observeIndex(r.headers, this.ctx);
          key = String(r.status);
        } catch {
          key = 'failed';
        }
        statuses[key] = (statuses[key] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
    const sorted = Object.fromEntries(Object.entries(statuses).sort(([a], [b]) => a.localeCompare(b)));
    const only = Object.keys(sorted).length === 1 ? Number(Object.keys(sorted)[0]) : -1;
    this.record({ status: only, statuses: sorted }, { status: only });
  }

  private async runWatch(s: V2Step, request: V2HttpRequest): Promise<void> {
    const w = v2Watch(this.baseUrl, request);
    const during = s.watch?.during ?? [];
    const timeoutMs = s.watch?.timeoutMs ?? V2_HTTP_TIMEOUT_MS;
    const outcomeIndex = this.outcomes.length;
    this.record({ status: -1, failure: 'pending' }, { status: -1 });
    const set = (o: V2Outcome, raw: RawRecord): void => {
      this.outcomes[outcomeIndex] = o;
      this.raw[outcomeIndex] = raw;
    };
    try {
      let head: { status: number; headers: Record<string, string> };
      try {
        head = await w.head;
      } catch (err) {
        set({ status: -1, failure: `no response head: ${withoutPath((err as Error).message, request.path)}` }, { status: -1 });
        for (const d of during) this.skip(d, 'not sent: the watch has no head');
        return;
      }
      observeIndex(head.headers, this.ctx);
      const headers = normalizeHeaders(head.headers, this.ctx);
      // a watch answer is written piece by piece: chunked (other answers' framing is not compared)
      if (head.status === 200) headers['transfer-encoding'] = head.headers['transfer-encoding'] ?? '<none>';
      if (head.status !== 200) {
        const body = await w.rest().catch((err: Error) => `<${err.message}>`);
        set({ status: head.status, headers, ...normalizeBody(body, this.ctx) }, { status: head.status, errorCode: errorCodeOf(body) });
        for (const d of during) this.skip(d, 'not sent: the watch failed');
        return;
      }
      for (const d of during) await this.runOne(d);
      const events: unknown[] = [];
      const outcome: V2Outcome = { status: head.status, headers, events };
      try {
        if (s.watch?.streamEvents !== undefined) {
          for (let k = 0; k < s.watch.streamEvents; k++) {
            const line = await w.nextLine(timeoutMs);
            events.push(normalizeBody(line, this.ctx).body);
          }
          if (s.watch.thenListenMs !== undefined) {
            outcome.afterEvents = await w.nextLine(s.watch.thenListenMs).then(
              (line) => `another line: ${line}`,
              (err: Error) => (/the response ended/.test(err.message) ? 'the response ended' : /nothing within/.test(err.message) ? 'open, quiet' : err.message),
            );
          }
        } else {
          const body = await w.rest(timeoutMs);
          const lines = body.split('\n');
          for (const line of lines.slice(0, -1)) events.push(normalizeBody(line, this.ctx).body);
          outcome.newline = lines.length > 1 && lines[lines.length - 1] === '';
          if (!outcome.newline) events.push(`<unterminated ${lines[lines.length - 1] ?? ''}>`);
        }
      } catch (err) {
        outcome.failure = withoutPath((err as Error).message, request.path);
      }
      set(outcome, { status: head.status });
    } finally {
      w.close();
    }
  }
}
