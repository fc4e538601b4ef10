// The step model of the v2 differential suite: one curl-like HTTP request per step, or a watch
// (?wait=true) whose head is awaited before the steps `during` it are sent, or a bulk of writes.

export interface StepContext {
  /** The side's X-Etcd-Index before the first step. */
  readonly base: number;
  /** base + n: the n-th index consumed by this sequence. */
  rel(n: number): number;
  /** The X-Etcd-Index answered to the named step. */
  index(stepName: string): number;
  /** `node.modifiedIndex` of the named step's JSON answer. */
  modifiedIndex(stepName: string): number;
}

export type Dynamic<T> = T | ((c: StepContext) => T);

export interface V2Step {
  name: string;
  /** GET when omitted. */
  method?: string;
  /** Path and query, e.g. `/v2/keys/foo?prevExist=false`. */
  path: Dynamic<string>;
  form?: Record<string, string>;
  raw?: { contentType: string; body: string };
  /** What etcd answers: an HTTP status, or [status, v2 errorCode]. Checked against etcd. */
  expect: number | [number, number];
  /** Keep `nodes` in the server's order (sorted=true). */
  ordered?: boolean;
  delayBeforeMs?: number;
  /** A ?wait=true request: its head is read, then `during` is sent, then the body. */
  watch?: {
    during?: V2Step[];
    /** stream=true: read this many event lines, then disconnect. */
    streamEvents?: number;
    /** How long to wait for the event(s). */
    timeoutMs?: number;
    /** stream: after the events, listen this long and record whether the response stayed open. */
    thenListenMs?: number;
  };
  /**
   * A /v2/stats/store read: `baseline` records the counters (compared by their names only),
   * `delta` compares the counters minus the baseline, `without-gets` compares all but the get
   * counters (which the harness's own index polls move), `watchers` only the watcher count.
   */
  stats?: 'baseline' | 'delta' | 'without-gets' | 'watchers';
  /** Sends the request `count` times, `concurrency` at a time; `{i}` in path and form is the attempt number. */
  bulk?: { count: number; concurrency: number };
}

/** Every step with its watch sub-steps, in the order outcomes are recorded. */
export function flattenSteps(steps: readonly V2Step[]): { step: V2Step; label: string }[] {
  const out: { step: V2Step; label: string }[] = [];
  const walk = (list: readonly V2Step[], prefix: string): void => {
    for (const s of list) {
      out.push({ step: s, label: `${prefix}${s.method ?? 'GET'} ${s.name}` });
      if (s.watch?.during !== undefined) walk(s.watch.during, `${prefix}  (during "${s.name}") `);
    }
  };
  walk(steps, '');
  return out.map((o, i) => ({ ...o, label: `#${String(i + 1).padStart(3, '0')} ${o.label}` }));
}
