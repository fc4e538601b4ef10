// Model test of the request-level operations: random Put / DeleteRange / Txn (version compares,
// branch writes) / Range (revision, limit, range end) / Compaction requests against a naive model
// that keeps the whole key space at every revision.

import fc from 'fast-check';
import {
  Compare_CompareResult as CR,
  Compare_CompareTarget as CT,
  CompactionRequest,
  DeleteRangeRequest,
  ErrCompacted,
  ErrFutureRev,
  PutRequest,
  RangeRequest,
  TxnRequest,
  type KeyValue,
} from '@tsetcd/api';
import { openTestStore } from '../test-store';
import { applyCompaction, applyDeleteRange, applyPut, applyRange, applyTxn } from './apply';

interface MKv {
  value: string;
  create: bigint;
  mod: bigint;
  version: bigint;
}
type State = Map<string, MKv>;

const KEYS = ['a', 'b', 'c', 'd'];
const keyArb = fc.constantFrom(...KEYS);
const endArb = fc.option(fc.constantFrom('b', 'c', 'e', '\x00'), { nil: undefined });

const opArb = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), key: keyArb, value: fc.string({ maxLength: 2 }), prevKv: fc.boolean() }),
  fc.record({ kind: fc.constant('del' as const), key: keyArb, end: endArb, prevKv: fc.boolean() }),
  fc.record({
    kind: fc.constant('txn' as const),
    key: keyArb,
    result: fc.constantFrom(CR.EQUAL, CR.GREATER, CR.LESS, CR.NOT_EQUAL),
    version: fc.bigInt({ min: 0n, max: 3n }),
    putKey: keyArb,
    delKey: keyArb,
  }),
  fc.record({ kind: fc.constant('range' as const), key: keyArb, end: endArb, back: fc.nat({ max: 6 }), limit: fc.nat({ max: 3 }) }),
  fc.record({ kind: fc.constant('compact' as const), back: fc.nat({ max: 4 }) }),
);

function inRange(k: string, key: string, end: string | undefined): boolean {
  if (end === undefined) return k === key;
  if (end === '\x00') return k >= key;
  return k >= key && k < end;
}

const view = (kvs: KeyValue[]): string[] => kvs.map((kv) => `${kv.key}=${kv.value}@${kv.createRevision}/${kv.modRevision}/v${kv.version}`);
const mview = (entries: Array<[string, MKv]>): string[] => entries.map(([k, kv]) => `${k}=${kv.value}@${kv.create}/${kv.mod}/v${kv.version}`);
const sorted = (s: State): Array<[string, MKv]> => [...s.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const cmp = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

describe('kv-ops against a naive model', () => {
  it('responses match the model for random request sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
        const t = openTestStore({ compactionSleepIntervalMs: 0 });
        const states: State[] = [new Map(), new Map()]; // index = revision
        let compactRev = -1n;
        const rev = (): bigint => BigInt(states.length - 1);
        const cur = (): State => states[states.length - 1]!;
        const commit = (next: State, changed: boolean): void => {
          if (changed) states.push(next);
        };
        const mput = (s: State, k: string, v: string, r: bigint): void => {
          const p = s.get(k);
          s.set(k, { value: v, create: p?.create ?? r, mod: r, version: (p?.version ?? 0n) + 1n });
        };
        try {
          for (const op of ops) {
            if (op.kind === 'put') {
              const prev = cur().get(op.key);
              const next = new Map(cur());
              mput(next, op.key, op.value, rev() + 1n);
              const r = applyPut(t.store, PutRequest.fromPartial({ key: Buffer.from(op.key), value: Buffer.from(op.value), prevKv: op.prevKv })).response;
              commit(next, true);
              expect(r.header!.revision).toBe(rev());
              expect(r.prevKv ? view([r.prevKv]) : []).toEqual(op.prevKv && prev ? mview([[op.key, prev]]) : []);
            } else if (op.kind === 'del') {
              const doomed = sorted(cur()).filter(([k]) => inRange(k, op.key, op.end));
              const next = new Map(cur());
              for (const [k] of doomed) next.delete(k);
              const r = applyDeleteRange(
                t.store,
                DeleteRangeRequest.fromPartial({ key: Buffer.from(op.key), rangeEnd: op.end === undefined ? undefined : Buffer.from(op.end), prevKv: op.prevKv }),
              ).response;
              commit(next, doomed.length > 0);
              expect([r.deleted, r.header!.revision]).toEqual([BigInt(doomed.length), rev()]);
              expect(view(r.prevKvs)).toEqual(op.prevKv ? mview(doomed) : []);
            } else if (op.kind === 'txn') {
              const c = cmp(cur().get(op.key)?.version ?? 0n, op.version);
              const ok = { [CR.EQUAL]: c === 0, [CR.GREATER]: c > 0, [CR.LESS]: c < 0, [CR.NOT_EQUAL]: c !== 0 }[op.result]!;
              const next = new Map(cur());
              let changed = false;
              if (ok) {
                mput(next, op.putKey, 'txn', rev() + 1n);
                changed = true;
              } else if (next.delete(op.delKey)) changed = true;
              const r = applyTxn(
                t.store,
                TxnRequest.fromPartial({
                  compare: [{ key: Buffer.from(op.key), target: CT.VERSION, result: op.result, version: op.version }],
                  success: [{ requestPut: { key: Buffer.from(op.putKey), value: Buffer.from('txn') } }],
                  failure: [{ requestDeleteRange: { key: Buffer.from(op.delKey) } }],
                }),
              ).response;
              commit(next, changed);
              expect([r.succeeded, r.header!.revision]).toEqual([ok, rev()]);
            } else if (op.kind === 'range') {
              const at = rev() - BigInt(op.back) + 1n; // sometimes one past the current revision, or <= 0 (= current)
              const readAt = at <= 0n ? rev() : at;
              const req = RangeRequest.fromPartial({
                key: Buffer.from(op.key),
                rangeEnd: op.end === undefined ? undefined : Buffer.from(op.end),
                revision: at,
                limit: BigInt(op.limit),
              });
              if (at > rev()) {
                expect(() => applyRange(t.store, req)).toThrow(ErrFutureRev);
              } else if (readAt < compactRev) {
                expect(() => applyRange(t.store, req)).toThrow(ErrCompacted);
              } else {
                const all = sorted(states[Number(readAt)]!).filter(([k]) => inRange(k, op.key, op.end));
                const shown = op.limit > 0 ? all.slice(0, op.limit) : all;
                const r = applyRange(t.store, req);
                expect(view(r.kvs)).toEqual(mview(shown));
                expect([r.count, r.more, r.header!.revision]).toEqual([BigInt(all.length), op.limit > 0 && all.length > op.limit, rev()]);
              }
            } else {
              const target = rev() - BigInt(op.back);
              const req = CompactionRequest.fromPartial({ revision: target });
              if (target <= compactRev) {
                expect(() => applyCompaction(t.store, req)).toThrow(ErrCompacted);
              } else {
                await applyCompaction(t.store, req).done;
                compactRev = target;
              }
            }
          }
        } finally {
          await t.cleanup();
        }
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});
